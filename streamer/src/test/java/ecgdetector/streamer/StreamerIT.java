package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.streamer.testing.TopologyHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamer in this JVM against a real broker, with a real release trained by the trainer, scoring on
 * DJL/TensorFlow: raw {@code ecg.csv} lines in, exactly the alerts the trainer's offline scores predict out.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StreamerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void csvLinesInGiveTheAlertsTheTrainersOfflineScoresPredict(EmbeddedKafkaBroker broker, @TempDir Path state)
            throws Exception {
        RealRelease.Fixture f = RealRelease.ecg5000OrSynthetic();
        String prefix = KafkaTestUtils.uniqueTopic("it") + ".";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));

        Map<String, String> settings = settings(broker, topics, prefix + "streamer", state);
        settings.put("ecg.threads", "2"); // two predictors scoring at once on the TensorFlow engine
        settings.put("ecg.batch.size", "64");
        settings.put("ecg.batch.wait.ms", "200");

        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings))) {
            Map<String, Integer> windowIndex = new HashMap<>();
            int deadLetters = 0;
            try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
                for (int i = 0; i < f.size(); i++) {
                    RecordMetadata m = send(
                            producer,
                            topics.heartbeats(),
                            "patient-" + (i % 7),
                            f.lines().get(i) + "\n");
                    windowIndex.put(m.topic() + "/" + m.partition() + "/" + m.offset(), i);
                    if (i % 50 == 25) {
                        send(producer, topics.heartbeats(), "patient-" + (i % 7), "not,a,heartbeat");
                        deadLetters++;
                    }
                }
            }
            int n = f.size();

            List<Score> scores = KafkaTestUtils.waitUntilMinRecordsReceived(
                            broker.bootstrapServers(), topics.scores(), n, TIMEOUT, IsolationLevel.READ_COMMITTED)
                    .stream()
                    .map(r -> read(r, Score.class))
                    .toList();
            assertThat(scores).hasSize(n);
            assertThat(scores)
                    .extracting(Score::windowId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(windowIndex.keySet());
            for (Score s : scores) {
                int i = windowIndex.get(s.windowId());
                assertThat(s.score()).as("live vs offline score of beat %d", i).isEqualTo(f.offline()[i]);
                assertThat(s.anomaly()).isEqualTo(f.anomalous(i));
                assertThat(s.model().version()).isEqualTo(f.release().version());
            }

            List<ConsumerRecord<byte[], byte[]>> alertRecords = KafkaTestUtils.readToEnd(
                    broker.bootstrapServers(), topics.alerts(), IsolationLevel.READ_COMMITTED, TIMEOUT);
            alertRecords.forEach(r -> assertThat(JsonSchemas.violations(JsonSchemas.Contract.ALERT, r.value()))
                    .isEmpty());
            List<Alert> alerts =
                    alertRecords.stream().map(r -> read(r, Alert.class)).toList();
            Set<String> expected = windowIndex.entrySet().stream()
                    .filter(e -> f.anomalous(e.getValue()))
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(expected)
                    .as("the test beats hold anomalies and normal beats")
                    .isNotEmpty()
                    .hasSizeLessThan(n);
            assertThat(alerts)
                    .extracting(Alert::alertId)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected);
            for (int k = 0; k < alerts.size(); k++) {
                Alert a = alerts.get(k);
                int i = windowIndex.get(a.alertId());
                assertThat(a.score()).isEqualTo(f.offline()[i]);
                assertThat(a.threshold()).isEqualTo(f.release().manifest().threshold());
                assertThat(a.model().version()).isEqualTo(f.release().version());
                assertThat(a.worstPositions()).hasSize(5);
                assertThat(a.label()).isIn(0.0, 1.0);
                assertThat(a.patientId())
                        .isEqualTo(new String(alertRecords.get(k).key(), StandardCharsets.UTF_8));
            }

            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.waitUntilMinRecordsReceived(
                    broker.bootstrapServers(),
                    topics.heartbeatsDlq(),
                    deadLetters,
                    TIMEOUT,
                    IsolationLevel.READ_COMMITTED);
            assertThat(dead).hasSize(deadLetters).allSatisfy(r -> {
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("not,a,heartbeat");
                assertThat(TopologyHarness.header(r.headers(), DeadLetterHeaders.REASON))
                        .isEqualTo("WRONG_LENGTH");
                assertThat(TopologyHarness.header(r.headers(), DeadLetterHeaders.TOPIC))
                        .isEqualTo(topics.heartbeats());
            });

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + app.httpPort();
            HttpResponse<String> ready = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains(f.release().version());
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .contains("ecg_windows_scored_total " + (double) n)
                    .contains("ecg_dead_letters_total{reason=\"wrong_length\"} " + (double) deadLetters)
                    .contains("ecg_model_info{name=\"ecg-autoencoder\",version=\""
                            + f.release().version() + "\"} 1")
                    .contains("ecg_alert_latency_seconds_count")
                    .contains("kafka_stream_thread");

            StreamerConfig config = StreamerConfig.fromMap(settings);
            assertThat(StreamerTopology.changelogs(config)).hasSize(2);
            for (String changelog : StreamerTopology.changelogs(config)) {
                assertThat(topicConfigs(broker, changelog))
                        .as("the configs %s was created with: a restore reads minutes of writes, not days", changelog)
                        .containsAllEntriesOf(StreamerTopology.CHANGELOG_CONFIGS);
            }
        }
    }

    private static Map<String, String> topicConfigs(EmbeddedKafkaBroker broker, String topic) throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            Map<String, String> values = new HashMap<>();
            config.entries().forEach(e -> values.put(e.name(), e.value()));
            return values;
        }
    }

    @Test
    void windowsWaitingInABatchMoveWithTheirTaskWhenInstancesJoinAndLeave(
            EmbeddedKafkaBroker broker, @TempDir Path stateA, @TempDir Path stateB) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        String prefix = KafkaTestUtils.uniqueTopic("rebalance") + ".";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
        String applicationId = prefix + "streamer";

        Map<String, String> a = settings(broker, topics, applicationId, stateA);
        a.put("ecg.batch.size", "50");
        a.put("ecg.batch.wait.ms", "600000"); // instance A never flushes a half batch by itself
        Map<String, String> b = settings(broker, topics, applicationId, stateB);
        b.put("ecg.batch.size", "50");
        b.put("ecg.batch.wait.ms", "100");

        Map<String, Integer> windowIndex = new HashMap<>();
        StreamerApp first = StreamerApp.start(StreamerConfig.fromMap(a));
        try {
            KafkaTestUtils.waitForCondition(first::isReady, TIMEOUT, () -> "instance A not ready: " + first.health());
            try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
                for (int i = 0; i < 60; i++) {
                    RecordMetadata m = producer.send(new ProducerRecord<>(
                                    topics.heartbeats(),
                                    i % 2,
                                    ("patient-" + i).getBytes(StandardCharsets.UTF_8),
                                    f.lines().get(i).getBytes(StandardCharsets.UTF_8)))
                            .get();
                    windowIndex.put(m.topic() + "/" + m.partition() + "/" + m.offset(), i);
                }
            }
            KafkaTestUtils.waitForCondition(
                    () -> first.metrics().bufferedWindows() == 60,
                    TIMEOUT,
                    () -> "instance A buffered " + first.metrics().bufferedWindows() + " of 60 windows");

            // B joins: a task and its waiting windows move to B, which flushes them after its short wait.
            try (StreamerApp second = StreamerApp.start(StreamerConfig.fromMap(b))) {
                KafkaTestUtils.waitForCondition(
                        () -> second.metrics().windowsScored() == 30,
                        TIMEOUT,
                        () -> "instance B scored " + second.metrics().windowsScored() + " windows, A buffers "
                                + first.metrics().bufferedWindows());
                assertThat(first.metrics().windowsScored()).isZero();
                // A leaves: B takes its task over, waiting windows included.
                first.close();
                KafkaTestUtils.waitForCondition(
                        () -> second.metrics().windowsScored() == 60,
                        TIMEOUT,
                        () -> "instance B scored " + second.metrics().windowsScored() + " of 60 windows");
            }
        } finally {
            first.close();
        }

        List<Score> scores =
                KafkaTestUtils.readToEnd(
                                broker.bootstrapServers(), topics.scores(), IsolationLevel.READ_COMMITTED, TIMEOUT)
                        .stream()
                        .map(r -> read(r, Score.class))
                        .toList();
        assertThat(scores)
                .extracting(Score::windowId)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(windowIndex.keySet());
        Set<String> expected = windowIndex.entrySet().stream()
                .filter(e -> f.anomalous(e.getValue()))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        List<Alert> alerts =
                KafkaTestUtils.readToEnd(
                                broker.bootstrapServers(), topics.alerts(), IsolationLevel.READ_COMMITTED, TIMEOUT)
                        .stream()
                        .map(r -> read(r, Alert.class))
                        .toList();
        assertThat(alerts)
                .extracting(Alert::alertId)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    static Map<String, String> settings(
            EmbeddedKafkaBroker broker, TopicNames topics, String applicationId, Path state) {
        return settings(broker.bootstrapServers(), topics, applicationId, state);
    }

    static Map<String, String> settings(String bootstrapServers, TopicNames topics, String applicationId, Path state) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", bootstrapServers);
        settings.put("application.id", applicationId);
        settings.put("state.dir", state.toString());
        // Instances of one test that share the application id need names of their own, as on one host they would.
        settings.put("ecg.instance.name", "it-" + state.getFileName());
        settings.put("ecg.topic.heartbeats", topics.heartbeats());
        settings.put("ecg.topic.dlq", topics.heartbeatsDlq());
        settings.put("ecg.topic.alerts", topics.alerts());
        settings.put("ecg.topic.scores", topics.scores());
        settings.put("ecg.topic.alarms", topics.alarms());
        settings.put("ecg.topic.models", topics.models());
        settings.put("ecg.http.host", "127.0.0.1");
        settings.put("ecg.http.port", "0");
        settings.put("ecg.release.public.keys", TestKeys.trainer().publicKey().toString());
        return settings;
    }

    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker broker) {
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }

    /** A release record as any producer can write it: key, value and headers, nothing of our publisher. */
    static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic, ReleaseRecord record)
            throws Exception {
        return producer.send(new ProducerRecord<>(
                        topic,
                        null,
                        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                        record.value(),
                        record.headers()))
                .get();
    }

    static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic, String key, String value)
            throws Exception {
        return producer.send(new ProducerRecord<>(
                        topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
                .get();
    }

    static <T> T read(ConsumerRecord<byte[], byte[]> record, Class<T> type) {
        return TopologyHarness.read(record.value(), type);
    }
}
