package ecgdetector.streamer.config;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.inference.AutoencoderTranslator;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.ModelName;
import ecgdetector.schemas.TopicNames;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.LambdaValidator;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;

/**
 * Every setting of the streamer, typed and validated: the one configuration object the streamer reads.
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
 *   <li>the properties file given with {@code --kafka-config}, read the same way;</li>
 *   <li>the <b>defaults</b> in {@link Setting}, where each setting is declared once (type, default, allowed
 *       values, flag, meaning).</li>
 * </ol>
 *
 * <h2>Kafka properties</h2>
 * Every property that is not an {@code ecg.} setting is handed to Kafka Streams untouched, so anything a
 * Kafka client understands works, SASL and SSL included (for example {@code security.protocol},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.location}); prefixed forms such as
 * {@code producer.linger.ms} reach only that client. On top of them the streamer sets those of
 * {@link KafkaDefault} that are not given (exactly-once, the commit interval, the group and state settings
 * of a scaled-out deployment, ...), and {@code num.stream.threads} from {@code ecg.threads}.
 * {@code bootstrap.servers} is required.
 */
public record StreamerConfig(
        TopicNames topics,
        boolean scoresEnabled,
        String modelName,
        int threads,
        String instanceName,
        int batchSize,
        Duration batchMaxWait,
        int windowLength,
        double maxAbsSample,
        int maxRecordBytes,
        String httpHost,
        int httpPort,
        Duration shutdownTimeout,
        boolean checkTopics,
        List<Path> releasePublicKeys,
        boolean releaseAllowUnsigned,
        int releaseMaxBytes,
        Duration releaseLoadTimeout,
        boolean releaseAllowOlder,
        Alarms alarms,
        int bufferMemoryWindows,
        int modelFailureLimit,
        Duration progressTimeout,
        boolean releaseWarmup,
        Map<String, String> kafka) {

    public static final String PREFIX = "ecg.";
    public static final String DEFAULT_APPLICATION_ID = "ecg-streamer";

    /** Kafka's rule for topic names, which the application id prefixes, leaving room for the longest suffix. */
    private static final Pattern LEGAL_APPLICATION_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");
    /**
     * {@code commit.interval.ms} unless the Kafka properties set it. Under exactly-once a score is readable only
     * once its transaction commits, so a window's latency is at most about batch wait + punctuation interval +
     * commit interval + the commit itself: 10 + 2 + 50 ms keeps p99 under 100 ms at 1,000 windows/s, where
     * Kafka Streams' exactly-once default of 100 ms alone would not (docs/benchmarks.md). At full load it costs
     * twice as many transactions as the default.
     */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 50;
    /** Kafka Streams' own {@code poll.ms} default; lowered when the batch wait is shorter. */
    static final long STREAMS_DEFAULT_POLL_MS = 100;
    /**
     * {@code ecg.release.load.timeout.ms} unless given. Measured here (2 cores, load average 14 from other builds,
     * 2026-12-01): a real release loaded and passed its canary in 0.9-4.4 s in a fresh streamer JVM, TensorFlow's
     * start (0.5-2.7 s of it) included, and in 0.12 s once the engine ran (the "loaded in" of the serving log
     * line). 30 s is about 7 times the slowest of those, so a good release is not refused on a busy machine, and
     * a graph that never returns holds the global thread no longer.
     */
    public static final long DEFAULT_LOAD_TIMEOUT_MS = 30_000;
    /** The producer's {@code max.request.size} unless given: 16 MiB, within its 32 MiB buffer. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;
    /**
     * How long {@code ecg.check.topics} looks again for a topic not found at startup: a broker learns of a new
     * topic a moment after the controller says it was created, so a script that creates the topics and starts
     * the streamer at once must not see them as missing.
     */
    public static final int NEW_TOPIC_GRACE_SECONDS = 5;

    /**
     * Settings of earlier versions that are gone, with what replaces them: given anyway (file, environment), they
     * stop the streamer with that line rather than be ignored.
     */
    static final Map<String, String> REMOVED = Map.of(
            "ecg.release.key.files",
            "HMAC release keys were replaced by Ed25519 key pairs in release format 2; run ./ecg keys, sign with the"
                    + " trainer's --signing-key-file and give streamers the public key with ecg.release.public.keys"
                    + " (--release-public-key): README, Security");

    private static final Set<String> IGNORED_KAFKA_ENV =
            Set.of("KAFKA_HOME", "KAFKA_DEBUG", "KAFKA_VERSION", "KAFKA_MODE", "KAFKA_CONF_DIR", "KAFKA_CLUSTER_ID");
    /**
     * Every setting Kafka's own clients and Kafka Streams declare as a password ({@code ConfigDef.Type.PASSWORD}):
     * {@code ssl.key.password}, {@code sasl.jaas.config}, {@code sasl.oauthbearer.assertion.private.key.passphrase},
     * ... as Kafka defines them, so a setting added in a later Kafka is masked without a change here.
     */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords();
    /** For what no definition knows (a plugin's own settings): names that look like a secret. */
    private static final List<String> SECRET_MARKERS =
            List.of("password", "passphrase", "secret", "jaas", "token", "credential", "key.pem", "keystore.key");

    /**
     * The streamer's own settings, each declared once: key, type, default, allowed values, importance, the flag
     * of {@code ./ecg stream} (if it has one) and what it means. Parsing and validation ({@link #parse}), the
     * environment variable, {@code ./ecg stream --help} and the settings table in {@code streamer/README.md}
     * all come from here; {@link #definition()} is the same as a Kafka {@link ConfigDef}.
     */
    public enum Setting {
        TOPIC_HEARTBEATS(
                "ecg.topic.heartbeats",
                Type.STRING,
                EcgTopic.HEARTBEATS.defaultName(),
                null,
                Importance.MEDIUM,
                "--input-topic",
                "TOPIC",
                "input topic of heartbeat windows"),
        TOPIC_DLQ(
                "ecg.topic.dlq",
                Type.STRING,
                EcgTopic.HEARTBEATS_DLQ.defaultName(),
                null,
                Importance.MEDIUM,
                "--dlq-topic",
                "TOPIC",
                "dead-letter topic for records that are not a valid window"),
        TOPIC_ALERTS(
                "ecg.topic.alerts",
                Type.STRING,
                EcgTopic.ALERTS.defaultName(),
                null,
                Importance.MEDIUM,
                "--alerts-topic",
                "TOPIC",
                "output topic of alerts"),
        TOPIC_SCORES(
                "ecg.topic.scores",
                Type.STRING,
                EcgTopic.SCORES.defaultName(),
                null,
                Importance.MEDIUM,
                "--scores-topic",
                "TOPIC",
                "output topic of every window's score"),
        TOPIC_ALARMS(
                "ecg.topic.alarms",
                Type.STRING,
                EcgTopic.ALARMS.defaultName(),
                null,
                Importance.MEDIUM,
                "--alarms-topic",
                "TOPIC",
                "output topic of alarm transitions (episodes and technical alarms)"),
        TOPIC_MODELS(
                "ecg.topic.models",
                Type.STRING,
                EcgTopic.MODELS.defaultName(),
                null,
                Importance.MEDIUM,
                "--models-topic",
                "TOPIC",
                "compacted topic of model releases"),
        SCORES_ENABLED(
                "ecg.scores.enabled",
                Type.BOOLEAN,
                true,
                null,
                Importance.MEDIUM,
                "--scores",
                null,
                "write every window's score to the scores topic"),
        ALARMS_ENABLED(
                "ecg.alarms.enabled",
                Type.BOOLEAN,
                true,
                null,
                Importance.HIGH,
                "--alarms",
                null,
                "keep each patient's alarm state and write alarm transitions to the alarms topic"),
        MODEL_NAME(
                "ecg.model.name",
                Type.STRING,
                ModelName.DEFAULT,
                LambdaValidator.with(
                        (key, value) -> {
                            if (!ModelName.isValid((String) value)) {
                                throw new ConfigException(key, value, ModelName.RULE);
                            }
                        },
                        () -> ModelName.RULE),
                Importance.HIGH,
                "--model-name",
                "NAME",
                "the model (record key on the models topic) to serve"),
        THREADS(
                "ecg.threads",
                Type.INT,
                1,
                between(1, 64),
                Importance.HIGH,
                "--threads",
                "N",
                "stream threads; each runs its own DJL predictor"),
        INSTANCE_NAME(
                "ecg.instance.name",
                Type.STRING,
                "",
                LambdaValidator.with(
                        (key, value) -> {
                            String name = (String) value;
                            if (!name.isEmpty() && !InstanceName.isValid(name)) {
                                throw new ConfigException(key, value, InstanceName.RULE);
                            }
                        },
                        () -> InstanceName.RULE),
                Importance.HIGH,
                "--instance-name",
                "NAME",
                "this instance's name, stable across its restarts and its own among the instances of the application"
                        + " (none: the host name): its static group membership and its state folder"),
        BATCH_SIZE(
                "ecg.batch.size",
                Type.INT,
                256,
                between(1, 100_000),
                Importance.HIGH,
                "--batch-size",
                "N",
                "windows per inference call at most; a full batch is scored at once"),
        BATCH_WAIT_MS(
                "ecg.batch.wait.ms",
                Type.LONG,
                10L,
                between(0, Duration.ofHours(1).toMillis()),
                Importance.HIGH,
                "--batch-wait-ms",
                "MS",
                "longest a window waits for its batch to fill, in ms"),
        WINDOW_LENGTH(
                "ecg.window.length",
                Type.INT,
                140,
                between(1, 10_000),
                Importance.LOW,
                "--window-length",
                "N",
                "samples per window; releases must take this input length"),
        SAMPLE_MAX_ABS(
                "ecg.sample.max.abs",
                Type.DOUBLE,
                10_000.0,
                LambdaValidator.with(
                        (key, value) -> {
                            double x = (Double) value;
                            if (!(x > 0) || !Double.isFinite(x)) {
                                throw new ConfigException(key, value, "must be finite and above 0");
                            }
                        },
                        () -> "above 0, finite"),
                Importance.LOW,
                "--max-abs-sample",
                "X",
                "samples of larger magnitude are absurd: dead-lettered as OUT_OF_RANGE"),
        RECORD_MAX_BYTES(
                "ecg.record.max.bytes",
                Type.INT,
                65_536,
                between(16, 64 * 1024 * 1024),
                Importance.LOW,
                "--max-record-bytes",
                "N",
                "larger input records are dead-lettered unread, as OVERSIZED"),
        ALARM_BEATS(
                "ecg.alarm.beats",
                Type.INT,
                AlarmRule.DEFAULT_BEATS,
                between(1, AlarmRule.MAX_WINDOW),
                Importance.HIGH,
                "--alarm-beats",
                "N",
                "N: an episode is raised when N of a patient's last M beats score above the alarm ratio"),
        ALARM_WINDOW(
                "ecg.alarm.window",
                Type.INT,
                AlarmRule.DEFAULT_WINDOW,
                between(1, AlarmRule.MAX_WINDOW),
                Importance.HIGH,
                "--alarm-window",
                "M",
                "M: how many of a patient's last beats the episode rule looks at; at least N"),
        ALARM_RATIO(
                "ecg.alarm.ratio",
                Type.DOUBLE,
                AlarmRule.DEFAULT_RATIO,
                LambdaValidator.with(
                        (key, value) -> {
                            double x = (Double) value;
                            if (!(x > 0) || !Double.isFinite(x)) {
                                throw new ConfigException(key, value, "must be finite and above 0");
                            }
                        },
                        () -> "above 0, finite"),
                Importance.HIGH,
                "--alarm-ratio",
                "X",
                "a beat counts towards an episode when its score is above X times the release's threshold"),
        ALARM_CLEAR_BEATS(
                "ecg.alarm.clear.beats",
                Type.INT,
                AlarmRule.DEFAULT_CLEAR_BEATS,
                between(1, 10_000),
                Importance.MEDIUM,
                "--alarm-clear-beats",
                "K",
                "K: an open episode clears after K consecutive beats at or below the alarm ratio"),
        ALARM_QUIET_MS(
                "ecg.alarm.quiet.ms",
                Type.LONG,
                AlarmRule.DEFAULT_QUIET_MS,
                between(1, Duration.ofDays(1).toMillis()),
                Importance.MEDIUM,
                "--alarm-quiet-ms",
                "MS",
                "... or at a beat this long (event time) after the episode's last beat above the ratio"),
        ALARM_SILENCE_MS(
                "ecg.alarm.silence.ms",
                Type.LONG,
                AlarmRule.DEFAULT_SILENCE_MS,
                between(1_000, Duration.ofDays(1).toMillis()),
                Importance.HIGH,
                "--silence-ms",
                "MS",
                "S: FEED_SILENT when a patient sends nothing for S (wall clock), or two beats' event times are S"
                        + " apart"),
        ALARM_RETENTION_MS(
                "ecg.alarm.retention.ms",
                Type.LONG,
                Duration.ofDays(1).toMillis(),
                between(60_000, Duration.ofDays(365).toMillis()),
                Importance.MEDIUM,
                "--alarm-retention-ms",
                "MS",
                "a patient who sent nothing this long is forgotten after a last event, so state stays bounded"),
        ALARM_UNSCORED_MS(
                "ecg.alarm.unscored.ms",
                Type.LONG,
                10_000L,
                between(1_000, Duration.ofDays(1).toMillis()),
                Importance.MEDIUM,
                "--unscored-ms",
                "MS",
                "NOT_MONITORED for a task's patients once it has held windows no model scores for this long"),
        HTTP_HOST(
                "ecg.http.host",
                Type.STRING,
                "0.0.0.0",
                null,
                Importance.MEDIUM,
                "--http-host",
                "ADDRESS",
                "address of the /metrics and /health server"),
        HTTP_PORT(
                "ecg.http.port",
                Type.INT,
                8080,
                between(-1, 65_535),
                Importance.MEDIUM,
                "--port",
                "PORT",
                "port of the /metrics and /health server; 0 picks a free one, -1 disables it"),
        SHUTDOWN_TIMEOUT_MS(
                "ecg.shutdown.timeout.ms",
                Type.LONG,
                30_000L,
                atLeast(0),
                Importance.LOW,
                null,
                null,
                "how long a clean shutdown may take, in ms"),
        CHECK_TOPICS(
                "ecg.check.topics",
                Type.BOOLEAN,
                true,
                null,
                Importance.MEDIUM,
                "--check-topics",
                null,
                "check at startup that every topic exists (a topic just created is looked for again for "
                        + NEW_TOPIC_GRACE_SECONDS
                        + " s), and fail, naming the missing ones, if not"),
        RELEASE_PUBLIC_KEYS(
                "ecg.release.public.keys",
                Type.LIST,
                "",
                null,
                Importance.HIGH,
                "--release-public-key",
                "FILE",
                "public key files (PEM, Ed25519: ./ecg keys writes one) of the keys a release must be signed with to"
                        + " serve, any of them will do; none: the default key pair's public key ("
                        + "~/.config/ecg-detector/release.pub, or under $XDG_CONFIG_HOME), if it exists"),
        RELEASE_ALLOW_UNSIGNED(
                "ecg.release.allow.unsigned",
                Type.BOOLEAN,
                false,
                null,
                Importance.HIGH,
                "--allow-unsigned-releases",
                null,
                "serve unsigned releases, and do not check signatures: whoever may write to the models topic then"
                        + " decides the alarms (WARN at every start, ecg_release_signatures_required 0); not with"
                        + " public keys"),
        RELEASE_MAX_BYTES(
                "ecg.release.max.bytes",
                Type.INT,
                ReleaseVerifier.DEFAULT_MAX_BYTES,
                between(1024, EcgTopic.MODELS_MAX_MESSAGE_BYTES),
                Importance.LOW,
                "--max-release-bytes",
                "N",
                "larger release records are rejected unread, before their signature is checked"),
        RELEASE_LOAD_TIMEOUT_MS(
                "ecg.release.load.timeout.ms",
                Type.LONG,
                DEFAULT_LOAD_TIMEOUT_MS,
                between(100, Duration.ofMinutes(10).toMillis()),
                Importance.LOW,
                null,
                null,
                "longest a release may take to load and pass its canary batch, in ms; past it, it is rejected and"
                        + " the previous model keeps serving"),
        RELEASE_ALLOW_OLDER(
                "ecg.release.allow.older",
                Type.BOOLEAN,
                false,
                null,
                Importance.MEDIUM,
                null,
                null,
                "serve a signed release created before the one serving (a deliberate rollback); false refuses it as"
                        + " a possible replay"),
        BUFFER_MEMORY_WINDOWS(
                "ecg.buffer.memory.windows",
                Type.INT,
                16_384,
                between(1, 10_000_000),
                Importance.LOW,
                null,
                null,
                "waiting windows queued in memory over all tasks of the instance (about 0.8 KB each); a longer"
                        + " backlog waits in the store only, and each task may still read its next batch"),
        MODEL_FAILURE_LIMIT(
                "ecg.model.failure.limit",
                Type.INT,
                100,
                between(1, 1_000_000),
                Importance.MEDIUM,
                null,
                null,
                "windows in a row a model version may fail to score (dead-lettered) before it is marked failed:"
                        + " windows then wait, and readiness is false, until a new release serves"),
        PROGRESS_TIMEOUT_MS(
                "ecg.progress.timeout.ms",
                Type.LONG,
                30_000L,
                between(1_000, Duration.ofDays(1).toMillis()),
                Importance.MEDIUM,
                null,
                null,
                "longest a task with input waiting may go without committed progress (on top of the batch wait)"
                        + " before readiness is false"),
        RELEASE_WARMUP(
                "ecg.release.warmup",
                Type.BOOLEAN,
                true,
                null,
                Importance.LOW,
                null,
                null,
                "run each release on its tensor shapes ("
                        + AutoencoderTranslator.SMALL_TENSOR_ROWS
                        + " and "
                        + AutoencoderTranslator.TENSOR_ROWS
                        + " rows) before it serves (within the load time limit, off the stream threads); false lets the first batches after a start or a swap"
                        + " pay TensorFlow's first-call cost (about ten times slower)");

        private static final ConfigDef DEFINITION = define();

        private final String key;
        private final Type type;
        private final Object defaultValue;
        private final Validator validator;
        private final Importance importance;
        private final String flag;
        private final String paramLabel;
        private final String description;

        Setting(
                String key,
                Type type,
                Object defaultValue,
                Validator validator,
                Importance importance,
                String flag,
                String paramLabel,
                String description) {
            this.key = key;
            this.type = type;
            this.defaultValue = defaultValue;
            this.validator = validator;
            this.importance = importance;
            this.flag = flag;
            this.paramLabel = paramLabel;
            this.description = description;
        }

        /** Every setting as a Kafka {@link ConfigDef}, e.g. for Kafka's own doc generators. */
        public static ConfigDef definition() {
            return new ConfigDef(DEFINITION);
        }

        private static ConfigDef define() {
            ConfigDef def = new ConfigDef();
            for (Setting s : values()) {
                def.define(s.key, s.type, s.defaultValue, s.validator, s.importance, s.description);
            }
            return def;
        }

        public String key() {
            return key;
        }

        /** {@code ecg.batch.size} -> {@code ECG_BATCH_SIZE}. */
        public String envName() {
            return StreamerConfig.envName(key);
        }

        public Type type() {
            return type;
        }

        /** The default as a value of this setting would be written. */
        public String defaultValue() {
            return ConfigDef.convertToString(configKey().defaultValue, type);
        }

        /** The default for people: {@code 10000} rather than {@code 10000.0}, {@code none} for an empty list. */
        public String defaultText() {
            Object value = configKey().defaultValue;
            if (value instanceof Double d) {
                return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
            }
            if (value instanceof List<?> list && list.isEmpty()) {
                return "none";
            }
            return defaultValue();
        }

        /** The values it takes, in words: the range or rule, else what its type allows; empty for any text. */
        public String allowed() {
            if (validator != null) {
                return validator.toString();
            }
            return switch (type) {
                case BOOLEAN -> "true or false";
                case LIST -> "comma-separated";
                case STRING -> key.startsWith("ecg.topic.") ? "a topic name, each different" : "";
                default -> type.name().toLowerCase(Locale.ROOT);
            };
        }

        public Importance importance() {
            return importance;
        }

        /** Its flag on {@code ./ecg stream}: a boolean's is negatable, a list's repeatable; empty if none. */
        public Optional<String> flag() {
            return Optional.ofNullable(flag);
        }

        /** What the flag's value is called in {@code --help} ({@code N}, {@code MS}); null for a boolean. */
        public String paramLabel() {
            return paramLabel;
        }

        public String description() {
            return description;
        }

        /**
         * The typed value of {@code raw}: trimmed, booleans also as yes/no, on/off, 1/0, lists comma-separated
         * (blank entries skipped).
         *
         * @param givenAs the name the value was given under, for the error message
         * @throws IllegalArgumentException naming the setting, the value and what it allows, if it is not one
         */
        public Object parse(String raw, String givenAs) {
            Object value;
            try {
                value = ConfigDef.parseType(key, type == Type.BOOLEAN ? booleanWord(raw) : raw.trim(), type);
            } catch (ConfigException e) {
                throw new IllegalArgumentException(
                        givenAs + " must be " + typeInWords() + ", got '" + raw + "'" + where(givenAs));
            }
            if (value instanceof List<?> list) {
                value = list.stream().filter(v -> !v.toString().isEmpty()).toList();
            }
            if (validator != null) {
                try {
                    validator.ensureValid(key, value);
                } catch (ConfigException e) {
                    throw new IllegalArgumentException("invalid value for " + givenAs + ": " + raw.trim()
                            + " (allowed: " + allowed() + "; " + description + ")" + where(givenAs));
                }
            }
            return value;
        }

        Object parse(String raw) {
            return parse(raw, key);
        }

        Object defaultTyped() {
            return configKey().defaultValue;
        }

        private ConfigDef.ConfigKey configKey() {
            return DEFINITION.configKeys().get(key);
        }

        /** Where else it can be given, so that a mistake made under one name is found under the others. */
        private String where(String givenAs) {
            if (!givenAs.equals(key)) {
                return "";
            }
            return flag == null ? " [env " + envName() + "]" : " [" + flag + ", env " + envName() + "]";
        }

        private String typeInWords() {
            return switch (type) {
                case INT, LONG, SHORT -> "an integer";
                case DOUBLE -> "a number";
                case BOOLEAN -> "true or false";
                default -> type.name().toLowerCase(Locale.ROOT);
            };
        }

        private static String booleanWord(String raw) {
            String v = raw.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "yes", "on", "1" -> "true";
                case "no", "off", "0" -> "false";
                default -> v;
            };
        }

        static Setting ofKey(String key) {
            for (Setting s : values()) {
                if (s.key.equals(key)) {
                    return s;
                }
            }
            return null;
        }

        /** Kafka's {@link Range} check, described for people as {@code 1 to 64}. */
        private static Validator between(long min, long max) {
            Range range = Range.between(min, max);
            return LambdaValidator.with(range::ensureValid, () -> min + " to " + max);
        }

        private static Validator atLeast(long min) {
            Range range = Range.atLeast(min);
            return LambdaValidator.with(range::ensureValid, () -> "at least " + min);
        }
    }

    /**
     * The alarm stage's settings.
     *
     * @param enabled   whether the streamer keeps alarm state and writes the alarms topic
     * @param rule      the episode rule and the silence time
     * @param retention how long a patient may send nothing before it is forgotten
     * @param unscored  how long a task may hold windows no model scores before its patients are not monitored
     */
    public record Alarms(boolean enabled, AlarmRule rule, Duration retention, Duration unscored) {
        public Alarms {
            Objects.requireNonNull(rule, "rule");
        }
    }

    public StreamerConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(alarms, "alarms");
        releasePublicKeys = List.copyOf(releasePublicKeys);
        if (releaseAllowUnsigned && !releasePublicKeys.isEmpty()) {
            throw new IllegalArgumentException("ecg.release.allow.unsigned=true and ecg.release.public.keys "
                    + releasePublicKeys + " contradict each other: give public keys to serve only signed releases,"
                    + " or allow unsigned releases, not both");
        }
        kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
        String servers = kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("bootstrap.servers is required (--bootstrap-servers, "
                    + "ECG_BOOTSTRAP_SERVERS or bootstrap.servers in the properties file)");
        }
        String application = kafka.getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        if (!LEGAL_APPLICATION_ID.matcher(application).matches()) {
            // It prefixes the internal topics and names the default state folder: Kafka would refuse it only when
            // the first changelog is created, and a folder name must not climb out of the state root.
            throw new IllegalArgumentException("invalid application id '" + application + "': it prefixes Kafka"
                    + " topic names, so 1-200 letters, digits, '.', '_' or '-', not starting with '.'");
        }
        if (kafka.containsKey(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG)) {
            // A handler that continues would let a batch whose scoring threw be removed from the buffer as if it
            // had been scored: windows gone without a verdict. Failures the streamer can handle it handles
            // itself (the dead-letter topic); anything else must stop the task, never skip it.
            throw new IllegalArgumentException(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG
                    + " cannot be set: an exception while scoring must fail the task, not skip its windows");
        }
        String production = kafka.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG);
        if (production != null && !production.trim().equals(DefaultProductionExceptionHandler.class.getName())) {
            // A handler that continues drops the record it could not write, an alert among them, and commits the
            // input that led to it: a verdict lost with nothing to show for it. Kafka's default fails the task.
            throw new IllegalArgumentException(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG
                    + " cannot be set (got " + production.trim() + "): an output that cannot be written must fail the"
                    + " task, never be dropped");
        }
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
        Map<Setting, Object> ecg = new EnumMap<>(Setting.class);
        Map<String, String> kafka = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            Objects.requireNonNull(value, () -> "no value for " + key);
            if (key.startsWith(PREFIX)) {
                Setting setting = Setting.ofKey(key);
                if (REMOVED.containsKey(key)) {
                    throw new IllegalArgumentException(key + " is no longer a setting: " + REMOVED.get(key));
                }
                if (setting == null) {
                    throw new IllegalArgumentException("unknown setting '" + key + "'; known: "
                            + Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", ")));
                }
                ecg.put(setting, setting.parse(value));
            } else {
                kafka.put(key, value);
            }
        });
        Values v = new Values(ecg);
        return new StreamerConfig(
                topics(v),
                v.bool(Setting.SCORES_ENABLED),
                v.string(Setting.MODEL_NAME),
                threads(v, ecg, kafka),
                v.string(Setting.INSTANCE_NAME).isEmpty()
                        ? InstanceName.ofThisHost(System.getenv())
                        : v.string(Setting.INSTANCE_NAME),
                v.integer(Setting.BATCH_SIZE),
                Duration.ofMillis(v.longValue(Setting.BATCH_WAIT_MS)),
                v.integer(Setting.WINDOW_LENGTH),
                v.decimal(Setting.SAMPLE_MAX_ABS),
                v.integer(Setting.RECORD_MAX_BYTES),
                v.string(Setting.HTTP_HOST),
                v.integer(Setting.HTTP_PORT),
                Duration.ofMillis(v.longValue(Setting.SHUTDOWN_TIMEOUT_MS)),
                v.bool(Setting.CHECK_TOPICS),
                v.paths(Setting.RELEASE_PUBLIC_KEYS),
                v.bool(Setting.RELEASE_ALLOW_UNSIGNED),
                v.integer(Setting.RELEASE_MAX_BYTES),
                Duration.ofMillis(v.longValue(Setting.RELEASE_LOAD_TIMEOUT_MS)),
                v.bool(Setting.RELEASE_ALLOW_OLDER),
                alarms(v),
                v.integer(Setting.BUFFER_MEMORY_WINDOWS),
                v.integer(Setting.MODEL_FAILURE_LIMIT),
                Duration.ofMillis(v.longValue(Setting.PROGRESS_TIMEOUT_MS)),
                v.bool(Setting.RELEASE_WARMUP),
                kafka);
    }

    private static Alarms alarms(Values v) {
        int beats = v.integer(Setting.ALARM_BEATS);
        int window = v.integer(Setting.ALARM_WINDOW);
        if (beats > window) {
            throw new IllegalArgumentException(Setting.ALARM_BEATS.key() + " (" + beats + ") must not exceed "
                    + Setting.ALARM_WINDOW.key() + " (" + window + "): N of the last M beats");
        }
        AlarmRule rule = new AlarmRule(
                beats,
                window,
                v.decimal(Setting.ALARM_RATIO),
                v.integer(Setting.ALARM_CLEAR_BEATS),
                v.longValue(Setting.ALARM_QUIET_MS),
                v.longValue(Setting.ALARM_SILENCE_MS));
        return new Alarms(
                v.bool(Setting.ALARMS_ENABLED),
                rule,
                Duration.ofMillis(v.longValue(Setting.ALARM_RETENTION_MS)),
                Duration.ofMillis(v.longValue(Setting.ALARM_UNSCORED_MS)));
    }

    private static TopicNames topics(Values v) {
        try {
            return new TopicNames(
                    v.string(Setting.TOPIC_HEARTBEATS),
                    v.string(Setting.TOPIC_DLQ),
                    v.string(Setting.TOPIC_ALERTS),
                    v.string(Setting.TOPIC_SCORES),
                    v.string(Setting.TOPIC_ALARMS),
                    v.string(Setting.TOPIC_MODELS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ecg.topic.*: " + e.getMessage(), e);
        }
    }

    /** {@code ecg.threads} if given, else a pass-through {@code num.stream.threads}, else the default. */
    private static int threads(Values v, Map<Setting, Object> ecg, Map<String, String> kafka) {
        String streamThreads = kafka.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        if (!ecg.containsKey(Setting.THREADS) && streamThreads != null) {
            return (Integer) Setting.THREADS.parse(streamThreads, StreamsConfig.NUM_STREAM_THREADS_CONFIG);
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
                    REMOVED.keySet().stream()
                            .filter(key -> envName(key).equals(name))
                            .forEach(key -> out.put(key, e.getValue()));
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
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        for (KafkaDefault d : KafkaDefault.values()) {
            d.valueFor(this, kafka).ifPresent(value -> props.put(d.key(), value));
        }
        props.putAll(kafka);
        // Given empty, a property is unset: the client's own default applies (group.instance.id= turns static
        // membership off, say).
        kafka.forEach((key, value) -> {
            if (value.isBlank()) {
                props.remove(key);
            }
        });
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(threads));
        return props;
    }

    /**
     * Whether the group runs Kafka's classic rebalance protocol (the default), not the streams protocol of
     * KIP-1071 ({@code group.protocol=streams}), under which Kafka 4.3 refuses static membership and takes
     * session timeouts and standby replicas from the group's configuration on the broker instead.
     */
    public boolean classicProtocol() {
        return !"streams"
                .equalsIgnoreCase(kafka.getOrDefault(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic")
                        .trim());
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
                .append(topics.heartbeatsDlq())
                .append(", alerts ")
                .append(topics.alerts())
                .append(", scores ")
                .append(scoresEnabled ? topics.scores() : "(off)")
                .append(", alarms ")
                .append(alarms.enabled() ? topics.alarms() : "(off)")
                .append(", models ")
                .append(topics.models())
                .append("; model ")
                .append(modelName)
                .append("; instance ")
                .append(instanceName)
                .append(", threads ")
                .append(threads)
                .append("; batch ")
                .append(batchSize)
                .append(" windows / ")
                .append(batchMaxWait.toMillis())
                .append(" ms; window ")
                .append(windowLength)
                .append(" samples, |x| <= ")
                .append(maxAbsSample)
                .append(alarms.enabled() ? "; alarms " + alarms.rule().shortName() + ", silence " : "")
                .append(alarms.enabled() ? alarms.rule().silenceMs() + " ms" : "")
                .append("; http ")
                .append(httpPort < 0 ? "off" : httpHost + ":" + httpPort)
                .append("; releases ")
                .append(
                        releaseAllowUnsigned
                                ? "unsigned accepted"
                                : "signed only, public keys "
                                        + (releasePublicKeys.isEmpty() ? "(the default)" : releasePublicKeys))
                .append(", at most ")
                .append(releaseMaxBytes)
                .append(" bytes, loaded within ")
                .append(releaseLoadTimeout.toMillis())
                .append(" ms")
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

    /**
     * Whether a Kafka property's value is a secret: Kafka declares it a password, under any prefix
     * ({@code producer.}, {@code listener.name.x.}, ...), or its name looks like a secret's.
     */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return KAFKA_PASSWORDS.stream().anyMatch(p -> k.equals(p) || k.endsWith("." + p))
                || SECRET_MARKERS.stream().anyMatch(k::contains);
    }

    private static Set<String> kafkaPasswords() {
        Set<String> passwords = new java.util.TreeSet<>();
        for (ConfigDef def : List.of(
                StreamsConfig.configDef(),
                ProducerConfig.configDef(),
                ConsumerConfig.configDef(),
                AdminClientConfig.configDef())) {
            def.configKeys().forEach((name, key) -> {
                if (key.type == Type.PASSWORD) {
                    passwords.add(name);
                }
            });
        }
        return Collections.unmodifiableSet(passwords);
    }

    /** What replaced a setting that is gone, for its flag's error message. */
    public static String removedSetting(String key) {
        return REMOVED.getOrDefault(key, "no longer a setting");
    }

    /** {@code ecg.batch.size} -> {@code ECG_BATCH_SIZE}. */
    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Typed reads of the parsed {@code ecg.*} settings, falling back to the defaults. */
    private record Values(Map<Setting, Object> values) {
        private Object get(Setting s) {
            return values.containsKey(s) ? values.get(s) : s.defaultTyped();
        }

        String string(Setting s) {
            return (String) get(s);
        }

        boolean bool(Setting s) {
            return (Boolean) get(s);
        }

        int integer(Setting s) {
            return (Integer) get(s);
        }

        long longValue(Setting s) {
            return (Long) get(s);
        }

        double decimal(Setting s) {
            return (Double) get(s);
        }

        List<Path> paths(Setting s) {
            return ((List<?>) get(s)).stream().map(p -> Path.of(p.toString())).toList();
        }
    }
}
