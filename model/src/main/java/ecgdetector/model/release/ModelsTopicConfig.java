package ecgdetector.model.release;

import ecgdetector.schemas.EcgTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.TopicConfig;

/**
 * What an existing models topic's settings mean for the releases on it, against the contract
 * ({@link EcgTopic#MODELS}): not compacted, releases expire with the retention and a new instance may find none; not
 * stored uncompressed, a record small on the wire and huge inside (a decompression bomb) reaches every reader whole.
 */
public final class ModelsTopicConfig {

    private ModelsTopicConfig() {}

    /** One line per setting of {@code config} that differs from the contract in a way that matters; empty if none. */
    public static List<String> problems(String topic, Config config) {
        List<String> problems = new ArrayList<>();
        String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG).orElse("delete");
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            problems.add("topic " + topic + " has cleanup.policy=" + policy + ": releases expire with its retention, "
                    + "and an instance started later may find none (the contract: cleanup.policy=compact)");
        }
        String wanted = EcgTopic.MODELS.configs().get(TopicConfig.COMPRESSION_TYPE_CONFIG);
        String compression = value(config, TopicConfig.COMPRESSION_TYPE_CONFIG).orElse("producer");
        if (!wanted.equals(compression)) {
            problems.add("topic " + topic + " has compression.type=" + compression + ", not " + wanted + ": the broker "
                    + "then does not hold what a record decompresses to against max.message.bytes, so a decompression "
                    + "bomb written to it reaches every streamer whole (kafka-configs.sh --alter --entity-type topics "
                    + "--entity-name " + topic + " --add-config compression.type=" + wanted + ")");
        }
        return problems;
    }

    /** Whether the topic is compacted. */
    public static boolean compacted(Config config) {
        return value(config, TopicConfig.CLEANUP_POLICY_CONFIG)
                .orElse("delete")
                .contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    private static Optional<String> value(Config config, String name) {
        ConfigEntry entry = config.get(name);
        return entry == null || entry.value() == null ? Optional.empty() : Optional.of(entry.value());
    }
}
