package ecgdetector.streamer.infer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.ScoringFailure;
import ecgdetector.streamer.release.ModelFailures;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.FakeModels.RuntimeFailure;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.TopologyHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model version that fails on every window is marked failed after {@code ecg.model.failure.limit} windows in a
 * row: those went to the dead-letter topic, every later window waits in the buffer, and a new release scores them
 * all, in order. A model that fails on some windows among many it scores is never marked failed.
 */
class ModelFailureLimitTest {

    private static final String V1 = "v1";
    private static final String V2 = "v2";

    private static TopologyHarness harness() {
        return new TopologyHarness(
                Map.of("ecg.batch.size", "4", "ecg.batch.wait.ms", "50", "ecg.model.failure.limit", "5"));
    }

    @ParameterizedTest
    @EnumSource(RuntimeFailure.class)
    void aVersionThatFailsOnEveryWindowIsMarkedFailedAndLaterWindowsWaitForTheNextRelease(RuntimeFailure failure) {
        try (LogCapture log = LogCapture.of(ModelFailures.class);
                TopologyHarness h = harness()) {
            h.publish(FakeModels.failingAbove(V1, 1.0, failure, -1f));
            for (int i = 0; i < 12; i++) {
                h.sendCsv("p" + i % 3, FakeModels.constant(0.5f + i));
            }
            h.advance(Duration.ofSeconds(1));

            ScoringFailure reason =
                    failure == RuntimeFailure.THROWS ? ScoringFailure.SCORING_FAILED : ScoringFailure.NON_FINITE_SCORE;
            assertThat(h.dlq.readRecordsToList())
                    .as("the five windows in a row")
                    .hasSize(5);
            assertThat(h.metrics.deadLetters(reason)).isEqualTo(5.0);
            assertThat(h.scores.isEmpty()).isTrue();
            assertThat(h.metrics.bufferedWindows()).as("the others wait").isEqualTo(7);
            assertThat(h.instance.failures().servingFailed()).contains(V1);
            assertThat(h.instance.failures().canScore()).isFalse();
            assertThat(log.messages(Level.ERROR))
                    .singleElement()
                    .asString()
                    .contains("Model version " + V1 + " could not score 5 windows in a row")
                    .contains("marked failed");

            h.publish(FakeModels.release(V2, 100.0));
            h.advance(Duration.ofSeconds(1));
            List<Score> scores = h.readScores();
            assertThat(scores)
                    .extracting(Score::windowId)
                    .containsExactlyElementsOf(IntStream.range(5, 12)
                            .mapToObj(i -> "ecg.heartbeats/0/" + i)
                            .toList());
            assertThat(scores).allSatisfy(s -> assertThat(s.model().version()).isEqualTo(V2));
            assertThat(h.dlq.isEmpty()).isTrue();
            assertThat(h.instance.failures().servingFailed()).isEmpty();
            assertThat(h.metrics.bufferedWindows()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(RuntimeFailure.class)
    void aVersionThatFailsOnSomeWindowsAmongOthersItScoresKeepsServing(RuntimeFailure failure) {
        try (TopologyHarness h = harness()) {
            h.publish(FakeModels.failingAbove(V1, 100.0, failure, 5f));
            for (int i = 0; i < 40; i++) {
                // Four bad windows, then one good one, over and over: never five bad in a row.
                h.sendCsv("p", FakeModels.constant(i % 5 == 4 ? 1f : 9f));
            }
            h.advance(Duration.ofSeconds(1));

            assertThat(h.readScores()).hasSize(8);
            assertThat(h.dlq.readRecordsToList()).hasSize(32);
            assertThat(h.instance.failures().servingFailed()).isEmpty();
            assertThat(h.metrics.bufferedWindows()).isZero();
        }
    }
}
