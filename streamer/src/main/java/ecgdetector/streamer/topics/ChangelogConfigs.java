package ecgdetector.streamer.topics;

import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Whether a store changelog that already exists has the topic configs the streamer creates it with. Kafka Streams
 * sets them only when it creates the topic, so a deployment whose changelog predates them (or whose changelog an
 * operator created) keeps Kafka's defaults: segments of a week or 1 GB that compaction never cleans while they
 * are open, which a restore after a crash reads whole. A tighter setting is the operator's choice and is left
 * alone; {@code delete.retention.ms} must match, since the streamer's guard against resurrected windows
 * ({@code StateFreshness}) is derived from it.
 */
public final class ChangelogConfigs {

    private ChangelogConfigs() {}

    /**
     * One line saying what to change on {@code topic}, or empty if nothing should.
     *
     * @param wanted the configs the streamer creates its changelogs with
     * @param actual the topic's configs as the broker describes them (a config missing here is not judged)
     */
    public static Optional<String> problem(String topic, Map<String, String> wanted, Map<String, String> actual) {
        Map<String, String> off = new TreeMap<>();
        wanted.forEach((name, value) -> {
            String now = actual.get(name);
            if (now != null && !acceptable(name, value, now)) {
                off.put(name, now);
            }
        });
        if (off.isEmpty()) {
            return Optional.empty();
        }
        StringJoiner has = new StringJoiner(", ");
        StringJoiner set = new StringJoiner(",");
        off.forEach((name, now) -> {
            has.add(name + "=" + now + " (the streamer creates it with " + wanted.get(name) + ")");
            set.add(name + "=" + wanted.get(name));
        });
        return Optional.of("Store changelog " + topic + " has " + has + ": Kafka Streams sets these only when it"
                + " creates the topic, so a restore after a crash may read days of records instead of minutes"
                + " (docs/reliability.md, \"The stores' changelogs\"); set them with kafka-configs.sh --alter"
                + " --entity-type topics --entity-name " + topic + " --add-config " + set);
    }

    /** A value that is not a number is not what the streamer sets: reported, never a reason to stop the start. */
    private static boolean acceptable(String name, String wantedValue, String actualValue) {
        double wanted = Double.parseDouble(wantedValue);
        double actual;
        try {
            actual = Double.parseDouble(actualValue.trim());
        } catch (NumberFormatException e) {
            return false;
        }
        if (name.equals(TopicConfig.DELETE_RETENTION_MS_CONFIG)) {
            return actual == wanted;
        }
        return actual <= wanted;
    }
}
