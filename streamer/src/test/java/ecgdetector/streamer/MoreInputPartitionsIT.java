package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
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

    /**
     * The start is refused before Kafka Streams starts, so there is no health endpoint or metric to read (the
     * process exits 1); windows sent meanwhile, on old and new partitions, are not scored.
     */
    @Test
    void aStreamerStartedAfterPartitionsWereAddedStopsInOneLineWithTheProcedure(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("partitions") + ".");
        Started before = started(broker, topics, state);
        Map<String, String> settings = before.settings();
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.createPartitions(Map.of(topics.heartbeats(), NewPartitions.increaseTo(3)))
                    .all()
                    .get();
        }
        String changelog = StreamerTopology.bufferChangelog(settings.get("application.id"));
        sendToEveryPartition(broker, topics, 3);

        assertThatThrownBy(() -> StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("input topic " + topics.heartbeats() + " has 3 partitions")
                .hasMessageContaining(changelog + " 2")
                .hasMessageContaining("delete " + changelog)
                .hasMessageContaining("docs/reliability.md");
        assertNothingScoredSince(broker, topics, before.scored());
    }

    /**
     * Found at the rebalance: the client shuts down instead of replacing its thread ({@code ecg_live} 0, no
     * replacement counted), both health checks say why, and it writes nothing more: the windows it had scored
     * stay the only outputs, and windows sent after the stop are not scored.
     */
    @Test
    void partitionsAddedWhileTheStreamerRunsStopItInOneLineWithTheProcedure(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("partitions-live") + ".");
        Started before = started(broker, topics, state);
        Map<String, String> settings = before.settings();
        settings.put("metadata.max.age.ms", "1000");
        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels());
                Admin admin = Admin.create(broker.adminProperties())) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            Set<String> scored = new HashSet<>(before.scored());
            scored.addAll(sendToEveryPartition(broker, topics, 2));
            Outputs.awaitScores(broker.bootstrapServers(), topics, scored.size(), TIMEOUT);
            assertNothingScoredSince(broker, topics, scored);
            assertThat(app.meters().get("ecg.live").gauge().value()).isEqualTo(1.0);

            admin.createPartitions(Map.of(topics.heartbeats(), NewPartitions.increaseTo(3)))
                    .all()
                    .get();

            KafkaTestUtils.waitForCondition(() -> !app.isLive(), TIMEOUT, () -> "still live: " + app.health());
            assertThat(app.health().problems())
                    .anyMatch(p -> p.contains("has 3 partitions") && p.contains("docs/reliability.md"));
            assertThat(app.isReady()).isFalse();
            assertThat(app.meters().get("ecg.live").gauge().value())
                    .as("ecg_live")
                    .isZero();
            assertThat(app.meters()
                            .get("ecg.stream.thread.replacements")
                            .counter()
                            .count())
                    .as("ecg_stream_thread_replacements_total: shut down, not replaced")
                    .isZero();

            KafkaTestUtils.waitForCondition(
                    () -> app.state() == KafkaStreams.State.ERROR, TIMEOUT, () -> "not stopped: " + app.health());
            sendToEveryPartition(broker, topics, 3);
            Thread.sleep(3_000); // several commit intervals: a streamer still running would have scored them
            assertNothingScoredSince(broker, topics, scored);
        }
    }

    /** What {@link #started} leaves: the settings, and the ids of the windows it scored. */
    private record Started(Map<String, String> settings, Set<String> scored) {}

    /** One valid window to each of the input's first {@code partitions} partitions; their window ids. */
    private static List<String> sendToEveryPartition(EmbeddedKafkaBroker broker, TopicNames topics, int partitions)
            throws Exception {
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            for (int p = 0; p < partitions; p++) {
                ids.add(Outputs.windowId(producer.send(new ProducerRecord<>(
                                topics.heartbeats(),
                                p,
                                null,
                                TopologyHarness.csv(FakeModels.constant(0.5f)).getBytes(StandardCharsets.UTF_8)))
                        .get()));
            }
        }
        return ids;
    }

    /** The committed scores are exactly {@code scored}, each once, and nothing was dead-lettered. */
    private static void assertNothingScoredSince(EmbeddedKafkaBroker broker, TopicNames topics, Set<String> scored) {
        assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                .extracting(Score::windowId)
                .containsExactlyInAnyOrderElementsOf(scored);
        assertThat(Outputs.read(broker.bootstrapServers(), topics.heartbeatsDlq()))
                .isEmpty();
    }

    /** The streamer's topics with two input partitions, each of which got a window scored. */
    private static Started started(EmbeddedKafkaBroker broker, TopicNames topics, Path state) throws Exception {
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(FakeModels.signed(FakeModels.release("v1", 100.0)));
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        settings.put("ecg.batch.size", "1");
        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels())) {
            Set<String> scored = new HashSet<>(sendToEveryPartition(broker, topics, 2));
            Outputs.awaitScores(broker.bootstrapServers(), topics, 2, TIMEOUT);
            return new Started(settings, scored);
        }
    }
}
