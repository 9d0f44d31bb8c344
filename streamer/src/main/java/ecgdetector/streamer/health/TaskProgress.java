package ecgdetector.streamer.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether each active task makes progress, judged on what is committed rather than on states: a task is
 * <b>stalled</b> when input waits for it (records past its committed offset) and its committed offset has not
 * moved for the timeout, or when its buffer holds windows it has not forwarded for the batch wait plus the
 * timeout. Kafka Streams stays RUNNING through either, so a stall in producing outputs, a task blocked on a
 * missing topic or a model that scores nothing would otherwise look healthy.
 */
public final class TaskProgress {

    /**
     * One task, at one moment.
     *
     * @param committed   the consumer group's committed offset per input partition (absent: none yet)
     * @param end         each input partition's last stable offset (what a read_committed reader can reach)
     * @param logStart    each input partition's log start offset
     * @param buffered    windows in the task's buffer
     * @param waitingSince wall-clock ms since which the buffer has held windows without forwarding any
     */
    public record Sample(
            String task,
            Collection<TopicPartition> partitions,
            Map<TopicPartition, Long> committed,
            Map<TopicPartition, Long> end,
            Map<TopicPartition, Long> logStart,
            long buffered,
            long waitingSince) {}

    private final long timeoutMs;
    private final long bufferTimeoutMs;
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    private final Map<TopicPartition, Long> movedAt = new HashMap<>();

    public TaskProgress(Duration timeout, Duration batchWait) {
        this.timeoutMs = timeout.toMillis();
        this.bufferTimeoutMs = timeout.plus(batchWait).toMillis();
    }

    /**
     * Takes a new look at the active tasks.
     *
     * @return one sentence per stalled task, by task id
     */
    public Map<String, String> update(long now, Collection<Sample> tasks) {
        Map<String, String> stalled = new LinkedHashMap<>();
        for (Sample t : tasks) {
            long waiting = 0;
            long lastMove = Long.MIN_VALUE;
            List<String> detail = new ArrayList<>();
            for (TopicPartition p : t.partitions()) {
                Long committed = t.committed().get(p);
                Long previous = lastCommitted.put(p, committed == null ? -1L : committed);
                if (previous == null || !previous.equals(lastCommitted.get(p))) {
                    movedAt.put(p, now);
                }
                lastMove = Math.max(lastMove, movedAt.get(p));
                Long end = t.end().get(p);
                if (end == null) {
                    continue;
                }
                long from = committed != null ? committed : t.logStart().getOrDefault(p, 0L);
                long lag = Math.max(0, end - from);
                if (lag > 0) {
                    waiting += lag;
                    detail.add(p + " committed " + (committed == null ? "none" : committed) + ", end " + end);
                }
            }
            if (waiting > 0 && now - lastMove > timeoutMs) {
                stalled.put(
                        t.task(),
                        "task " + t.task() + " has " + waiting + " input records waiting and its committed offset"
                                + " has not moved for " + (now - lastMove) / 1000 + " s (" + String.join("; ", detail)
                                + ")");
            } else if (t.buffered() > 0
                    && t.waitingSince() != Long.MAX_VALUE
                    && now - t.waitingSince() > bufferTimeoutMs) {
                stalled.put(
                        t.task(),
                        "task " + t.task() + " holds " + t.buffered() + " windows it has not scored for "
                                + (now - t.waitingSince()) / 1000 + " s");
            }
        }
        // Partitions not seen now (a task between threads, a rebalance) keep their history: a partition whose
        // committed offset never moves stays stalled however often its task is moved or restarted.
        return stalled;
    }
}
