package ecgdetector.schemas;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The project's Kafka topics, each defined once: its default name, what its keys and values are, the JSON
 * Schema its values follow, and the topic configs and partition count it must be created with. The broker,
 * the trainer, the streamer, the command line, the deployment files' test and the README's topic table all
 * read this; {@link TopicNames} holds the names a deployment actually uses.
 */
public enum EcgTopic {
    /**
     * Stored uncompressed, so the broker checks {@code max.message.bytes} against what a consumer will hold: a
     * record its producer compressed (100 MB of one byte is a few KB in zstd) is decompressed and refused at
     * produce time instead of reaching the streamer whole. The broker then recompresses nothing on the way out,
     * so a producer that sends uncompressed costs it no CPU (docs/reliability.md has the figures).
     */
    HEARTBEATS(
            "ecg.heartbeats",
            "patient/monitor id (optional)",
            "a CSV line of 140 samples (+ label), or a JSON window",
            "heartbeat.schema.json",
            Map.of(
                    "compression.type",
                    "uncompressed",
                    "max.message.bytes",
                    String.valueOf(EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES)),
            OptionalInt.empty()),
    /**
     * Takes any record the input topic took plus the dead-letter headers, so a dead letter is the input record
     * whole; one that is larger anyway (a topic configured otherwise) is written reduced ({@link DeadLetter}).
     */
    HEARTBEATS_DLQ(
            "ecg.heartbeats.dlq",
            "as the input",
            "the input's bytes, unchanged (too large: its first bytes, `ecg.dlq.reduced`); `ecg.dlq.*` headers say why"
                    + " and where from",
            null,
            Map.of("max.message.bytes", String.valueOf(EcgTopic.DEAD_LETTERS_MAX_MESSAGE_BYTES)),
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
     * Alarm transitions are what people act on and audit afterwards: kept {@link #ALARMS_RETENTION_DAYS} days,
     * never compacted (every transition of an episode matters, not only the last).
     */
    ALARMS(
            "ecg.alarms",
            "patient id (the input's key)",
            "one event per alarm transition: physiological episodes and technical alarms",
            "alarm.schema.json",
            Map.of(
                    "cleanup.policy",
                    "delete",
                    "retention.ms",
                    String.valueOf(TimeUnit.DAYS.toMillis(EcgTopic.ALARMS_RETENTION_DAYS))),
            OptionalInt.empty()),
    /**
     * Compacted, with one key per release ({@link ReleaseKey}: {@code modelName/version}), so it keeps every
     * release and no later record can remove one; one partition, so releases form a single ordered history that
     * every scorer reads in full; a release travels as one record of at most {@link #MODELS_MAX_MESSAGE_BYTES}.
     * Stored uncompressed: the broker then decompresses what a producer sends and holds the result to
     * {@code max.message.bytes}, so a record small on the wire and huge inside (a decompression bomb) is refused
     * when it is produced, before any reader has to hold it in memory.
     */
    MODELS(
            "ecg.models",
            "modelName/version (one key per release)",
            "a model release, signed (headers `ecg.release.*`)",
            "model-release.schema.json",
            Map.of(
                    "cleanup.policy",
                    "compact",
                    "compression.type",
                    "uncompressed",
                    "max.message.bytes",
                    String.valueOf(EcgTopic.MODELS_MAX_MESSAGE_BYTES)),
            OptionalInt.of(1));

    /** Partitions of the data topics unless a deployment chooses otherwise. */
    public static final int DEFAULT_PARTITIONS = 3;
    /** How long {@code ecg.alarms} keeps its records. */
    public static final int ALARMS_RETENTION_DAYS = 30;
    /** The largest release record the models topic takes (and the broker is configured for). */
    public static final int MODELS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    /**
     * The largest heartbeat record the input topic takes: Kafka's own default, 16 times the streamer's default
     * {@code ecg.record.max.bytes} (a window is 1-3 KB); what a consumer holds per record, since the topic stores
     * records uncompressed.
     */
    public static final int HEARTBEATS_MAX_MESSAGE_BYTES = 1024 * 1024;
    /** Room the dead-letter topic leaves for the {@code ecg.dlq.*} headers on top of the largest input record. */
    public static final int DEAD_LETTER_HEADROOM_BYTES = 64 * 1024;
    /** The largest record the dead-letter topic takes: any input record with its dead-letter headers. */
    public static final int DEAD_LETTERS_MAX_MESSAGE_BYTES = HEARTBEATS_MAX_MESSAGE_BYTES + DEAD_LETTER_HEADROOM_BYTES;

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
