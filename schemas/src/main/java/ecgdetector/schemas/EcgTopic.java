package ecgdetector.schemas;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The project's Kafka topics, each defined once: its default name, what its keys and values are, the JSON
 * Schema its values follow, and the topic configs and partition count it must be created with. The broker,
 * the trainer, the streamer, the command line, the deployment files' test and the README's topic table all
 * read this; {@link TopicNames} holds the names a deployment actually uses.
 */
public enum EcgTopic {
    HEARTBEATS(
            "ecg.heartbeats",
            "patient/monitor id (optional)",
            "a CSV line of 140 samples (+ label), or a JSON window",
            "heartbeat.schema.json",
            Map.of(),
            OptionalInt.empty()),
    HEARTBEATS_DLQ(
            "ecg.heartbeats.dlq",
            "as the input",
            "the input's bytes, unchanged; `ecg.dlq.*` headers say why and where from",
            null,
            Map.of(),
            OptionalInt.empty()),
    ALERTS(
            "ecg.alerts",
            "as the input",
            "one alert per anomalous window",
            "alert.schema.json",
            Map.of(),
            OptionalInt.empty()),
    SCORES(
            "ecg.scores",
            "as the input",
            "every window's score and verdict",
            "score.schema.json",
            Map.of(),
            OptionalInt.empty()),
    /**
     * Compacted, so it keeps the latest release per model; one partition, so releases form a single ordered
     * history that every scorer reads in full; a release travels as one record of at most
     * {@link #MODELS_MAX_MESSAGE_BYTES}.
     */
    MODELS(
            "ecg.models",
            "model name",
            "a model release",
            "model-release.schema.json",
            Map.of("cleanup.policy", "compact", "max.message.bytes", String.valueOf(EcgTopic.MODELS_MAX_MESSAGE_BYTES)),
            OptionalInt.of(1));

    /** Partitions of the data topics unless a deployment chooses otherwise. */
    public static final int DEFAULT_PARTITIONS = 3;
    /** The largest release record the models topic takes (and the broker is configured for). */
    public static final int MODELS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private final String defaultName;
    private final String key;
    private final String value;
    private final String schemaFile;
    private final Map<String, String> configs;
    private final OptionalInt fixedPartitions;

    EcgTopic(
            String defaultName,
            String key,
            String value,
            String schemaFile,
            Map<String, String> configs,
            OptionalInt fixedPartitions) {
        this.defaultName = defaultName;
        this.key = key;
        this.value = value;
        this.schemaFile = schemaFile;
        this.configs = configs;
        this.fixedPartitions = fixedPartitions;
    }

    /** The name the topic has unless a deployment renames it. */
    public String defaultName() {
        return defaultName;
    }

    /** What a record key is, in words. */
    public String keyFormat() {
        return key;
    }

    /** What a record value is, in words. */
    public String valueFormat() {
        return value;
    }

    /** The JSON Schema file under {@code schemas/json/} that values follow, if they are JSON. */
    public Optional<String> schemaFile() {
        return Optional.ofNullable(schemaFile);
    }

    /** Topic configs the topic must be created with (and that an existing topic must have). */
    public Map<String, String> configs() {
        return configs;
    }

    /** The partition count when the contract fixes it; otherwise the deployment chooses. */
    public OptionalInt fixedPartitions() {
        return fixedPartitions;
    }

    /** {@code fixedPartitions()} if set, else {@code dataPartitions}. */
    public int partitions(int dataPartitions) {
        return fixedPartitions.orElse(dataPartitions);
    }
}
