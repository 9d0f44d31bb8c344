package ecgdetector.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    // Powers of two keep every score exact in float and double, so "equal to the threshold" is
    // really equal.
    static final float[] SCORES = {0.875f, 0.75f, 0.5f, 0.625f, 0.375f, 0.25f, 0.375f, 0.125f, 0.0625f, 0.03125f};
    static final boolean[] IS_ANOMALY = {true, true, true, false, true, true, false, false, false, false};
    static final double THRESHOLD = 0.375;

    @Test
    void countsWithStrictlyGreaterThanThreshold() {
        // score   label    score > 0.375?  cell
        // 0.875   anomaly  yes             TP
        // 0.75    anomaly  yes             TP
        // 0.5     anomaly  yes             TP
        // 0.625   normal   yes             FP
        // 0.375   anomaly  no (equal)      FN
        // 0.25    anomaly  no              FN
        // 0.375   normal   no (equal)      TN
        // 0.125, 0.0625, 0.03125 normal no TN x3
        ConfusionMatrix m = ConfusionMatrix.of(SCORES, IS_ANOMALY, THRESHOLD);

        assertThat(m).isEqualTo(new ConfusionMatrix(3, 1, 4, 2));
        assertThat(m.total()).isEqualTo(10);
        assertThat(m.actualAnomalies()).isEqualTo(5);
        assertThat(m.actualNormals()).isEqualTo(5);
    }

    @Test
    void metricsOfTheExample() {
        ConfusionMatrix m = new ConfusionMatrix(3, 1, 4, 2);

        // (3 + 4) / 10
        assertThat(m.accuracy()).isCloseTo(0.7, within(1e-12));
        // 3 / (3 + 1)
        assertThat(m.precision()).isCloseTo(0.75, within(1e-12));
        // 3 / (3 + 2)
        assertThat(m.recall()).isCloseTo(0.6, within(1e-12));
        // 2 * 0.75 * 0.6 / (0.75 + 0.6) = 0.9 / 1.35 = 2/3 = 2*3 / (2*3 + 1 + 2)
        assertThat(m.f1()).isCloseTo(2.0 / 3.0, within(1e-12));
        // 1 / (1 + 4)
        assertThat(m.falsePositiveRate()).isCloseTo(0.2, within(1e-12));
    }

    @Test
    void zeroDenominatorsGiveZero() {
        // Nothing predicted anomalous, no anomalies present.
        ConfusionMatrix allNormal = new ConfusionMatrix(0, 0, 5, 0);
        assertThat(allNormal.accuracy()).isEqualTo(1.0);
        assertThat(allNormal.precision()).isZero();
        assertThat(allNormal.recall()).isZero();
        assertThat(allNormal.f1()).isZero();

        // Anomalies present but all missed: precision has no predicted positives.
        ConfusionMatrix allMissed = new ConfusionMatrix(0, 0, 2, 3);
        assertThat(allMissed.precision()).isZero();
        assertThat(allMissed.recall()).isZero();
        assertThat(allMissed.f1()).isZero();
        assertThat(allMissed.accuracy()).isCloseTo(0.4, within(1e-12));

        // No normal beats: the false-positive rate has nothing to divide by.
        assertThat(new ConfusionMatrix(2, 0, 0, 1).falsePositiveRate()).isZero();

        ConfusionMatrix empty = new ConfusionMatrix(0, 0, 0, 0);
        assertThat(empty.accuracy()).isZero();
        assertThat(empty.precision()).isZero();
        assertThat(empty.recall()).isZero();
        assertThat(empty.f1()).isZero();
    }

    @Test
    void perfectDetector() {
        ConfusionMatrix m = new ConfusionMatrix(4, 0, 6, 0);
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.precision()).isEqualTo(1.0);
        assertThat(m.recall()).isEqualTo(1.0);
        assertThat(m.f1()).isEqualTo(1.0);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> new ConfusionMatrix(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConfusionMatrix.of(new float[] {1f, 2f}, new boolean[] {true}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 scores, 1 labels");
        assertThatThrownBy(() -> ConfusionMatrix.of(new float[] {1f, Float.NaN}, new boolean[] {true, false}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scores[1] is NaN");
        assertThatThrownBy(() -> ConfusionMatrix.of(new float[] {1f}, new boolean[] {true}, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold");
    }
}
