package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ecgdetector.schemas.Score;
import ecgdetector.streamer.batch.BufferProcessor;
import ecgdetector.streamer.ops.InputTopicId;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.TopologyHarness;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The batch buffer's replay guard on the whole topology: an input record at an offset the task already buffered
 * is not buffered again, and an operator sees it ({@code ecg_windows_replayed_total}, a WARN at most once a minute
 * per task); the same offsets of the input topic deleted and created again (a new topic id) are new windows,
 * buffered and scored after the old topic's.
 */
class ReplayGuardTest {

    private static final String TOPIC = "ecg.heartbeats";
    private static final String V1 = "2025-01-01T00-00-00Z-aaaa";
    private static final Map<String, String> SETTINGS = Map.of("ecg.batch.size", "4", "ecg.batch.wait.ms", "100");

    /**
     * Five windows come, four are scored at once (a full batch) and one waits; then the same five records come
     * again at their offsets (a position reset under at-least-once), then a sixth. The five are counted as replays
     * and logged (one WARN at first, one a minute later for all counted since); neither the scored ones nor the
     * waiting one is buffered twice, and each of the six windows is scored exactly once.
     */
    @Test
    void recordsAtOffsetsTheTaskAlreadyHeldAreCountedLoggedAndNotScoredTwice() {
        Uuid topicId = Uuid.randomUuid();
        try (LogCapture log = LogCapture.of(BufferProcessor.class);
                TopologyHarness h = new TopologyHarness(SETTINGS, knownId(() -> topicId))) {
            h.publish(FakeModels.release(V1, 1.0));
            IntStream.range(0, 5).forEach(i -> h.sendCsv("p-" + i, FakeModels.constant(value(i))));
            assertThat(h.metrics.bufferedWindows())
                    .as("the fifth waits for its batch")
                    .isEqualTo(1);

            // The waiting fifth window and two scored ones come again, then (a minute later) the first two.
            h.rewindInput(2);
            IntStream.range(2, 5).forEach(i -> h.sendCsv("p-" + i, FakeModels.constant(value(i))));
            assertThat(replayedTotal(h)).isEqualTo(3.0);
            assertThat(h.metrics.bufferedWindows()).as("the fifth, once").isEqualTo(1);
            assertThat(log.messages(Level.WARN))
                    .singleElement()
                    .asString()
                    .startsWith("Task 0_0: 1 input records at or below an offset this task already buffered "
                            + "(latest " + TOPIC + "/0/2, topic id " + topicId + ") were not buffered again")
                    .contains("check processing.guarantee");

            h.advance(Duration.ofSeconds(61));
            h.rewindInput(0);
            IntStream.range(0, 2).forEach(i -> h.sendCsv("p-" + i, FakeModels.constant(value(i))));
            assertThat(replayedTotal(h)).isEqualTo(5.0);
            assertThat(log.messages(Level.WARN))
                    .as("a minute later, one line for the replays counted since the first")
                    .hasSize(2)
                    .last()
                    .asString()
                    .startsWith("Task 0_0: 3 input records at or below an offset this task already buffered "
                            + "(latest " + TOPIC + "/0/0, topic id " + topicId + ")");
            assertThat(h.metrics.bufferedWindows())
                    .as("the fifth was flushed meanwhile")
                    .isZero();

            h.rewindInput(5);
            h.sendCsv("p-5", FakeModels.constant(value(5)));
            assertThat(replayedTotal(h)).as("a new offset is no replay").isEqualTo(5.0);
            h.advance(Duration.ofMillis(200));
            assertThat(h.readScores())
                    .extracting(Score::windowId, Score::patientId, Score::score)
                    .containsExactly(IntStream.range(0, 6)
                            .mapToObj(i -> tuple(TOPIC + "/0/" + i, "p-" + i, value(i)))
                            .toArray(Tuple[]::new));
            assertThat(h.metrics.bufferedWindows()).isZero();
            assertThat(h.dlq.isEmpty()).isTrue();
            assertThat(log.messages(Level.WARN)).hasSize(2);
        }
    }

    /**
     * Three windows of the input topic wait for a model; the topic is deleted and created again under the same
     * name (the cluster now gives it another id) and its first five records come at offsets 0 to 4, three of which
     * the task holds from the old topic. The task looks the id up again, sees the new topic and buffers all five
     * after the old three: none is counted as a replay, and once a model serves all eight are scored, the old
     * topic's first.
     */
    @Test
    void theSameOffsetsOfARecreatedInputTopicAreBufferedAndScored() throws Exception {
        Uuid oldId = Uuid.randomUuid();
        Uuid newId = Uuid.randomUuid();
        AtomicReference<Uuid> cluster = new AtomicReference<>(oldId);
        InputTopicId inputTopic = knownId(cluster::get);
        try (LogCapture bufferLog = LogCapture.of(BufferProcessor.class);
                LogCapture topicLog = LogCapture.of(InputTopicId.class);
                TopologyHarness h = new TopologyHarness(SETTINGS, inputTopic)) {
            IntStream.range(0, 3).forEach(i -> h.sendCsv("old-" + i, FakeModels.constant(value(i))));
            assertThat(h.metrics.bufferedWindows()).isEqualTo(3);

            cluster.set(newId);
            // The instance still knows the old id; it asks the cluster again at most once a second.
            Thread.sleep(1_100);
            assertThat(inputTopic.current()).isEqualTo(oldId);
            h.rewindInput(0);
            IntStream.range(0, 5).forEach(i -> h.sendCsv("new-" + i, FakeModels.constant(value(5 + i))));
            assertThat(inputTopic.current()).isEqualTo(newId);
            assertThat(replayedTotal(h)).isZero();
            assertThat(h.metrics.bufferedWindows()).isEqualTo(8);
            assertThat(topicLog.messages(Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("Input topic " + TOPIC + " was deleted and created again (topic id " + oldId + " -> "
                            + newId + ")");
            assertThat(bufferLog.messages(Level.WARN))
                    .singleElement()
                    .asString()
                    .isEqualTo("Task 0_0: " + TOPIC + "/0 now holds offsets of a new topic of that name (id " + newId
                            + "); its windows wait after the 3 of the old one");

            h.publish(FakeModels.release(V1, 1.0));
            h.advance(Duration.ofMillis(200));
            assertThat(h.readScores())
                    .extracting(Score::windowId, Score::patientId, Score::score)
                    .containsExactly(IntStream.range(0, 8)
                            .mapToObj(i -> i < 3
                                    ? tuple(TOPIC + "/0/" + i, "old-" + i, value(i))
                                    : tuple(TOPIC + "/0/" + (i - 3), "new-" + (i - 3), value(i + 2)))
                            .toArray(Tuple[]::new));
            assertThat(h.metrics.bufferedWindows()).isZero();
            assertThat(replayedTotal(h)).isZero();
        }
    }

    /** The input topic's id as an instance knows it after its start, which looked it up once. */
    private static InputTopicId knownId(Supplier<Uuid> cluster) {
        InputTopicId id = new InputTopicId(TOPIC, cluster);
        id.refresh();
        return id;
    }

    /** {@code ecg_windows_replayed_total}, read from the meter registry Prometheus scrapes. */
    private static double replayedTotal(TopologyHarness h) {
        return h.metrics.registry().get("ecg.windows.replayed").counter().count();
    }

    private static float value(int i) {
        return 0.05f * (i + 1);
    }
}
