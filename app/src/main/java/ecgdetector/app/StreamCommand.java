package ecgdetector.app;

import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./ecg stream}: scores the heartbeat windows on the heartbeats topic with the latest model release,
 * exactly once, until SIGTERM. Every flag maps to one {@link StreamerConfig} setting; see that class for the
 * order of precedence (flags, then environment, then properties files, then defaults).
 */
@Command(
        name = "stream",
        header = "Score live heartbeat windows from Kafka and emit alerts, exactly once.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Scores heartbeat windows (CSV lines or JSON) from the heartbeats topic with",
            "the latest release on the models topic, in batches on DJL/TensorFlow, exactly",
            "once: an alert per anomalous window, optionally every window's score, and",
            "unreadable records to the dead-letter topic. Serves /metrics (Prometheus),",
            "/health/live and /health/ready. Stops cleanly on SIGTERM.",
            ""
        },
        footer = {
            "",
            "Settings come from, first wins:",
            "  1. flags;",
            "  2. the environment: ECG_* for the settings above (ECG_BATCH_SIZE,",
            "     ECG_BOOTSTRAP_SERVERS, ...), KAFKA_* for Kafka properties",
            "     (KAFKA_SASL_MECHANISM -> sasl.mechanism);",
            "  3. the --config file: ecg.* keys (ecg.batch.size, ecg.topic.alerts, ...)",
            "     and any Kafka client or Kafka Streams property;",
            "  4. the --kafka-config file;",
            "  5. defaults.",
            "",
            "Example:",
            "  ./ecg stream --bootstrap-servers localhost:9092 --batch-size 512 \\",
            "      -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN \\",
            "      --config streamer.properties"
        })
public final class StreamCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Properties file: ecg.* settings and Kafka client/Streams properties.")
    Path config;

    @Option(
            names = "--application-id",
            paramLabel = "ID",
            description = "Kafka Streams application id = consumer group (default ecg-streamer).")
    String applicationId;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Stream threads, each with its own DJL predictor (default 1).")
    Integer threads;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description = "Most windows per inference call; a full batch is scored at once (default 256).")
    Integer batchSize;

    @Option(
            names = "--batch-wait-ms",
            paramLabel = "MS",
            description = "Longest a window waits for its batch to fill (default 100).")
    Long batchWaitMs;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port of /metrics and /health (default 8080; 0 = any free port, -1 = off).")
    Integer port;

    @Option(
            names = "--http-host",
            paramLabel = "ADDRESS",
            description = "Address of /metrics and /health (default 0.0.0.0).")
    String httpHost;

    @Option(names = "--input-topic", paramLabel = "TOPIC", description = "Default ecg.heartbeats.")
    String inputTopic;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", description = "Default ecg.heartbeats.dlq.")
    String dlqTopic;

    @Option(names = "--alerts-topic", paramLabel = "TOPIC", description = "Default ecg.alerts.")
    String alertsTopic;

    @Option(names = "--scores-topic", paramLabel = "TOPIC", description = "Default ecg.scores.")
    String scoresTopic;

    @Option(names = "--models-topic", paramLabel = "TOPIC", description = "Default ecg.models.")
    String modelsTopic;

    @Option(
            names = "--scores",
            negatable = true,
            description = "Write every window's score to the scores topic (default on; --no-scores: off).")
    Boolean scores;

    @Option(
            names = "--model-name",
            paramLabel = "NAME",
            description = "Model to serve: its key on the models topic (default ecg-autoencoder).")
    String modelName;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Kafka Streams state folder: the batch buffer and the local model copy.")
    Path stateDir;

    @Option(names = "--window-length", paramLabel = "N", description = "Samples per window (default 140).")
    Integer windowLength;

    @Option(
            names = "--max-abs-sample",
            paramLabel = "X",
            description = "Samples of larger magnitude are dead-lettered (default 10000).")
    Double maxAbsSample;

    @Option(
            names = "--max-record-bytes",
            paramLabel = "N",
            description = "Larger input records are dead-lettered unread (default 65536).")
    Integer maxRecordBytes;

    @Option(
            names = "--release-key-file",
            paramLabel = "FILE",
            split = ",",
            description = "Serve only releases signed with this key (HMAC-SHA256, the trainer's"
                    + " --signing-key-file); repeatable, any of them will do (env: ECG_RELEASE_KEY_FILES).")
    java.util.List<Path> releaseKeyFiles;

    @Option(
            names = "--check-topics",
            negatable = true,
            description = "Fail at startup if a topic is missing (default on).")
    Boolean checkTopics;

    @Override
    public Integer call() {
        return StreamerApp.run(config());
    }

    /** The configuration these flags, the environment and the files give. */
    StreamerConfig config() {
        Map<String, String> files = new LinkedHashMap<>();
        if (kafka.configFile != null) {
            files.putAll(StreamerConfig.readProperties(kafka.configFile));
        }
        if (config != null) {
            files.putAll(StreamerConfig.readProperties(config));
        }
        return StreamerConfig.load(flags(), System.getenv(), files);
    }

    /** The settings given as flags, by key. */
    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>(kafka.overrides);
        put(flags, "bootstrap.servers", kafka.bootstrapServers);
        put(flags, "application.id", applicationId);
        put(flags, "state.dir", stateDir);
        put(flags, Setting.THREADS.key(), threads);
        put(flags, Setting.BATCH_SIZE.key(), batchSize);
        put(flags, Setting.BATCH_WAIT_MS.key(), batchWaitMs);
        put(flags, Setting.HTTP_PORT.key(), port);
        put(flags, Setting.HTTP_HOST.key(), httpHost);
        put(flags, Setting.TOPIC_HEARTBEATS.key(), inputTopic);
        put(flags, Setting.TOPIC_DLQ.key(), dlqTopic);
        put(flags, Setting.TOPIC_ALERTS.key(), alertsTopic);
        put(flags, Setting.TOPIC_SCORES.key(), scoresTopic);
        put(flags, Setting.TOPIC_MODELS.key(), modelsTopic);
        put(flags, Setting.SCORES_ENABLED.key(), scores);
        put(flags, Setting.MODEL_NAME.key(), modelName);
        put(flags, Setting.WINDOW_LENGTH.key(), windowLength);
        put(flags, Setting.SAMPLE_MAX_ABS.key(), maxAbsSample);
        put(flags, Setting.RECORD_MAX_BYTES.key(), maxRecordBytes);
        put(flags, Setting.CHECK_TOPICS.key(), checkTopics);
        if (releaseKeyFiles != null && !releaseKeyFiles.isEmpty()) {
            flags.put(
                    Setting.RELEASE_KEY_FILES.key(),
                    String.join(
                            ",", releaseKeyFiles.stream().map(Path::toString).toList()));
        }
        return flags;
    }

    private static void put(Map<String, String> flags, String key, Object value) {
        if (value != null && !value.toString().isBlank()) {
            flags.put(key, value.toString());
        }
    }
}
