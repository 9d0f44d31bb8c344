package ecgdetector.trainer.evaluation;

import static ecgdetector.trainer.evaluation.ConfusionMatrixTest.IS_ANOMALY;
import static ecgdetector.trainer.evaluation.ConfusionMatrixTest.SCORES;
import static ecgdetector.trainer.evaluation.ConfusionMatrixTest.THRESHOLD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void evaluateBundlesTheConfusionRatiosAndTheAuc() {
        // Confusion at 0.375 is tp 3 fp 1 tn 4 fn 2 (see ConfusionMatrixTest).
        // AUC over the 5 x 5 pairs, ties 1/2:
        //   abnormal 0.875, 0.75 beat all five normals          -> 5 + 5
        //   abnormal 0.5 beats all but 0.625                     -> 4
        //   abnormal 0.375 beats 0.125 0.0625 0.03125, ties 0.375 -> 3.5
        //   abnormal 0.25 beats 0.125 0.0625 0.03125              -> 3
        //   U = 20.5, AUC = 20.5 / 25 = 0.82
        BinaryMetrics metrics = BinaryMetrics.evaluate(SCORES, IS_ANOMALY, THRESHOLD);

        assertThat(metrics.threshold()).isEqualTo(0.375);
        assertThat(metrics.confusion()).isEqualTo(new ConfusionMatrix(3, 1, 4, 2));
        assertThat(metrics.accuracy()).isCloseTo(0.7, within(1e-12));
        assertThat(metrics.precision()).isCloseTo(0.75, within(1e-12));
        assertThat(metrics.recall()).isCloseTo(0.6, within(1e-12));
        assertThat(metrics.f1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(metrics.rocAuc()).isCloseTo(0.82, within(1e-12));
        // Precision where each abnormal beat is first flagged: 1/1, 2/2, 3/4, 4/6 (0.375 ties a normal), 5/7.
        assertThat(metrics.prAuc()).isCloseTo((1 + 1 + 3.0 / 4 + 4.0 / 6 + 5.0 / 7) / 5, within(1e-12));
        assertThat(metrics.summary())
                .isEqualTo("threshold=0.375000 accuracy=0.7000 precision=0.7500 recall=0.6000"
                        + " f1=0.6667 roc_auc=0.8200 pr_auc=0.8262 (tp=3 fp=1 tn=4 fn=2)");
    }

    @Test
    void ofTakesTheRatiosFromTheConfusion() {
        ConfusionMatrix confusion = new ConfusionMatrix(3, 1, 4, 2);
        assertThat(BinaryMetrics.of(0.375, confusion, 0.82, 0.9))
                .isEqualTo(new BinaryMetrics(0.375, confusion, 0.7, 0.75, 0.6, 2.0 / 3, 0.82, 0.9));
    }

    @Test
    void rejectsImpossibleValues() {
        ConfusionMatrix confusion = new ConfusionMatrix(1, 1, 1, 1);
        assertThatThrownBy(() -> new BinaryMetrics(0.1, confusion, 0.5, 0.5, 0.5, 0.5, 1.5, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rocAuc");
        assertThatThrownBy(() -> new BinaryMetrics(0.1, confusion, 0.5, 0.5, 0.5, 0.5, 0.5, -0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prAuc");
        assertThatThrownBy(() -> new BinaryMetrics(Double.NaN, confusion, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> new BinaryMetrics(0.1, null, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5))
                .isInstanceOf(NullPointerException.class);
    }
}
