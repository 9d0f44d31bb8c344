package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions added to the input topic break its co-partitioning with the batch buffer's changelog, which holds
 * each input partition's waiting windows: the streamer says so in one line with the procedure, at its start and
 * when it meets it while running, instead of failing in a loop or mixing partitions.
 */
@ExtendWith(KafkaBrokerExtension.class)
class MoreInputPartitionsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aStreamerStartedAfterPartitionsWereAddedStopsInOneLineWithTheProcedure(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("partitions") + ".");
        Map<String, String> settings = started(broker, topics, state);
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.createPartitions(Map.of(topics.heartbeats(), NewPartitions.increaseTo(3)))
                    .all()
                    .get();
        }
        String changelog = StreamerTopology.bufferChangelog(settings.get("application.id"));

        assertThatThrownBy(() -> StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("input topic " + topics.heartbeats() + " has 3 partitions")
                .hasMessageContaining(changelog + " 2")
                .hasMessageContaining("delete " + changelog)
                .hasMessageContaining("docs/reliability.md");
    }

    @Test
    void partitionsAddedWhileTheStreamerRunsStopItInOneLineWithTheProcedure(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("partitions-live") + ".");
        Map<String, String> settings = started(broker, topics, state);
        settings.put("metadata.max.age.ms", "1000");
        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels());
                Admin admin = Admin.create(broker.adminProperties())) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            admin.createPartitions(Map.of(topics.heartbeats(), NewPartitions.increaseTo(3)))
                    .all()
                    .get();

            KafkaTestUtils.waitForCondition(() -> !app.isLive(), TIMEOUT, () -> "still live: " + app.health());
            assertThat(app.health().problems())
                    .anyMatch(p -> p.contains("has 3 partitions") && p.contains("docs/reliability.md"));
            assertThat(app.isReady()).isFalse();
        }
    }

    /** The streamer's topics with two input partitions, each of which got a window scored; its settings. */
    private static Map<String, String> started(EmbeddedKafkaBroker broker, TopicNames topics, Path state)
            throws Exception {
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(FakeModels.signed(FakeModels.release("v1", 100.0)));
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        settings.put("ecg.batch.size", "1");
        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels());
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            for (int p = 0; p < 2; p++) {
                producer.send(new ProducerRecord<>(
                                topics.heartbeats(),
                                p,
                                null,
                                TopologyHarness.csv(FakeModels.constant(0.5f)).getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            Outputs.awaitScores(broker.bootstrapServers(), topics, 2, TIMEOUT);
        }
        return settings;
    }
}
