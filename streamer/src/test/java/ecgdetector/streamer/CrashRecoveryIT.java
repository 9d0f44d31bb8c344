package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EcgTopics;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Score;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a crash in the middle of a batch: the streamer runs in a JVM of its own, is killed with
 * SIGKILL while windows wait in a half-full batch (their input offsets already committed), and is restarted.
 * Every window is scored once and every expected alert appears once: none lost, none twice.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrashRecoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int PARTITIONS = 2;
    private static final int PER_PARTITION = 60;
    private static final int BATCH = 50;

    @Test
    void aStreamerKilledWhileWindowsWaitInABatchRestartsAndEmitsExactlyTheExpectedAlerts(EmbeddedKafkaBroker broker,
            @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        List<Integer> order = new ArrayList<>(IntStream.range(0, PARTITIONS * PER_PARTITION).boxed().toList());
        Collections.shuffle(order, new Random(7)); // anomalies on both sides of the crash
        String prefix = KafkaTestUtils.uniqueTopic("crash") + ".";
        EcgTopics topics = EcgTopics.defaults().withPrefix(prefix);
        topics.createAll(broker, PARTITIONS);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(f.release());
        String applicationId = prefix + "streamer";
        Path logs = Path.of("target", "it-logs", prefix); // kept for diagnosis

        Map<String, String> settings = StreamerIT.settings(broker, topics, applicationId, dir.resolve("state"));
        settings.put("ecg.batch.size", String.valueOf(BATCH));
        settings.put("ecg.batch.wait.ms", "600000"); // the half-full batches wait: only a crash ends them
        settings.put("session.timeout.ms", "6000"); // the dead instance leaves the group quickly

        Map<String, Integer> windowIndex = new HashMap<>();
        Set<String> scoredBeforeCrash = new TreeSet<>();
        try (ChildStreamer first = ChildStreamer.start(settings, logs, "first")) {
            first.awaitReady(TIMEOUT);
            try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
                for (int k = 0; k < order.size(); k++) {
                    int i = order.get(k);
                    int partition = k % PARTITIONS;
                    RecordMetadata m = producer.send(new ProducerRecord<>(topics.heartbeats(), partition,
                            ("patient-" + partition).getBytes(StandardCharsets.UTF_8),
                            f.lines().get(i).getBytes(StandardCharsets.UTF_8))).get();
                    String id = m.topic() + "/" + m.partition() + "/" + m.offset();
                    windowIndex.put(id, i);
                    if (m.offset() < BATCH) {
                        scoredBeforeCrash.add(id);
                    }
                }
            }

            // Two full batches are scored and committed; two half batches wait in the buffers, and Kafka has
            // committed the input offsets of every window, the waiting ones included.
            KafkaTestUtils.waitUntilMinRecordsReceived(broker.bootstrapServers(), topics.scores(),
                    PARTITIONS * BATCH, TIMEOUT, IsolationLevel.READ_COMMITTED);
            awaitCommittedOffsets(broker, applicationId, topics.heartbeats(), PER_PARTITION);
            assertThat(first.metric("ecg_windows_buffered")).isEqualTo(PARTITIONS * (PER_PARTITION - BATCH));

            first.kill();
        }

        List<Score> beforeRestart = scores(broker, topics);
        assertThat(beforeRestart).extracting(Score::windowId).containsExactlyInAnyOrderElementsOf(scoredBeforeCrash);

        settings.put("ecg.batch.wait.ms", "200");
        try (ChildStreamer second = ChildStreamer.start(settings, logs, "second")) {
            KafkaTestUtils.waitUntilMinRecordsReceived(broker.bootstrapServers(), topics.scores(),
                    PARTITIONS * PER_PARTITION, TIMEOUT, IsolationLevel.READ_COMMITTED);
            second.awaitReady(TIMEOUT);

            List<Score> scores = scores(broker, topics);
            assertThat(scores).extracting(Score::windowId).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(windowIndex.keySet());
            scores.forEach(s -> assertThat(s.score()).isEqualTo(f.offline()[windowIndex.get(s.windowId())]));

            Set<String> expectedAlerts = windowIndex.entrySet().stream().filter(e -> f.anomalous(e.getValue()))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
            assertThat(expectedAlerts).as("anomalies on both sides of the crash")
                    .anyMatch(scoredBeforeCrash::contains)
                    .anyMatch(id -> !scoredBeforeCrash.contains(id));
            List<Alert> alerts = KafkaTestUtils.readToEnd(broker.bootstrapServers(), topics.alerts(),
                    IsolationLevel.READ_COMMITTED, TIMEOUT).stream().map(r -> StreamerIT.read(r, Alert.class)).toList();
            assertThat(alerts).extracting(Alert::alertId).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expectedAlerts);

            assertThat(second.output()).contains("windows restored into the batch buffer")
                    .contains("Serving model ecg-autoencoder version " + f.release().version());
            assertThat(second.terminate(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);
            assertThat(second.output()).contains("ecg streamer stopped");
        }
    }

    private static List<Score> scores(EmbeddedKafkaBroker broker, EcgTopics topics) {
        List<ConsumerRecord<byte[], byte[]>> records = KafkaTestUtils.readToEnd(broker.bootstrapServers(),
                topics.scores(), IsolationLevel.READ_COMMITTED, TIMEOUT);
        return records.stream().map(r -> TopologyHarness.read(r.value(), Score.class)).toList();
    }

    private static void awaitCommittedOffsets(EmbeddedKafkaBroker broker, String group, String topic, long offset) {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            KafkaTestUtils.waitForCondition(() -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get();
                    return IntStream.range(0, PARTITIONS).allMatch(p -> {
                        OffsetAndMetadata o = committed.get(new TopicPartition(topic, p));
                        return o != null && o.offset() == offset;
                    });
                } catch (Exception e) {
                    return false;
                }
            }, TIMEOUT, () -> "input offsets of " + group + " not committed up to " + offset);
        }
    }
}
