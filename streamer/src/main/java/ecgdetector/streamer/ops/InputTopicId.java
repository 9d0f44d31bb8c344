package ecgdetector.streamer.ops;

import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input topic's id as the cluster last said: a topic deleted and created again under the same name gets a new
 * one, and its offsets start again at 0, so an offset means something only with the id. Looked up at startup, by
 * the health checks every few seconds, and by a stream thread that meets an offset it already held (at most once
 * a second): a replay, or the first records of a recreated topic.
 */
public final class InputTopicId {

    private static final Logger log = LoggerFactory.getLogger(InputTopicId.class);
    private static final long MIN_LOOKUP_INTERVAL_MS = 1_000;

    private final String topic;
    private final Supplier<Uuid> lookup;
    private volatile Uuid current;
    private volatile long lastLookup = Long.MIN_VALUE;

    /** @param lookup asks the cluster; null when it cannot tell (no answer, no DESCRIBE) */
    public InputTopicId(String topic, Supplier<Uuid> lookup) {
        this.topic = topic;
        this.lookup = lookup;
    }

    /** An id that is never known, where no cluster can be asked (TopologyTestDriver). */
    public static InputTopicId unknown(String topic) {
        return new InputTopicId(topic, () -> null);
    }

    /** The id last looked up, or null. */
    public Uuid current() {
        return current;
    }

    /** Asks the cluster again unless it was asked less than a second ago, and returns the id then known. */
    public Uuid refresh() {
        long now = System.currentTimeMillis();
        if (askedRecently(now)) {
            return current;
        }
        synchronized (this) {
            if (askedRecently(now)) {
                return current;
            }
            lastLookup = now;
            Uuid found = lookup.get();
            if (found != null) {
                Uuid before = current;
                current = found;
                if (before != null && !before.equals(found)) {
                    log.warn(
                            "Input topic {} was deleted and created again (topic id {} -> {}): its offsets start "
                                    + "again at 0. Windows of the old topic still waiting are scored first; the "
                                    + "consumer group's committed offsets, kept by topic name, now apply to the new "
                                    + "topic, so records of it below them are not read unless the offsets are reset "
                                    + "(docs/reliability.md, \"Input topic recreated\")",
                            topic,
                            before,
                            found);
                }
            }
            return current;
        }
    }

    /** Written so that it cannot overflow: {@code now - lastLookup} did, before the first lookup, and so it never ran. */
    private boolean askedRecently(long now) {
        return lastLookup > now - MIN_LOOKUP_INTERVAL_MS;
    }
}
