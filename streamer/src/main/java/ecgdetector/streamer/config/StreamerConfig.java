package ecgdetector.streamer.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every setting of the streamer, typed and validated, in one place.
 *
 * <h2>Where settings come from</h2>
 * Each setting is looked up in this order, the first source that has it wins:
 * <ol>
 *   <li><b>flags</b> of {@code ./ecg stream} (for example {@code --batch-size 512});</li>
 *   <li><b>environment</b>: {@code ECG_*} variables for the streamer's own settings, named after the key
 *       ({@code ecg.batch.size} is {@code ECG_BATCH_SIZE}), and {@code KAFKA_*} variables for Kafka client
 *       properties ({@code KAFKA_SASL_MECHANISM} is {@code sasl.mechanism}: drop the prefix, lower-case it,
 *       turn {@code _} into {@code .}). {@code ECG_BOOTSTRAP_SERVERS} and {@code ECG_APPLICATION_ID} are
 *       accepted as aliases of {@code bootstrap.servers} and {@code application.id}. Variables that Kafka's
 *       own scripts use ({@code KAFKA_HOME}, {@code KAFKA_DEBUG}, {@code KAFKA_VERSION}, anything ending in
 *       {@code _OPTS}) and {@code ECG_*} variables that name no setting (such as {@code ECG_JAVA_OPTS}) are
 *       ignored;</li>
 *   <li>the <b>properties file</b> given with {@code --config}: keys starting with {@code ecg.} are the
 *       streamer's settings (an unknown {@code ecg.} key is an error, to catch typos), every other key is a
 *       Kafka client or Kafka Streams property;</li>
 *   <li>the <b>defaults</b> in {@link Setting}.</li>
 * </ol>
 *
 * <h2>Kafka properties</h2>
 * Every property that is not an {@code ecg.} setting is handed to Kafka Streams untouched, so anything a
 * Kafka client understands works, SASL and SSL included (for example {@code security.protocol},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.location}); prefixed forms such as
 * {@code producer.linger.ms} reach only that client. On top of them the streamer sets, unless given:
 * {@code application.id=ecg-streamer}, {@code processing.guarantee=exactly_once_v2},
 * {@code num.stream.threads} from {@code ecg.threads}, a {@code poll.ms} short enough for the batch
 * wait, and {@code producer.max.request.size=16777216} so that any input record can be copied to the
 * dead-letter topic. {@code bootstrap.servers} is required.
 */
public record StreamerConfig(
        Topics topics,
        boolean scoresEnabled,
        String modelName,
        int threads,
        int batchSize,
        Duration batchMaxWait,
        int windowLength,
        double maxAbsSample,
        int maxRecordBytes,
        String httpHost,
        int httpPort,
        Duration shutdownTimeout,
        boolean checkTopics,
        List<Path> releaseKeyFiles,
        boolean releaseAllowOlder,
        Map<String, String> kafka) {

    public static final String PREFIX = "ecg.";
    public static final String DEFAULT_APPLICATION_ID = "ecg-streamer";
    /**
     * {@code commit.interval.ms} unless the Kafka properties set it. Under exactly-once a score is readable only
     * once its transaction commits, so a window's latency is at most about batch wait + punctuation interval +
     * commit interval + the commit itself: 10 + 2 + 50 ms keeps p99 under 100 ms at 1,000 windows/s, where
     * Kafka Streams' exactly-once default of 100 ms alone would not (docs/benchmarks.md). At full load it costs
     * twice as many transactions as the default.
     */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 50;
    /** Kafka Streams' own {@code poll.ms} default; lowered when the batch wait is shorter. */
    private static final long STREAMS_DEFAULT_POLL_MS = 100;
    /** The producer's {@code max.request.size} unless given: 16 MiB, within its 32 MiB buffer. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Set<String> IGNORED_KAFKA_ENV =
            Set.of("KAFKA_HOME", "KAFKA_DEBUG", "KAFKA_VERSION", "KAFKA_MODE", "KAFKA_CONF_DIR", "KAFKA_CLUSTER_ID");
    private static final List<String> SECRET_MARKERS =
            List.of("password", "secret", "jaas", "token", "credential", "key.pem", "keystore.key");

    /** The streamer's own settings: key, environment variable, default, meaning. */
    public enum Setting {
        TOPIC_HEARTBEATS("ecg.topic.heartbeats", "ecg.heartbeats", "input topic of heartbeat windows"),
        TOPIC_DLQ("ecg.topic.dlq", "ecg.heartbeats.dlq", "dead-letter topic for records that are not a valid window"),
        TOPIC_ALERTS("ecg.topic.alerts", "ecg.alerts", "output topic of alerts"),
        TOPIC_SCORES("ecg.topic.scores", "ecg.scores", "output topic of every window's score"),
        TOPIC_MODELS("ecg.topic.models", "ecg.models", "compacted topic of model releases"),
        SCORES_ENABLED("ecg.scores.enabled", "true", "write every window's score to the scores topic"),
        MODEL_NAME("ecg.model.name", "ecg-autoencoder", "the model (record key on the models topic) to serve"),
        THREADS("ecg.threads", "1", "stream threads; each runs its own DJL predictor"),
        BATCH_SIZE("ecg.batch.size", "256", "windows per inference call at most; a full batch is scored at once"),
        BATCH_WAIT_MS("ecg.batch.wait.ms", "10", "longest a window waits for its batch to fill, in ms"),
        WINDOW_LENGTH("ecg.window.length", "140", "samples per window; releases must take this input length"),
        SAMPLE_MAX_ABS("ecg.sample.max.abs", "10000", "samples of larger magnitude are absurd: dead-lettered"),
        RECORD_MAX_BYTES("ecg.record.max.bytes", "65536", "larger input records are dead-lettered unread"),
        HTTP_HOST("ecg.http.host", "0.0.0.0", "address of the /metrics and /health server"),
        HTTP_PORT(
                "ecg.http.port", "8080", "port of the /metrics and /health server; 0 picks a free one, -1 disables it"),
        SHUTDOWN_TIMEOUT_MS("ecg.shutdown.timeout.ms", "30000", "how long a clean shutdown may take"),
        CHECK_TOPICS("ecg.check.topics", "true", "check at startup that every topic exists, and fail fast if not"),
        RELEASE_KEY_FILES(
                "ecg.release.key.files",
                "",
                "comma-separated files of the keys a release must be signed "
                        + "with to serve; empty: releases need no signature"),
        RELEASE_ALLOW_OLDER(
                "ecg.release.allow.older",
                "false",
                "with release keys: serve a signed release created "
                        + "before the one serving (a deliberate rollback); false refuses it as a possible replay");

        private final String key;
        private final String defaultValue;
        private final String description;

        Setting(String key, String defaultValue, String description) {
            this.key = key;
            this.defaultValue = defaultValue;
            this.description = description;
        }

        public String key() {
            return key;
        }

        /** {@code ecg.batch.size} -> {@code ECG_BATCH_SIZE}. */
        public String envName() {
            return key.toUpperCase(Locale.ROOT).replace('.', '_');
        }

        public String defaultValue() {
            return defaultValue;
        }

        public String description() {
            return description;
        }

        static Setting ofKey(String key) {
            for (Setting s : values()) {
                if (s.key.equals(key)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** The topics the streamer reads and writes. */
    public record Topics(String heartbeats, String dlq, String alerts, String scores, String models) {
        public Topics {
            for (String t : List.of(heartbeats, dlq, alerts, scores, models)) {
                if (t == null || !TOPIC_NAME.matcher(t).matches()) {
                    throw new IllegalArgumentException("illegal Kafka topic name '" + t + "'");
                }
            }
            if (new HashSet<>(List.of(heartbeats, dlq, alerts, scores, models)).size() != 5) {
                throw new IllegalArgumentException(
                        "topic names must all differ, got " + List.of(heartbeats, dlq, alerts, scores, models));
            }
        }
    }

    public StreamerConfig {
        Objects.requireNonNull(topics, "topics");
        releaseKeyFiles = List.copyOf(releaseKeyFiles);
        kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
        String servers = kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("bootstrap.servers is required (--bootstrap-servers, "
                    + "ECG_BOOTSTRAP_SERVERS or bootstrap.servers in the properties file)");
        }
        if (kafka.containsKey(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG)) {
            // A handler that continues would let a batch whose scoring threw be removed from the buffer as if it
            // had been scored: windows gone without a verdict. Failures the streamer can handle it handles
            // itself (the dead-letter topic); anything else must stop the task, never skip it.
            throw new IllegalArgumentException(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG
                    + " cannot be set: an exception while scoring must fail the task, not skip its windows");
        }
        require(modelName != null && modelName.matches("[A-Za-z0-9._-]{1,100}"), "ecg.model.name", modelName);
        require(threads >= 1 && threads <= 64, "ecg.threads", threads);
        require(batchSize >= 1 && batchSize <= 100_000, "ecg.batch.size", batchSize);
        require(
                !batchMaxWait.isNegative() && batchMaxWait.compareTo(Duration.ofHours(1)) <= 0,
                "ecg.batch.wait.ms",
                batchMaxWait.toMillis());
        require(windowLength >= 1 && windowLength <= 10_000, "ecg.window.length", windowLength);
        require(maxAbsSample > 0 && Double.isFinite(maxAbsSample), "ecg.sample.max.abs", maxAbsSample);
        require(maxRecordBytes >= 16 && maxRecordBytes <= 64 * 1024 * 1024, "ecg.record.max.bytes", maxRecordBytes);
        require(httpPort >= -1 && httpPort <= 65535, "ecg.http.port", httpPort);
        require(!shutdownTimeout.isNegative(), "ecg.shutdown.timeout.ms", shutdownTimeout.toMillis());
    }

    /**
     * Reads the settings from the three sources in order of precedence: {@code flags} over {@code env} over
     * the properties {@code file} (may be null) over the defaults.
     *
     * @param flags settings given on the command line, by key ({@code ecg.batch.size}, {@code bootstrap.servers}, ...)
     * @param env   the environment, usually {@link System#getenv()}
     */
    public static StreamerConfig load(Map<String, String> flags, Map<String, String> env, Path file) {
        return load(flags, env, file == null ? Map.of() : readProperties(file));
    }

    /** As {@link #load(Map, Map, Path)}, with the properties file(s) already read into {@code fileSettings}. */
    public static StreamerConfig load(
            Map<String, String> flags, Map<String, String> env, Map<String, String> fileSettings) {
        Map<String, String> merged = new LinkedHashMap<>(fileSettings);
        merged.putAll(fromEnvironment(env));
        merged.putAll(flags);
        return fromMap(merged);
    }

    /** Settings from one map of keys ({@code ecg.*} settings and Kafka properties); the rest are defaults. */
    public static StreamerConfig fromMap(Map<String, String> settings) {
        Map<String, String> ecg = new LinkedHashMap<>();
        Map<String, String> kafka = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            Objects.requireNonNull(value, () -> "no value for " + key);
            if (key.startsWith(PREFIX)) {
                if (Setting.ofKey(key) == null) {
                    throw new IllegalArgumentException("unknown setting '" + key + "'; known: "
                            + Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", ")));
                }
                ecg.put(key, value.trim());
            } else {
                kafka.put(key, value);
            }
        });
        Values v = new Values(ecg);
        return new StreamerConfig(
                new Topics(
                        v.string(Setting.TOPIC_HEARTBEATS),
                        v.string(Setting.TOPIC_DLQ),
                        v.string(Setting.TOPIC_ALERTS),
                        v.string(Setting.TOPIC_SCORES),
                        v.string(Setting.TOPIC_MODELS)),
                v.bool(Setting.SCORES_ENABLED),
                v.string(Setting.MODEL_NAME),
                threads(v, ecg, kafka),
                v.integer(Setting.BATCH_SIZE),
                Duration.ofMillis(v.longValue(Setting.BATCH_WAIT_MS)),
                v.integer(Setting.WINDOW_LENGTH),
                v.decimal(Setting.SAMPLE_MAX_ABS),
                v.integer(Setting.RECORD_MAX_BYTES),
                v.string(Setting.HTTP_HOST),
                v.integer(Setting.HTTP_PORT),
                Duration.ofMillis(v.longValue(Setting.SHUTDOWN_TIMEOUT_MS)),
                v.bool(Setting.CHECK_TOPICS),
                v.paths(Setting.RELEASE_KEY_FILES),
                v.bool(Setting.RELEASE_ALLOW_OLDER),
                kafka);
    }

    /** {@code ecg.threads} if given, else a pass-through {@code num.stream.threads}, else the default. */
    private static int threads(Values v, Map<String, String> ecg, Map<String, String> kafka) {
        if (!ecg.containsKey(Setting.THREADS.key()) && kafka.containsKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG)) {
            try {
                return Integer.parseInt(
                        kafka.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("num.stream.threads must be an integer, got '"
                        + kafka.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG) + "'");
            }
        }
        return v.integer(Setting.THREADS);
    }

    /**
     * The settings found in the environment: {@code ECG_*} for the streamer's own, {@code KAFKA_*} for Kafka
     * properties (see the class comment for the mapping).
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (name.startsWith("ECG_")) {
                if (name.equals("ECG_BOOTSTRAP_SERVERS")) {
                    out.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, e.getValue());
                } else if (name.equals("ECG_APPLICATION_ID")) {
                    out.put(StreamsConfig.APPLICATION_ID_CONFIG, e.getValue());
                } else {
                    for (Setting s : Setting.values()) {
                        if (s.envName().equals(name)) {
                            out.put(s.key(), e.getValue());
                        }
                    }
                }
            } else if (name.startsWith("KAFKA_")
                    && name.length() > "KAFKA_".length()
                    && !name.endsWith("_OPTS")
                    && !IGNORED_KAFKA_ENV.contains(name)) {
                out.put(
                        name.substring("KAFKA_".length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.'),
                        e.getValue());
            }
        }
        return out;
    }

    /** The properties file as a map, in the file's encoding (UTF-8). */
    public static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> out.put(k, props.getProperty(k)));
        return out;
    }

    public String applicationId() {
        return kafka.getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
    }

    public String bootstrapServers() {
        return kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    /**
     * How often each task checks whether its oldest window has waited long enough: a quarter of the batch wait,
     * between 1 ms and 250 ms. A window waits at most about {@code batchMaxWait + punctuationInterval}.
     */
    public Duration punctuationInterval() {
        long ms = Math.max(1, Math.min(250, batchMaxWait.toMillis() / 4));
        return Duration.ofMillis(ms);
    }

    /** The Kafka Streams configuration: the pass-through Kafka properties plus the streamer's defaults. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(DEFAULT_COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, SmallRocksDb.class.getName());
        props.put(
                StreamsConfig.POLL_MS_CONFIG,
                String.valueOf(
                        Math.min(STREAMS_DEFAULT_POLL_MS, punctuationInterval().toMillis())));
        if (!kafka.containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)
                && !kafka.containsKey(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG))) {
            // A dead letter is the input record itself plus a few headers: the producer must not refuse what
            // the broker accepted as input (its 1 MiB default would, and the task would fail on it forever).
            props.put(
                    StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                    String.valueOf(DEFAULT_MAX_REQUEST_BYTES));
        }
        props.putAll(kafka);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads));
        return props;
    }

    /** Whether the Kafka properties ask for something weaker than exactly-once. */
    public boolean exactlyOnce() {
        return StreamsConfig.EXACTLY_ONCE_V2.equals(
                streamsProperties().getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    /** One line per setting for the startup log, secrets masked. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("topics: in ")
                .append(topics.heartbeats())
                .append(", dlq ")
                .append(topics.dlq())
                .append(", alerts ")
                .append(topics.alerts())
                .append(", scores ")
                .append(scoresEnabled ? topics.scores() : "(off)")
                .append(", models ")
                .append(topics.models())
                .append("; model ")
                .append(modelName)
                .append("; threads ")
                .append(threads)
                .append("; batch ")
                .append(batchSize)
                .append(" windows / ")
                .append(batchMaxWait.toMillis())
                .append(" ms; window ")
                .append(windowLength)
                .append(" samples, |x| <= ")
                .append(maxAbsSample)
                .append("; http ")
                .append(httpPort < 0 ? "off" : httpHost + ":" + httpPort)
                .append("; releases ")
                .append(releaseKeyFiles.isEmpty() ? "unsigned accepted" : "signed only, keys from " + releaseKeyFiles)
                .append("; kafka ")
                .append(maskedKafka());
        return out.toString();
    }

    /** The Kafka properties with the values of secret-looking keys replaced by {@code ****}. */
    public Map<String, String> maskedKafka() {
        Map<String, String> out = new TreeMap<>();
        kafka.forEach((k, v) -> out.put(k, isSecret(k) ? "****" : v));
        return out;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET_MARKERS.stream().anyMatch(k::contains);
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid value for " + key + ": " + value + " ("
                    + Setting.ofKey(key).description() + ")");
        }
    }

    /** Typed reads of the {@code ecg.*} settings, falling back to the defaults. */
    private record Values(Map<String, String> values) {
        String string(Setting s) {
            return values.getOrDefault(s.key(), s.defaultValue());
        }

        boolean bool(Setting s) {
            String v = string(s).toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new IllegalArgumentException(s.key() + " must be true or false, got '" + v + "'");
            };
        }

        int integer(Setting s) {
            try {
                return Integer.parseInt(string(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(s.key() + " must be an integer, got '" + string(s) + "'");
            }
        }

        long longValue(Setting s) {
            try {
                return Long.parseLong(string(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(s.key() + " must be an integer, got '" + string(s) + "'");
            }
        }

        /** A comma-separated list of files; blank entries are skipped. */
        List<Path> paths(Setting s) {
            return Arrays.stream(string(s).split(","))
                    .map(String::trim)
                    .filter(p -> !p.isEmpty())
                    .map(Path::of)
                    .toList();
        }

        double decimal(Setting s) {
            try {
                return Double.parseDouble(string(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(s.key() + " must be a number, got '" + string(s) + "'");
            }
        }
    }
}
