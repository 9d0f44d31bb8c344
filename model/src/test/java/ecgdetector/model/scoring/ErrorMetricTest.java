package ecgdetector.model.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ecgdetector.schemas.ReleaseManifest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ErrorMetricTest {

    /** A scaler of {@code length} positions, each fitted on [0, 1]: its ranges are all 1. */
    private static MinMaxScaler unit(int length) {
        float[] max = new float[length];
        Arrays.fill(max, 1f);
        return scaler(new float[length], max);
    }

    private static MinMaxScaler scaler(float[] min, float[] max) {
        return MinMaxScaler.of(new ReleaseManifest.Scaler(MinMaxScaler.PER_POSITION, min, max));
    }

    @Test
    void mseAndMaeByHand() {
        float[] actual = {0f, 0.5f, 1f, 0.25f};
        float[] reconstructed = {0.5f, 0.5f, 0f, 0.75f};
        // squared differences 0.25, 0, 1, 0.25 -> mean 0.375; absolute 0.5, 0, 1, 0.5 -> mean 0.5
        assertThat(ErrorMetric.MSE.score(unit(4), actual, reconstructed, 0)).isEqualTo(0.375f);
        assertThat(ErrorMetric.MAE.score(unit(4), actual, reconstructed, 0)).isEqualTo(0.5f);
    }

    @Test
    void theScoreWithPositionErrorsIsBitForBitTheScoreAlone() {
        // The translator scores and finds the worst positions in one pass; thresholds were chosen on score().
        Random random = new Random(7);
        for (ErrorMetric metric : ErrorMetric.values()) {
            for (int beat = 0; beat < 200; beat++) {
                int length = 1 + random.nextInt(200);
                float[] min = new float[length];
                float[] max = new float[length];
                for (int i = 0; i < length; i++) {
                    min[i] = (float) random.nextGaussian();
                    max[i] = min[i] + (float) random.nextDouble() * 3;
                }
                MinMaxScaler scaler = scaler(min, max);
                float[] scaled = new float[length + 3];
                float[] reconstruction = new float[length + 3];
                for (int i = 0; i < scaled.length; i++) {
                    // Mostly the training range, sometimes far outside it like an anomalous beat.
                    scaled[i] = (float) (random.nextInt(10) == 0 ? random.nextGaussian() * 50 : random.nextDouble());
                    reconstruction[i] = (float) random.nextDouble();
                }
                // The definition, written out: each position's difference, averaged over the window centred on it
                // (nothing beyond the beat), squared or absolute; summed in order, the mean as a float.
                double[] expectedPositions = new double[length];
                double sum = 0;
                int half = metric.window() / 2;
                for (int i = 0; i < length; i++) {
                    double d = 0;
                    for (int j = i - half; j <= i + half; j++) {
                        if (j >= 0 && j < length) {
                            d += metric.difference(scaled[3 + j], reconstruction[3 + j], scaler.range(j));
                        }
                    }
                    if (metric.window() > 1) {
                        d /= metric.window();
                    }
                    expectedPositions[i] = metric == ErrorMetric.MAE ? Math.abs(d) : d * d;
                    sum += expectedPositions[i];
                }
                int expected = Float.floatToRawIntBits((float) (sum / length));

                double[] positions = new double[length];
                float withPositions = metric.score(scaler, scaled, reconstruction, 3, positions);
                assertThat(Float.floatToRawIntBits(withPositions))
                        .as("%s beat %d", metric, beat)
                        .isEqualTo(expected);
                assertThat(Float.floatToRawIntBits(metric.score(scaler, scaled, reconstruction, 3)))
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
        assertThat(ErrorMetric.MSLE.score(unit(2), actual, reconstructed, 0)).isCloseTo((float) (d * d), within(1e-7f));
    }

    @Test
    void everyMetricStaysFiniteOnNegativeAndOutOfRangeInputs() {
        // Scaled anomalous beats go below -1 (log1p would be NaN) and far above 1.
        float[] actual = {-5f, -1f, -0.5f, 3f, 1000f, -1e15f};
        float[] reconstructed = {0.2f, 0.9f, -2f, 0.5f, 0.1f, 0.7f};
        for (ErrorMetric metric : ErrorMetric.values()) {
            double[] positions = new double[actual.length];
            float score = metric.score(unit(actual.length), actual, reconstructed, 0, positions);
            assertThat(score).as("%s", metric).isFinite().isPositive();
            for (double e : positions) {
                assertThat(e).as("%s", metric).isFinite().isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void msleClipsNegativeValuesToEpsilonLikeKeras() {
        // Below epsilon, every value counts as epsilon: -3 and -0.1 are the same as 0 on the true side.
        float a = ErrorMetric.MSLE.score(unit(1), new float[] {-3f}, new float[] {0.5f}, 0);
        float b = ErrorMetric.MSLE.score(unit(1), new float[] {-0.1f}, new float[] {0.5f}, 0);
        float c = ErrorMetric.MSLE.score(unit(1), new float[] {0f}, new float[] {0.5f}, 0);
        assertThat(a).isEqualTo(b).isEqualTo(c);
    }

    @Test
    void signedMsleIsMsleInTheTrainingRangeAndKeepsCountingBelowIt() {
        float[] actual = {0.1f, 0.5f, 1f, 2.5f};
        float[] reconstructed = {0.2f, 0.4f, 0.9f, 0.3f};
        assertThat(ErrorMetric.MSLE_SIGNED.score(unit(4), actual, reconstructed, 0))
                .isEqualTo(ErrorMetric.MSLE.score(unit(4), actual, reconstructed, 0));

        float far = ErrorMetric.MSLE_SIGNED.score(unit(1), new float[] {-3f}, new float[] {0.5f}, 0);
        float near = ErrorMetric.MSLE_SIGNED.score(unit(1), new float[] {-0.1f}, new float[] {0.5f}, 0);
        float zero = ErrorMetric.MSLE_SIGNED.score(unit(1), new float[] {0f}, new float[] {0.5f}, 0);
        assertThat(far).isGreaterThan(near);
        assertThat(near).isGreaterThan(zero);
        double d = Math.log1p(0.5) + Math.log1p(3);
        assertThat(far).isCloseTo((float) (d * d), within(1e-6f));
    }

    @Test
    void signalMseIsTheMeanSquaredErrorOfTheBeatInItsOwnUnits() {
        float[] min = {-2f, 0f, 1f};
        float[] max = {2f, 0.5f, 1f}; // the last position was constant: its range counts as 1
        MinMaxScaler scaler = scaler(min, max);
        float[] raw = {1f, 0.25f, 3f};
        float[] reconstructedRaw = {0f, 0.5f, 1.5f};
        float[] scaled = scaler.transform(raw);
        float[] reconstruction = scaler.transform(reconstructedRaw);
        // raw differences -1, 0.25, -1.5 -> squares 1, 0.0625, 2.25 -> mean 1.104166...
        assertThat(ErrorMetric.SIGNAL_MSE.score(scaler, scaled, reconstruction, 0))
                .isCloseTo((1f + 0.0625f + 2.25f) / 3, within(1e-6f));
        assertThat(ErrorMetric.MSE.score(scaler, scaled, reconstruction, 0))
                .isNotCloseTo((1f + 0.0625f + 2.25f) / 3, within(1e-3f));
    }

    @Test
    void smoothedSignalMseAveragesTheSignalErrorOverItsWindowBeforeSquaring() {
        // Unit ranges: the signal error is the scaled one. Differences r - a = 1, -1, 1, -1, 1, -1, 1.
        float[] actual = new float[7];
        float[] alternating = {1f, -1f, 1f, -1f, 1f, -1f, 1f};
        // Window 5, zeros beyond the beat: sums 1, 0, 1, -1, 1, 0, 1 over five positions, squared: mean of
        // (1 + 0 + 1 + 1 + 1 + 0 + 1) / 25 over 7 positions.
        assertThat(ErrorMetric.SIGNAL_MSE_SMOOTH5.score(unit(7), actual, alternating, 0))
                .isCloseTo(5f / 25 / 7, within(1e-7f));
        assertThat(ErrorMetric.SIGNAL_MSE.score(unit(7), actual, alternating, 0))
                .isEqualTo(1f);

        // A persistent error of 0.5 at every position loses only the edges' share to the smoothing.
        float[] offset = new float[40];
        Arrays.fill(offset, 0.5f);
        float smooth = ErrorMetric.SIGNAL_MSE_SMOOTH9.score(unit(40), new float[40], offset, 0);
        assertThat(smooth).isLessThan(0.25f).isGreaterThan(0.25f * 0.85f);
        double[] positions = new double[40];
        ErrorMetric.SIGNAL_MSE_SMOOTH9.score(unit(40), new float[40], offset, 0, positions);
        assertThat(positions[20]).isCloseTo(0.25, within(1e-12));
        assertThat(positions[0]).isCloseTo(0.25 * 25 / 81, within(1e-12));
    }

    @Test
    void theSmoothedMetricsWeighPositionsByTheScalersRanges() {
        MinMaxScaler scaler = scaler(new float[] {0f, 0f, 0f}, new float[] {2f, 2f, 2f});
        float[] scaled = {0f, 0f, 0f};
        float[] reconstruction = {0.5f, 0.5f, 0.5f};
        // Signal differences 1, 1, 1; window 5 over 3 positions: every window holds all three, 3 / 5.
        assertThat(ErrorMetric.SIGNAL_MSE_SMOOTH5.score(scaler, scaled, reconstruction, 0))
                .isCloseTo(0.36f, within(1e-6f));
    }

    @Test
    void scoresTheBeatAtItsOffsetInABatch() {
        float[] batch = {9f, 9f, 0f, 1f};
        float[] reconstruction = {0f, 0f, 0f, 1f};
        assertThat(ErrorMetric.MSE.score(unit(2), batch, reconstruction, 2)).isZero();
        assertThat(ErrorMetric.MSE.score(unit(2), batch, reconstruction, 0)).isEqualTo(81f);
    }

    @Test
    void idsRoundTripAndUnknownIsRejected() {
        for (ErrorMetric m : ErrorMetric.values()) {
            assertThat(ErrorMetric.fromId(m.id())).isEqualTo(m);
        }
        assertThat(ErrorMetric.fromId("MSLE")).isEqualTo(ErrorMetric.MSLE);
        assertThat(ErrorMetric.MSLE_SIGNED.id()).isEqualTo("msle-signed");
        assertThat(ErrorMetric.SIGNAL_MSE.id()).isEqualTo("signal-mse");
        assertThatThrownBy(() -> ErrorMetric.fromId("rmse"))
                .hasMessageContaining("unknown error metric 'rmse'")
                .hasMessageContaining("msle-signed");
    }
}
