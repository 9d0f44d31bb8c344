package ecgdetector.streamer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.schemas.ModelName;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamerConfigTest {

    @Test
    void defaultsAreSensibleAndExactlyOnce() {
        StreamerConfig c = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:9092"));
        assertThat(c.topics()).isEqualTo(TopicNames.defaults());
        assertThat(c.batchSize()).isEqualTo(256);
        assertThat(c.batchMaxWait()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.scoresEnabled()).isTrue();
        assertThat(c.modelName()).isEqualTo("ecg-autoencoder");
        assertThat(c.threads()).isEqualTo(1);
        assertThat(c.windowLength()).isEqualTo(140);
        Properties p = c.streamsProperties();
        assertThat(p.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
        assertThat(p.getProperty("application.id")).isEqualTo("ecg-streamer");
        assertThat(p.getProperty("num.stream.threads")).isEqualTo("1");
        assertThat(p.getProperty("commit.interval.ms")).isEqualTo("50");
        assertThat(p.getProperty("rocksdb.config.setter")).isEqualTo(SmallRocksDb.class.getName());
        assertThat(p.getProperty("poll.ms")).isEqualTo("2");
        assertThat(p.getProperty("producer.max.request.size")).isEqualTo("16777216");
        assertThat(c.exactlyOnce()).isTrue();
    }

    @Test
    void aScaledOutInstanceHasStaticMembershipShortSessionsAStandbyAndAStateFolderOfItsOwn() {
        StreamerConfig c = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:9092", "ecg.instance.name", "pod-1"));
        Properties p = c.streamsProperties();
        assertThat(c.instanceName()).isEqualTo("pod-1");
        assertThat(c.classicProtocol()).isTrue();
        assertThat(p.getProperty("group.instance.id")).isEqualTo("pod-1");
        assertThat(p.getProperty("session.timeout.ms")).isEqualTo("6000");
        assertThat(p.getProperty("heartbeat.interval.ms")).isEqualTo("1500");
        assertThat(p.getProperty("num.standby.replicas")).isEqualTo("1");
        assertThat(p.getProperty("producer.transaction.timeout.ms")).isEqualTo("5000");
        assertThat(p.getProperty("producer.max.block.ms")).isEqualTo("5000");
        assertThat(p.getProperty("state.cleanup.delay.ms")).isEqualTo("60000");
        assertThat(Path.of(p.getProperty("state.dir")))
                .isEqualTo(InstanceName.defaultStateFolder(
                        "ecg-streamer", "pod-1", System.getenv(), System.getProperty("user.home")))
                .endsWithRaw(Path.of("ecg-detector", "state", "ecg-streamer", "pod-1"));
        assertThat(Path.of(p.getProperty("state.dir")).startsWith(Path.of(System.getProperty("java.io.tmpdir"))))
                .as("not under the system temp folder")
                .isFalse();
    }

    @Test
    void theStateFolderIsPerApplicationAndInstanceUnderTheUsersDataFolder() {
        assertThat(InstanceName.defaultStateFolder("app", "a", Map.of("XDG_DATA_HOME", "/data"), "/home/u"))
                .isEqualTo(Path.of("/data/ecg-detector/state/app/a"));
        assertThat(InstanceName.defaultStateFolder("app", "a", Map.of(), "/home/u"))
                .isEqualTo(Path.of("/home/u/.local/share/ecg-detector/state/app/a"));
        assertThat(InstanceName.defaultStateFolder("app", "b", Map.of("XDG_DATA_HOME", "relative"), "/home/u"))
                .as("a relative XDG_DATA_HOME is ignored, as the XDG spec says")
                .isEqualTo(Path.of("/home/u/.local/share/ecg-detector/state/app/b"));
        Map<String, String> host = Map.of("bootstrap.servers", "h:1", "ecg.instance.name", "host-1");
        Map<String, String> ward = new HashMap<>(host);
        ward.put("application.id", "ward-7");
        assertThat(StreamerConfig.fromMap(host).streamsProperties().getProperty("state.dir"))
                .as("two applications on one host, each with the default instance name, lock different folders")
                .isNotEqualTo(StreamerConfig.fromMap(ward).streamsProperties().getProperty("state.dir"))
                .endsWith(Path.of("ecg-streamer", "host-1").toString());
        Properties given = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "state.dir", "/srv/state"))
                .streamsProperties();
        assertThat(given.getProperty("state.dir")).isEqualTo("/srv/state");
    }

    @Test
    void anApplicationIdThatCannotPrefixATopicOrNameAFolderIsRefusedAtOnce() {
        for (String bad : List.of("..", "../etc", "ward 7", "", "a".repeat(201))) {
            assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "application.id", bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid application id");
        }
        assertThat(StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "application.id", "ward-7.icu_2"))
                        .applicationId())
                .isEqualTo("ward-7.icu_2");
    }

    @Test
    void withoutANameAnInstanceIsNamedAfterItsHost() {
        assertThat(InstanceName.ofThisHost(Map.of("HOSTNAME", "Ecg-Streamer-7f9c")))
                .isEqualTo("ecg-streamer-7f9c");
        assertThat(InstanceName.ofThisHost(Map.of("HOSTNAME", "host with spaces")))
                .isEqualTo("host-with-spaces");
        assertThat(InstanceName.isValid(InstanceName.ofThisHost(Map.of()))).isTrue();
        assertThat(StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1")).instanceName())
                .isEqualTo(InstanceName.ofThisHost(System.getenv()));
    }

    @Test
    void theStreamsProtocolGetsNoStaticMembershipAndNoClientSideGroupSettings() {
        StreamerConfig c = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "group.protocol", "streams"));
        Properties p = c.streamsProperties();
        assertThat(c.classicProtocol()).isFalse();
        assertThat(p)
                .doesNotContainKeys(
                        "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "num.standby.replicas");
        assertThat(p.getProperty("producer.transaction.timeout.ms")).isEqualTo("5000");
    }

    @Test
    void aKafkaPropertyGivenEmptyIsLeftOutSoTheClientsDefaultApplies() {
        Properties p = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "group.instance.id", " "))
                .streamsProperties();
        assertThat(p).doesNotContainKey("group.instance.id");
    }

    @Test
    void aGroupSettingGivenUnderAClientPrefixIsLeftAsGiven() {
        Properties p = StreamerConfig.fromMap(Map.of(
                        "bootstrap.servers", "h:1",
                        "main.consumer.session.timeout.ms", "10000",
                        "transaction.timeout.ms", "20000"))
                .streamsProperties();
        assertThat(p.getProperty("main.consumer.session.timeout.ms")).isEqualTo("10000");
        assertThat(p.getProperty("transaction.timeout.ms")).isEqualTo("20000");
        assertThat(p).doesNotContainKeys("session.timeout.ms", "producer.transaction.timeout.ms");
        assertThat(p.getProperty("producer.max.block.ms"))
                .as("a producer waits on the broker no longer than its transactions may live")
                .isEqualTo("20000");
    }

    @Test
    void aGivenMaxBlockIsLeftAsGiven() {
        Properties p = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "max.block.ms", "60000"))
                .streamsProperties();
        assertThat(p.getProperty("max.block.ms")).isEqualTo("60000");
        assertThat(p).doesNotContainKey("producer.max.block.ms");
    }

    @Test
    void aGivenMaxRequestSizeIsNotOverriddenByTheDeadLetterDefault() {
        Properties plain = StreamerConfig.fromMap(Map.of("bootstrap.servers", "k:9092", "max.request.size", "1000"))
                .streamsProperties();
        assertThat(plain.getProperty("max.request.size")).isEqualTo("1000");
        assertThat(plain.getProperty("producer.max.request.size")).isNull();
        Properties prefixed = StreamerConfig.fromMap(
                        Map.of("bootstrap.servers", "k:9092", "producer.max.request.size", "2000"))
                .streamsProperties();
        assertThat(prefixed.getProperty("producer.max.request.size")).isEqualTo("2000");
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("streamer.properties");
        Files.writeString(file, """
                bootstrap.servers=file:9092
                ecg.batch.size=11
                ecg.batch.wait.ms=12
                ecg.threads=3
                ecg.topic.alerts=file.alerts
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
                """);
        Map<String, String> env = Map.of(
                "ECG_BATCH_SIZE", "21",
                "ECG_BATCH_WAIT_MS", "22",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "KAFKA_HOME", "/opt/kafka",
                "ECG_JAVA_OPTS", "-Xmx1g",
                "ECG_DATA", "/data/ecg.csv");
        Map<String, String> flags = Map.of("ecg.batch.size", "31", "bootstrap.servers", "flag:9092");

        StreamerConfig c = StreamerConfig.load(flags, env, file);

        assertThat(c.batchSize()).isEqualTo(31);
        assertThat(c.batchMaxWait()).isEqualTo(Duration.ofMillis(22));
        assertThat(c.threads()).isEqualTo(3);
        assertThat(c.topics().alerts()).isEqualTo("file.alerts");
        assertThat(c.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(c.kafka())
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsKey("sasl.jaas.config")
                .doesNotContainKeys("heap.opts", "home");
        Properties p = c.streamsProperties();
        assertThat(p.getProperty("sasl.jaas.config")).contains("PlainLoginModule");
        assertThat(p.getProperty("num.stream.threads")).isEqualTo("3");
        assertThat(c.describe()).doesNotContain("password=").contains("sasl.jaas.config=****");
    }

    @Test
    void environmentNamesMapToKeys() {
        assertThat(StreamerConfig.fromEnvironment(Map.of(
                        "ECG_BOOTSTRAP_SERVERS", "b:1",
                        "ECG_APPLICATION_ID", "app",
                        "ECG_SCORES_ENABLED", "false",
                        "ECG_TOPIC_HEARTBEATS", "in",
                        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/ts.jks",
                        "KAFKA_OPTS", "-Dx",
                        "PATH", "/bin")))
                .containsOnly(
                        Map.entry("bootstrap.servers", "b:1"),
                        Map.entry("application.id", "app"),
                        Map.entry("ecg.scores.enabled", "false"),
                        Map.entry("ecg.topic.heartbeats", "in"),
                        Map.entry("ssl.truststore.location", "/ts.jks"));
        for (StreamerConfig.Setting s : StreamerConfig.Setting.values()) {
            assertThat(StreamerConfig.fromEnvironment(Map.of(s.envName(), s.defaultValue())))
                    .containsKey(s.key());
        }
    }

    @Test
    void releasePublicKeysComeAsACommaSeparatedListAndDefaultToNone() {
        assertThat(StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1")).releasePublicKeys())
                .isEmpty();
        StreamerConfig c = StreamerConfig.load(
                Map.of("bootstrap.servers", "h:1"),
                Map.of("ECG_RELEASE_PUBLIC_KEYS", "/run/keys/new.pub, /run/keys/old.pub,"),
                Map.of());
        assertThat(c.releasePublicKeys()).containsExactly(Path.of("/run/keys/new.pub"), Path.of("/run/keys/old.pub"));
        assertThat(c.describe()).contains("signed only").contains("/run/keys/new.pub");
    }

    @Test
    void theHmacKeySettingIsGoneAndSaysWhatReplacedItWhereverItIsGiven() {
        assertThatThrownBy(() -> StreamerConfig.load(
                        Map.of("bootstrap.servers", "h:1"), Map.of("ECG_RELEASE_KEY_FILES", "/k/old.key"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ecg.release.key.files is no longer a setting")
                .hasMessageContaining("./ecg keys")
                .hasMessageContaining("ecg.release.public.keys");
        assertThatThrownBy(() -> with(Map.of("ecg.release.key.files", "/k/old.key")))
                .hasMessageContaining("HMAC release keys were replaced by Ed25519 key pairs");
    }

    @Test
    void unsignedReleasesAreAllowedOnlyOnPurposeAndNeverBesidePublicKeys() {
        assertThat(with(Map.of()).releaseAllowUnsigned()).isFalse();
        assertThat(with(Map.of("ecg.release.allow.unsigned", "true")).describe())
                .contains("unsigned accepted");
        assertThatThrownBy(
                        () -> with(Map.of("ecg.release.allow.unsigned", "true", "ecg.release.public.keys", "/k.pub")))
                .hasMessageContaining("contradict each other");
    }

    @Test
    void aProductionExceptionHandlerThatMightContinueIsRefused() {
        assertThatThrownBy(() -> with(
                        Map.of("production.exception.handler", "com.example.LogAndContinueProductionExceptionHandler")))
                .hasMessageContaining("production.exception.handler cannot be set")
                .hasMessageContaining("must fail the task, never be dropped");
        assertThat(with(Map.of(
                                "production.exception.handler",
                                "org.apache.kafka.streams.errors.DefaultProductionExceptionHandler"))
                        .kafka())
                .containsKey("production.exception.handler");
    }

    @Test
    void everyPasswordKafkaDeclaresIsMaskedUnderAnyPrefix() {
        StreamerConfig c = with(Map.of(
                "sasl.oauthbearer.assertion.private.key.passphrase", "p1",
                "producer.ssl.key.password", "p2",
                "listener.name.internal.scram-sha-256.sasl.jaas.config", "p3",
                "ssl.truststore.password", "p4",
                "my.plugin.secret", "p5",
                "ssl.truststore.location", "/ts.jks"));

        assertThat(c.maskedKafka())
                .containsEntry("sasl.oauthbearer.assertion.private.key.passphrase", "****")
                .containsEntry("producer.ssl.key.password", "****")
                .containsEntry("listener.name.internal.scram-sha-256.sasl.jaas.config", "****")
                .containsEntry("ssl.truststore.password", "****")
                .containsEntry("my.plugin.secret", "****")
                .containsEntry("ssl.truststore.location", "/ts.jks");
        assertThat(c.describe()).doesNotContain("p1", "p2", "p3", "p4", "p5");
    }

    @Test
    void userKafkaPropertiesPassThroughAndMayOverrideOurs() {
        StreamerConfig c = StreamerConfig.fromMap(Map.of(
                "bootstrap.servers",
                "h:1",
                "application.id",
                "mine",
                "producer.linger.ms",
                "5",
                "poll.ms",
                "7",
                "processing.guarantee",
                "at_least_once",
                "commit.interval.ms",
                "1000",
                "rocksdb.config.setter",
                "com.example.MyRocksDb",
                "num.stream.threads",
                "2"));
        Properties p = c.streamsProperties();
        assertThat(p.getProperty("application.id")).isEqualTo("mine");
        assertThat(p.getProperty("producer.linger.ms")).isEqualTo("5");
        assertThat(p.getProperty("poll.ms")).isEqualTo("7");
        assertThat(p.getProperty("commit.interval.ms")).isEqualTo("1000");
        assertThat(p.getProperty("rocksdb.config.setter")).isEqualTo("com.example.MyRocksDb");
        assertThat(c.threads()).isEqualTo(2);
        assertThat(c.exactlyOnce()).isFalse();
    }

    @Test
    void mistakesAreReportedClearly() {
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of()))
                .hasMessageContaining("bootstrap.servers is required");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.batch.sise", "3")))
                .hasMessageContaining("unknown setting 'ecg.batch.sise'");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.batch.size", "0")))
                .hasMessageContaining("invalid value for ecg.batch.size: 0 (allowed: 1 to 100000;")
                .hasMessageContaining("--batch-size, env ECG_BATCH_SIZE");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.batch.size", "many")))
                .hasMessageContaining("ecg.batch.size must be an integer, got 'many'");
        assertThatThrownBy(
                        () -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.scores.enabled", "maybe")))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() ->
                        StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.topic.alerts", "ecg.scores")))
                .hasMessageContaining("ecg.topic.*")
                .hasMessageContaining("must all differ");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.topic.alerts", "a b")))
                .hasMessageContaining("illegal Kafka topic name")
                .hasMessageContaining("'a b'");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "num.stream.threads", "x")))
                .hasMessageContaining("num.stream.threads must be an integer, got 'x'");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "num.stream.threads", "99")))
                .hasMessageContaining("invalid value for num.stream.threads: 99 (allowed: 1 to 64;");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of(
                        "bootstrap.servers",
                        "h:1",
                        "processing.exception.handler",
                        "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler")))
                .hasMessageContaining("processing.exception.handler cannot be set");
        assertThatThrownBy(() -> StreamerConfig.load(Map.of(), Map.of(), Path.of("/no/such/file.properties")))
                .hasMessageContaining("cannot read config file");
    }

    /** Two valid values of every setting, the first of them not its default. */
    private static final Map<Setting, List<String>> EXAMPLES = examples();

    private static Map<Setting, List<String>> examples() {
        Map<Setting, List<String>> m = new EnumMap<>(Setting.class);
        m.put(Setting.TOPIC_HEARTBEATS, List.of("in.a", "in.b"));
        m.put(Setting.TOPIC_DLQ, List.of("dlq.a", "dlq.b"));
        m.put(Setting.TOPIC_ALERTS, List.of("alerts.a", "alerts.b"));
        m.put(Setting.TOPIC_SCORES, List.of("scores.a", "scores.b"));
        m.put(Setting.TOPIC_ALARMS, List.of("alarms.a", "alarms.b"));
        m.put(Setting.TOPIC_MODELS, List.of("models.a", "models.b"));
        m.put(Setting.ALARMS_ENABLED, List.of("false", "true"));
        m.put(Setting.ALARM_BEATS, List.of("2", "1"));
        m.put(Setting.ALARM_WINDOW, List.of("16", "3"));
        m.put(Setting.ALARM_RATIO, List.of("2.5", "0.8"));
        m.put(Setting.ALARM_CLEAR_BEATS, List.of("10000", "1"));
        m.put(Setting.ALARM_QUIET_MS, List.of("1", "86400000"));
        m.put(Setting.ALARM_SILENCE_MS, List.of("1000", "86400000"));
        m.put(Setting.ALARM_RETENTION_MS, List.of("60000", "31536000000"));
        m.put(Setting.ALARM_UNSCORED_MS, List.of("1000", "86400000"));
        m.put(Setting.SCORES_ENABLED, List.of("false", "true"));
        m.put(Setting.MODEL_NAME, List.of("other-model", "model.v2"));
        m.put(Setting.THREADS, List.of("64", "2"));
        m.put(Setting.INSTANCE_NAME, List.of("pod-0", "host.b"));
        m.put(Setting.BATCH_SIZE, List.of("100000", "1"));
        m.put(Setting.BATCH_WAIT_MS, List.of("0", "3600000"));
        m.put(Setting.WINDOW_LENGTH, List.of("10000", "1"));
        m.put(Setting.SAMPLE_MAX_ABS, List.of("0.5", "1e30"));
        m.put(Setting.RECORD_MAX_BYTES, List.of("16", "67108864"));
        m.put(Setting.HTTP_HOST, List.of("127.0.0.1", "::1"));
        m.put(Setting.HTTP_PORT, List.of("-1", "0"));
        m.put(Setting.SHUTDOWN_TIMEOUT_MS, List.of("0", "1"));
        m.put(Setting.CHECK_TOPICS, List.of("off", "yes"));
        m.put(Setting.RELEASE_PUBLIC_KEYS, List.of("/k/a.pub, /k/b.pub,", "/k/c.pub"));
        m.put(Setting.RELEASE_ALLOW_UNSIGNED, List.of("true", "false"));
        m.put(Setting.RELEASE_MAX_BYTES, List.of("1024", "8388608"));
        m.put(Setting.RELEASE_LOAD_TIMEOUT_MS, List.of("100", "600000"));
        m.put(Setting.RELEASE_ALLOW_OLDER, List.of("1", "no"));
        m.put(Setting.BUFFER_MEMORY_WINDOWS, List.of("1", "4096"));
        m.put(Setting.MODEL_FAILURE_LIMIT, List.of("1", "20"));
        m.put(Setting.PROGRESS_TIMEOUT_MS, List.of("1000", "60000"));
        m.put(Setting.RELEASE_WARMUP, List.of("false", "yes"));
        return m;
    }

    /** A value just outside what each setting with a range or rule allows. */
    private static final Map<Setting, String> OUT_OF_RANGE = Map.ofEntries(
            Map.entry(Setting.MODEL_NAME, "a b"),
            Map.entry(Setting.INSTANCE_NAME, ".hidden"),
            Map.entry(Setting.THREADS, "65"),
            Map.entry(Setting.BATCH_SIZE, "0"),
            Map.entry(Setting.BATCH_WAIT_MS, "3600001"),
            Map.entry(Setting.WINDOW_LENGTH, "10001"),
            Map.entry(Setting.SAMPLE_MAX_ABS, "Infinity"),
            Map.entry(Setting.RECORD_MAX_BYTES, "15"),
            Map.entry(Setting.HTTP_PORT, "65536"),
            Map.entry(Setting.SHUTDOWN_TIMEOUT_MS, "-1"),
            Map.entry(Setting.RELEASE_MAX_BYTES, "8388609"),
            Map.entry(Setting.RELEASE_LOAD_TIMEOUT_MS, "99"),
            Map.entry(Setting.ALARM_BEATS, "17"),
            Map.entry(Setting.ALARM_WINDOW, "0"),
            Map.entry(Setting.ALARM_RATIO, "0"),
            Map.entry(Setting.ALARM_CLEAR_BEATS, "0"),
            Map.entry(Setting.ALARM_QUIET_MS, "0"),
            Map.entry(Setting.ALARM_SILENCE_MS, "999"),
            Map.entry(Setting.ALARM_RETENTION_MS, "59999"),
            Map.entry(Setting.ALARM_UNSCORED_MS, "999"),
            Map.entry(Setting.BUFFER_MEMORY_WINDOWS, "0"),
            Map.entry(Setting.MODEL_FAILURE_LIMIT, "0"),
            Map.entry(Setting.PROGRESS_TIMEOUT_MS, "999"));

    private static StreamerConfig with(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("bootstrap.servers", "h:1");
        return StreamerConfig.fromMap(all);
    }

    @Test
    void everySettingHasItsDeclaredDefault() {
        StreamerConfig defaults = with(Map.of());
        Map<String, String> allDefaults = new HashMap<>();
        for (Setting s : Setting.values()) {
            allDefaults.put(s.key(), s.defaultValue());
        }
        assertThat(with(allDefaults)).isEqualTo(defaults);

        assertThat(defaults.topics()).isEqualTo(TopicNames.defaults());
        assertThat(defaults.scoresEnabled()).isTrue();
        assertThat(defaults.modelName()).isEqualTo(ModelName.DEFAULT);
        assertThat(defaults.threads()).isEqualTo(1);
        assertThat(defaults.batchSize()).isEqualTo(256);
        assertThat(defaults.batchMaxWait()).isEqualTo(Duration.ofMillis(10));
        assertThat(defaults.windowLength()).isEqualTo(140);
        assertThat(defaults.maxAbsSample()).isEqualTo(10_000.0);
        assertThat(defaults.maxRecordBytes()).isEqualTo(65_536);
        assertThat(defaults.httpHost()).isEqualTo("0.0.0.0");
        assertThat(defaults.httpPort()).isEqualTo(8080);
        assertThat(defaults.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.checkTopics()).isTrue();
        assertThat(defaults.releasePublicKeys()).isEmpty();
        assertThat(defaults.releaseAllowUnsigned()).isFalse();
        assertThat(defaults.releaseMaxBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.releaseLoadTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.releaseAllowOlder()).isFalse();
        assertThat(defaults.releaseWarmup()).isTrue();
        assertThat(defaults.bufferMemoryWindows()).isEqualTo(16_384);
        assertThat(defaults.modelFailureLimit()).isEqualTo(100);
        assertThat(defaults.progressTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.alarms().enabled()).isTrue();
        assertThat(defaults.alarms().rule()).isEqualTo(ecgdetector.model.alarm.AlarmRule.DEFAULT);
        assertThat(defaults.alarms().retention()).isEqualTo(Duration.ofDays(1));
        assertThat(defaults.alarms().unscored()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void anAlarmRuleOfMoreBeatsThanItsWindowIsRefused() {
        assertThatThrownBy(() -> with(Map.of("ecg.alarm.beats", "5", "ecg.alarm.window", "4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ecg.alarm.beats (5) must not exceed ecg.alarm.window (4): N of the last M beats");
    }

    @Test
    void everySettingIsReadFromFlagsEnvironmentAndFileInThatOrder() {
        assertThat(EXAMPLES.keySet()).containsExactlyInAnyOrder(Setting.values());
        Map<String, String> servers = Map.of("bootstrap.servers", "h:1");
        for (Setting s : Setting.values()) {
            String a = EXAMPLES.get(s).get(0);
            String b = EXAMPLES.get(s).get(1);
            StreamerConfig withA = with(Map.of(s.key(), a));
            StreamerConfig withB = with(Map.of(s.key(), b));
            assertThat(withA).as(s.key()).isNotEqualTo(with(Map.of())).isNotEqualTo(withB);

            assertThat(StreamerConfig.load(Map.of(), Map.of(s.envName(), a), servers))
                    .as("%s from the environment", s.envName())
                    .isEqualTo(withA);
            assertThat(StreamerConfig.load(servers, Map.of(), Map.of(s.key(), a)))
                    .as("%s from the file", s.key())
                    .isEqualTo(withA);
            assertThat(StreamerConfig.load(Map.of(s.key(), a), Map.of(s.envName(), b), with(servers, s.key(), b)))
                    .as("%s: a flag beats the environment and the file", s.key())
                    .isEqualTo(withA);
            assertThat(StreamerConfig.load(Map.of(), Map.of(s.envName(), a), with(servers, s.key(), b)))
                    .as("%s: the environment beats the file", s.key())
                    .isEqualTo(withA);
        }
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Test
    void everyRangeErrorNamesTheKeyTheValueAndWhatIsAllowed() {
        for (Setting s : Setting.values()) {
            if (s.allowed().contains(" to ") || s.allowed().startsWith("at least") || s == Setting.MODEL_NAME) {
                assertThat(OUT_OF_RANGE)
                        .as("an out-of-range example for %s", s.key())
                        .containsKey(s);
            }
        }
        OUT_OF_RANGE.forEach((s, bad) -> assertThatThrownBy(() -> with(Map.of(s.key(), bad)))
                .as(s.key())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid value for " + s.key() + ": " + bad)
                .hasMessageContaining("allowed: " + s.allowed())
                .hasMessageContaining("env " + s.envName()));
        for (Setting s : Setting.values()) {
            if (s.type() == ConfigDef.Type.INT || s.type() == ConfigDef.Type.LONG) {
                assertThatThrownBy(() -> with(Map.of(s.key(), "1.5")))
                        .as(s.key())
                        .hasMessageContaining(s.key() + " must be an integer, got '1.5'");
            }
        }
    }

    @Test
    void theDefinitionIsAKafkaConfigDefOfEverySetting() {
        ConfigDef def = Setting.definition();
        assertThat(def.names())
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(Setting.values()).map(Setting::key).toList());
        Map<String, Object> parsed = def.parse(Map.of("ecg.batch.size", "512"));
        assertThat(parsed).containsEntry("ecg.batch.size", 512).containsEntry("ecg.batch.wait.ms", 10L);
        assertThat(Setting.SAMPLE_MAX_ABS.defaultText()).isEqualTo("10000");
        assertThat(Setting.RELEASE_PUBLIC_KEYS.defaultText()).isEqualTo("none");
        assertThat(Setting.BATCH_WAIT_MS.defaultText()).isEqualTo("10");
    }
}
