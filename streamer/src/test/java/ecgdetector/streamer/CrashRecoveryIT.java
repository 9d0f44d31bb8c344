package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
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
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
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
 * Exactly once across crashes: the streamer runs in a JVM of its own and is killed with SIGKILL three times
 * while input keeps arriving, and restarted each time. The first kill comes while windows wait in half-full
 * batches (their input offsets already committed); the other two while a fresh chunk of input is being
 * scored. In the end every window is scored once and every expected alert appears once, by alert id, and the
 * alarms are exactly the alarm engine's on the same beats, none twice.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrashRecoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int PARTITIONS = 2;
    private static final int PER_PARTITION = 60;
    private static final int BATCH = 50;
    /** Windows sent right before each later kill: enough that the kill lands while they are being scored. */
    private static final int CHUNK = 300;

    @Test
    void aStreamerKilledThreeTimesMidStreamEmitsExactlyTheExpectedAlertsAndAlarms(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        String prefix = KafkaTestUtils.uniqueTopic("crash") + ".";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        TopicSetup.createAll(broker, topics, PARTITIONS);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
        String applicationId = prefix + "streamer";
        Path logs = Path.of("target", "it-logs", prefix); // kept for diagnosis

        Map<String, String> settings = StreamerIT.settings(broker, topics, applicationId, dir.resolve("state"));
        settings.put("ecg.batch.size", String.valueOf(BATCH));
        settings.put("ecg.batch.wait.ms", "600000"); // the half-full batches wait: only a crash ends them
        settings.put("session.timeout.ms", "6000"); // the dead instance leaves the group quickly

        Map<String, Integer> windowIndex = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            Feed feed = new Feed(producer, topics.heartbeats(), f, windowIndex);

            // Kill 1: two full batches scored and committed, two half batches wait in the buffers, and Kafka has
            // committed the input offsets of every window, the waiting ones included.
            Set<String> scoredBeforeFirstKill = new TreeSet<>();
            try (ChildStreamer first = ChildStreamer.start(settings, logs, "first")) {
                first.awaitReady(TIMEOUT);
                for (RecordMetadata m : feed.send(PARTITIONS * PER_PARTITION, new Random(7))) {
                    if (m.offset() < BATCH) {
                        scoredBeforeFirstKill.add(Outputs.windowId(m));
                    }
                }
                Outputs.awaitScores(broker.bootstrapServers(), topics, PARTITIONS * BATCH, TIMEOUT);
                awaitCommittedOffsets(broker, applicationId, topics.heartbeats(), PER_PARTITION);
                assertThat(first.metric("ecg_windows_buffered")).isEqualTo(PARTITIONS * (PER_PARTITION - BATCH));
                first.kill();
            }
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .extracting(Score::windowId)
                    .containsExactlyInAnyOrderElementsOf(scoredBeforeFirstKill);

            // Kills 2 and 3: a chunk arrives, and the streamer dies as soon as its first scores of the chunk are
            // written (readable uncommitted), in the middle of scoring and committing the rest.
            settings.put("ecg.batch.wait.ms", "200");
            String[] names = {"second", "third"};
            for (String name : names) {
                try (ChildStreamer streamer = ChildStreamer.start(settings, logs, name)) {
                    int before = windowIndex.size();
                    Outputs.awaitScores(broker.bootstrapServers(), topics, before, TIMEOUT);
                    feed.send(CHUNK, new Random(before));
                    KafkaTestUtils.waitUntilMinRecordsReceived(
                            broker.bootstrapServers(),
                            topics.scores(),
                            before + 1,
                            TIMEOUT,
                            IsolationLevel.READ_UNCOMMITTED);
                    streamer.kill();
                    assertThat(streamer.output())
                            .contains("Serving model ecg-autoencoder version "
                                    + f.release().version());
                    if (name.equals("second")) {
                        assertThat(streamer.output()).contains("windows restored into the batch buffer");
                    }
                }
            }

            // The last one finishes the job; more input arrives while it starts.
            try (ChildStreamer last = ChildStreamer.start(settings, logs, "fourth")) {
                feed.send(CHUNK, new Random(99));
                Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
                last.awaitReady(TIMEOUT);

                List<Alert> alerts = Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);
                Set<String> firstKillAlerts = new TreeSet<>(Outputs.expectedAlerts(windowIndex, f));
                firstKillAlerts.retainAll(scoredBeforeFirstKill);
                assertThat(firstKillAlerts)
                        .as("anomalies on both sides of the first kill")
                        .isNotEmpty()
                        .hasSizeLessThan(alerts.size());
                List<Alarm> episodes = Outputs.assertAlarmsExactlyOnce(
                        broker.bootstrapServers(), topics, windowIndex, f, AlarmRule.DEFAULT);
                assertThat(episodes).as("episode transitions across the kills").isNotEmpty();
                assertThat(last.terminate(Duration.ofSeconds(60)))
                        .as("exit code after SIGTERM")
                        .isIn(0, 143);
                assertThat(last.output()).contains("ecg streamer stopped");
            }
        }
    }

    /** Sends fixture lines round-robin over the partitions, recording each window's id and line. */
    private record Feed(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            RealRelease.Fixture f,
            Map<String, Integer> windowIndex) {

        /** Sends {@code n} lines in an order shuffled by {@code random}, so anomalies fall on every side. */
        List<RecordMetadata> send(int n, Random random) throws Exception {
            List<Integer> lines = new ArrayList<>(
                    IntStream.range(0, n).map(i -> i % f.size()).boxed().toList());
            Collections.shuffle(lines, random);
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int partition = k % PARTITIONS;
                futures.add(producer.send(new ProducerRecord<>(
                        topic,
                        partition,
                        ("patient-" + partition).getBytes(StandardCharsets.UTF_8),
                        f.lines().get(lines.get(k)).getBytes(StandardCharsets.UTF_8))));
            }
            List<RecordMetadata> sent = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                RecordMetadata m = futures.get(k).get();
                windowIndex.put(Outputs.windowId(m), lines.get(k));
                sent.add(m);
            }
            return sent;
        }
    }

    private static void awaitCommittedOffsets(EmbeddedKafkaBroker broker, String group, String topic, long offset) {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            KafkaTestUtils.waitForCondition(
                    () -> {
                        try {
                            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                                    .partitionsToOffsetAndMetadata()
                                    .get();
                            return IntStream.range(0, PARTITIONS).allMatch(p -> {
                                OffsetAndMetadata o = committed.get(new TopicPartition(topic, p));
                                return o != null && o.offset() == offset;
                            });
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    TIMEOUT,
                    () -> "input offsets of " + group + " not committed up to " + offset);
        }
    }
}
