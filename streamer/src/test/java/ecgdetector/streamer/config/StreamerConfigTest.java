package ecgdetector.streamer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamerConfigTest {

    @Test
    void defaultsAreSensibleAndExactlyOnce() {
        StreamerConfig c = StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:9092"));
        assertThat(c.topics())
                .isEqualTo(new StreamerConfig.Topics(
                        "ecg.heartbeats", "ecg.heartbeats.dlq", "ecg.alerts", "ecg.scores", "ecg.models"));
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
    void releaseKeyFilesComeAsACommaSeparatedListAndDefaultToNone() {
        assertThat(StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1")).releaseKeyFiles())
                .isEmpty();
        StreamerConfig c = StreamerConfig.load(
                Map.of("bootstrap.servers", "h:1"),
                Map.of("ECG_RELEASE_KEY_FILES", "/run/secrets/new.key, /run/secrets/old.key,"),
                Map.of());
        assertThat(c.releaseKeyFiles())
                .containsExactly(
                        java.nio.file.Path.of("/run/secrets/new.key"), java.nio.file.Path.of("/run/secrets/old.key"));
        assertThat(c.describe()).contains("signed only").contains("/run/secrets/new.key");
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
                .hasMessageContaining("invalid value for ecg.batch.size: 0");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.batch.size", "many")))
                .hasMessageContaining("ecg.batch.size must be an integer");
        assertThatThrownBy(
                        () -> StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.scores.enabled", "maybe")))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() ->
                        StreamerConfig.fromMap(Map.of("bootstrap.servers", "h:1", "ecg.topic.alerts", "ecg.scores")))
                .hasMessageContaining("must all differ");
        assertThatThrownBy(() -> StreamerConfig.fromMap(Map.of(
                        "bootstrap.servers",
                        "h:1",
                        "processing.exception.handler",
                        "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler")))
                .hasMessageContaining("processing.exception.handler cannot be set");
        assertThatThrownBy(() -> StreamerConfig.load(Map.of(), Map.of(), Path.of("/no/such/file.properties")))
                .hasMessageContaining("cannot read config file");
    }
}
