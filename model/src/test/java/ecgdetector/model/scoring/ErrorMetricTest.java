package ecgdetector.model.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ErrorMetricTest {

    @Test
    void mseAndMaeByHand() {
        float[] actual = {0f, 0.5f, 1f, 0.25f};
        float[] reconstructed = {0.5f, 0.5f, 0f, 0.75f};
        // squared differences 0.25, 0, 1, 0.25 -> mean 0.375; absolute 0.5, 0, 1, 0.5 -> mean 0.5
        assertThat(ErrorMetric.MSE.score(actual, reconstructed, 0, 4)).isEqualTo(0.375f);
        assertThat(ErrorMetric.MAE.score(actual, reconstructed, 0, 4)).isEqualTo(0.5f);
    }

    @Test
    void theScoreWithPositionErrorsIsBitForBitTheScoreAlone() {
        // The translator scores and finds the worst positions in one pass; thresholds were chosen on score().
        Random random = new Random(7);
        for (ErrorMetric metric : ErrorMetric.values()) {
            for (int beat = 0; beat < 200; beat++) {
                int length = 1 + random.nextInt(200);
                float[] scaled = new float[length + 3];
                float[] reconstruction = new float[length + 3];
                for (int i = 0; i < scaled.length; i++) {
                    // Mostly the training range, sometimes far outside it like an anomalous beat.
                    scaled[i] = (float) (random.nextInt(10) == 0 ? random.nextGaussian() * 50 : random.nextDouble());
                    reconstruction[i] = (float) random.nextDouble();
                }
                // The definition, written out: each position's error, summed in order, the mean as a float.
                double[] expectedPositions = new double[length];
                double sum = 0;
                for (int i = 0; i < length; i++) {
                    expectedPositions[i] = metric.positionError(scaled[3 + i], reconstruction[3 + i]);
                    sum += expectedPositions[i];
                }
                int expected = Float.floatToRawIntBits((float) (sum / length));

                double[] positions = new double[length];
                float withPositions = metric.score(scaled, reconstruction, 3, length, positions);
                assertThat(Float.floatToRawIntBits(withPositions))
                        .as("%s beat %d", metric, beat)
                        .isEqualTo(expected);
                assertThat(Float.floatToRawIntBits(metric.score(scaled, reconstruction, 3, length)))
                        .as("%s beat %d", metric, beat)
                        .isEqualTo(expected);
                assertThat(positions).containsExactly(expectedPositions);
            }
        }
    }

    @Test
    void msleMatchesKerasFormula() {
        float[] actual = {0f, 1f};
        float[] reconstructed = {1f, 0f};
        // (log1p(1) - log1p(1e-7))^2 twice, mean of both
        double d = Math.log(2) - Math.log1p(1e-7);
        assertThat(ErrorMetric.MSLE.score(actual, reconstructed, 0, 2)).isCloseTo((float) (d * d), within(1e-7f));
    }

    @Test
    void msleStaysFiniteOnNegativeAndOutOfRangeInputs() {
        // Scaled anomalous beats go below -1 (log1p would be NaN) and far above 1.
        float[] actual = {-5f, -1f, -0.5f, 3f, 1000f, -1e30f};
        float[] reconstructed = {0.2f, 0.9f, -2f, 0.5f, 0.1f, 1e30f};
        float score = ErrorMetric.MSLE.score(actual, reconstructed, 0, actual.length);
        assertThat(score).isFinite().isPositive();
        double[] positions = new double[actual.length];
        ErrorMetric.MSLE.positionErrors(actual, reconstructed, 0, actual.length, positions);
        for (double e : positions) {
            assertThat(e).isFinite().isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void msleClipsNegativeValuesToEpsilonLikeKeras() {
        // Below epsilon, every value counts as epsilon: -3 and -0.1 are the same as 0 on the true side.
        float a = ErrorMetric.MSLE.score(new float[] {-3f}, new float[] {0.5f}, 0, 1);
        float b = ErrorMetric.MSLE.score(new float[] {-0.1f}, new float[] {0.5f}, 0, 1);
        float c = ErrorMetric.MSLE.score(new float[] {0f}, new float[] {0.5f}, 0, 1);
        assertThat(a).isEqualTo(b).isEqualTo(c);
    }

    @Test
    void scoresTheBeatAtItsOffsetInABatch() {
        float[] batch = {9f, 9f, 0f, 1f};
        float[] reconstruction = {0f, 0f, 0f, 1f};
        assertThat(ErrorMetric.MSE.score(batch, reconstruction, 2, 2)).isZero();
        assertThat(ErrorMetric.MSE.score(batch, reconstruction, 0, 2)).isEqualTo(81f);
    }

    @Test
    void idsRoundTripAndUnknownIsRejected() {
        for (ErrorMetric m : ErrorMetric.values()) {
            assertThat(ErrorMetric.fromId(m.id())).isEqualTo(m);
        }
        assertThat(ErrorMetric.fromId("MSLE")).isEqualTo(ErrorMetric.MSLE);
        assertThatThrownBy(() -> ErrorMetric.fromId("rmse")).hasMessageContaining("unknown error metric 'rmse'");
    }
}
