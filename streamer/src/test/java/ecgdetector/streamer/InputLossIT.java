package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.health.InputLoss;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No silent loss at the input: records that expire from the input topic (a tiny retention and segment time) while
 * the streamer is down are counted, logged at ERROR with the range, and keep readiness false until the streamer
 * is restarted; the records left are scored as usual.
 */
class InputLossIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void recordsThatExpireWhileTheStreamerIsDownAreCountedLoggedAndKeepItNotReadyUntilARestart(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                        .brokerProperty("log.retention.check.interval.ms", 200)
                        .build()
                        .start();
                Admin admin = Admin.create(broker.adminProperties())) {
            TopicNames topics = TopicNames.defaults().withPrefix("loss.");
            List<NewTopic> created = new ArrayList<>(TopicSetup.newTopics(topics, 1));
            created.replaceAll(t -> t.name().equals(topics.heartbeats()) ? expiring(t) : t);
            broker.createTopics(created);
            new ReleaseTopic(broker.clientProperties(), topics.models())
                    .publish(FakeModels.signed(FakeModels.release("v1", 100.0)));
            Map<String, String> settings = StreamerIT.settings(broker, topics, "loss-streamer", dir.resolve("state"));
            settings.put("ecg.batch.size", "1");
            TopicPartition input = new TopicPartition(topics.heartbeats(), 0);
            List<String> scored = new ArrayList<>();

            try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
                try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels())) {
                    scored.addAll(send(producer, topics, 10));
                    Outputs.awaitScores(broker.bootstrapServers(), topics, 10, TIMEOUT);
                }
                // The streamer is down: records arrive, and their segments expire while one more record now and
                // then rolls a new one.
                send(producer, topics, 30);
                KafkaTestUtils.waitForCondition(
                        () -> {
                            send(producer, topics, 1);
                            return logStart(admin, input) > 40;
                        },
                        TIMEOUT,
                        () -> "nothing expired from " + input);
                keep(admin, topics.heartbeats());
                List<String> after = send(producer, topics, 20);
                long start = logStart(admin, input);

                try (LogCapture log = LogCapture.of(InputLoss.class);
                        StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels())) {
                    long end = Long.parseLong(after.get(after.size() - 1).replaceAll(".*/", "")) + 1;
                    Outputs.awaitScores(broker.bootstrapServers(), topics, 10 + (int) (end - start), TIMEOUT);
                    KafkaTestUtils.waitForCondition(
                            () -> app.health().problems().stream().anyMatch(p -> p.startsWith("input records lost")),
                            TIMEOUT,
                            () -> "no loss reported: " + app.health());
                    assertThat(app.isReady()).isFalse();
                    assertThat(app.metrics().inputRecordsLost()).isEqualTo((double) (start - 10));
                    assertThat(log.messages(Level.ERROR))
                            .singleElement()
                            .asString()
                            .contains(input.toString())
                            .contains("offsets 10 to " + (start - 1) + " (" + (start - 10) + " records)");
                    for (long offset = start; offset < end; offset++) {
                        scored.add(topics.heartbeats() + "/0/" + offset);
                    }
                    assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                            .extracting(Score::windowId)
                            .containsExactlyInAnyOrderElementsOf(scored);
                }

                try (LogCapture log = LogCapture.of(InputLoss.class);
                        StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels())) {
                    KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
                    assertThat(app.metrics().inputRecordsLost())
                            .as("acknowledged by the restart")
                            .isZero();
                    assertThat(log.messages(Level.ERROR)).isEmpty();
                }
            }
        }
    }

    /** The input topic with a retention and a segment time of moments. */
    private static NewTopic expiring(NewTopic t) {
        Map<String, String> configs = new HashMap<>(t.configs());
        configs.put("retention.ms", "2000");
        configs.put("segment.ms", "200");
        return new NewTopic(t.name(), t.numPartitions(), t.replicationFactor()).configs(configs);
    }

    /** Stops the expiring, so what is left stays. */
    private static void keep(Admin admin, String topic) throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)));
        admin.incrementalAlterConfigs(ops).all().get();
    }

    private static long logStart(Admin admin, TopicPartition p) {
        try {
            return admin.listOffsets(Map.of(p, OffsetSpec.earliest()))
                    .all()
                    .get()
                    .get(p)
                    .offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> send(KafkaProducer<byte[], byte[]> producer, TopicNames topics, int n) {
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ids.add(Outputs.windowId(StreamerIT.send(
                        producer, topics.heartbeats(), "patient-1", TopologyHarness.csv(FakeModels.constant(0.5f)))));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }
}
