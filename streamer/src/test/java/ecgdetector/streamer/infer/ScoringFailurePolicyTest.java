package ecgdetector.streamer.infer;

import static ecgdetector.streamer.testing.TopologyHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.Alert;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.ScoringFailure;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.FakeModels.RuntimeFailure;
import ecgdetector.streamer.testing.TopologyHarness;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model that passed its canary but fails at run time: the windows it cannot score go to the dead-letter
 * topic with the reason and the model version, the rest of their batch is scored, and the stream goes on
 * (a thrown exception would replace the thread and replay the same batch forever).
 */
class ScoringFailurePolicyTest {

    private static final String V1 = "2025-01-01T00-00-00Z-aaaa";

    @ParameterizedTest
    @EnumSource(RuntimeFailure.class)
    void windowsTheModelCannotScoreAreDeadLetteredAndTheRestOfTheirBatchIsScored(RuntimeFailure failure) {
        try (TopologyHarness h = TopologyHarness.withBatch(4, 60_000)) {
            h.publish(FakeModels.failingAbove(V1, 1.0, failure, 5f));
            float[] poison = FakeModels.constant(6f);
            poison[3] = -7.25f;
            h.sendCsv("p0", FakeModels.constant(2f));
            h.sendCsv("p1", poison);
            h.sendCsv("p2", FakeModels.constant(3f));
            h.sendCsv("p3", FakeModels.constant(0.5f));

            assertThat(h.readScores())
                    .extracting(Score::windowId)
                    .containsExactly("ecg.heartbeats/0/0", "ecg.heartbeats/0/2", "ecg.heartbeats/0/3");
            assertThat(h.readAlerts())
                    .extracting(Alert::alertId)
                    .containsExactly("ecg.heartbeats/0/0", "ecg.heartbeats/0/2");

            TestRecord<byte[], byte[]> dead = h.dlq.readRecord();
            ScoringFailure reason =
                    failure == RuntimeFailure.THROWS ? ScoringFailure.SCORING_FAILED : ScoringFailure.NON_FINITE_SCORE;
            assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo(reason.name());
            assertThat(header(dead.headers(), DeadLetterHeaders.MODEL_VERSION)).isEqualTo(V1);
            assertThat(header(dead.headers(), DeadLetterHeaders.DETAIL)).contains(V1);
            assertThat(header(dead.headers(), DeadLetterHeaders.OFFSET)).isEqualTo("1");
            assertThat(header(dead.headers(), DeadLetterHeaders.TOPIC)).isEqualTo("ecg.heartbeats");
            assertThat(new String(dead.key())).isEqualTo("p1");
            // The window itself, as a JSON heartbeat the streamer takes back once a working model serves.
            HeartbeatWindow window = (HeartbeatWindow) h.decode(dead.key(), dead.value());
            assertThat(window.samples()).containsExactly(poison);
            assertThat(window.patientId()).isEqualTo("p1");
            assertThat(h.dlq.isEmpty()).isTrue();

            assertThat(h.metrics.deadLetters(reason)).isEqualTo(1.0);
            assertThat(h.metrics.windowsScored()).isEqualTo(3.0);
        }
    }

    @Test
    void afterAFailedBatchTheNextOneIsScoredOnAFreshPredictorInOneCall() {
        try (TopologyHarness h = TopologyHarness.withBatch(2, 60_000)) {
            h.publish(FakeModels.failingAbove(V1, 1.0, RuntimeFailure.THROWS, 5f));
            h.sendCsv("p", FakeModels.constant(9f));
            h.sendCsv("p", FakeModels.constant(2f));
            assertThat(h.readScores()).extracting(Score::windowId).containsExactly("ecg.heartbeats/0/1");
            int predictorsAfterFailure = h.models.predictorsCreated.get();

            h.sendCsv("p", FakeModels.constant(2f));
            h.sendCsv("p", FakeModels.constant(3f));
            assertThat(h.readScores())
                    .extracting(Score::windowId)
                    .containsExactly("ecg.heartbeats/0/2", "ecg.heartbeats/0/3");
            // Failed batch of 2, then each window alone (the failing one and the good one), then one call of 2.
            assertThat(h.models.batchSizes).containsExactly(2, 1, 1, 2);
            assertThat(h.models.predictorsCreated.get()).isEqualTo(predictorsAfterFailure);
            assertThat(h.dlq.readRecordsToList()).hasSize(1);
        }
    }
}
