package ecgdetector.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RocCurveTest {

    private static final double EPS = 1e-12;

    @Test
    void tiesFormOneStepAndCountHalfInTheAuc() {
        // Abnormal beats score 9, 6, 6, 3; normal beats 6, 4, 2 (P = 4, N = 3, 12 pairs).
        //
        // Mann-Whitney, one point per (abnormal, normal) pair with abnormal above, 1/2 per tie:
        //   9 beats 6, 4, 2                      -> 3
        //   6 ties 6, beats 4, 2  (twice)        -> 2 * 2.5 = 5
        //   3 loses to 6, 4, beats 2             -> 1
        //   U = 9, AUC = 9 / 12 = 0.75
        //
        // Curve, lowering the threshold through the distinct scores 9 > 6 > 4 > 3 > 2:
        //   start             tp 0 fp 0  (0,   0)
        //   take 9            tp 1 fp 0  (0,   1/4)
        //   take the 6s       tp 3 fp 1  (1/3, 3/4)   one diagonal step for the tie group
        //   take 4            tp 3 fp 2  (2/3, 3/4)
        //   take 3            tp 4 fp 2  (2/3, 1)
        //   take 2            tp 4 fp 3  (1,   1)
        // Trapezoids: 0 + 1/3 * (1/4 + 3/4) / 2 + 1/3 * 3/4 + 0 + 1/3 * 1 = 1/6 + 1/4 + 1/3 = 3/4.
        float[] scores = {9, 6, 6, 3, 6, 4, 2};
        boolean[] isAnomaly = {true, true, true, true, false, false, false};

        RocCurve roc = RocCurve.of(scores, isAnomaly);

        assertThat(roc.auc()).isCloseTo(0.75, within(EPS));
        assertThat(roc.positives()).isEqualTo(4);
        assertThat(roc.negatives()).isEqualTo(3);
        List<RocCurve.Point> points = roc.points();
        assertThat(points).hasSize(6);
        // Thresholds under "score > threshold": the next lower distinct score.
        assertPoint(points.get(0), 0, 0, 9);
        assertPoint(points.get(1), 0, 0.25, 6);
        assertPoint(points.get(2), 1.0 / 3, 0.75, 4);
        assertPoint(points.get(3), 2.0 / 3, 0.75, 3);
        assertPoint(points.get(4), 2.0 / 3, 1, 2);
        assertPoint(points.get(5), 1, 1, Double.NEGATIVE_INFINITY);
        assertThat(roc.fpr()).hasSize(6).startsWith(0.0).endsWith(1.0);
        assertThat(roc.tpr()).hasSize(6).startsWith(0.0).endsWith(1.0);
    }

    @Test
    void eachPointsThresholdReproducesItThroughTheConfusionMatrix() {
        float[] scores = {9, 6, 6, 3, 6, 4, 2};
        boolean[] isAnomaly = {true, true, true, true, false, false, false};

        for (RocCurve.Point p : RocCurve.of(scores, isAnomaly).points()) {
            ConfusionMatrix m = ConfusionMatrix.of(scores, isAnomaly, p.threshold());
            assertThat(m.falsePositiveRate()).as("fpr at %s", p.threshold()).isCloseTo(p.fpr(), within(EPS));
            assertThat(m.recall()).as("tpr at %s", p.threshold()).isCloseTo(p.tpr(), within(EPS));
        }
    }

    @Test
    void perfectClassifierHasAucOne() {
        float[] scores = {0.1f, 0.2f, 0.3f, 0.7f, 0.8f};
        boolean[] isAnomaly = {false, false, false, true, true};

        RocCurve roc = RocCurve.of(scores, isAnomaly);

        assertThat(roc.auc()).isEqualTo(1.0);
        // Straight up the left edge, then along the top.
        assertThat(roc.points()).extracting(RocCurve.Point::fpr).containsExactly(0.0, 0.0, 0.0, 1.0 / 3, 2.0 / 3, 1.0);
    }

    @Test
    void invertedClassifierHasAucZero() {
        float[] scores = {0.1f, 0.2f, 0.3f, 0.7f, 0.8f};
        boolean[] isAnomaly = {true, true, true, false, false};

        assertThat(RocCurve.of(scores, isAnomaly).auc()).isEqualTo(0.0);
    }

    @Test
    void allScoresTiedIsChance() {
        // One tie group: a single diagonal step from (0, 0) to (1, 1).
        float[] scores = {5, 5, 5, 5};
        boolean[] isAnomaly = {true, false, false, true};

        RocCurve roc = RocCurve.of(scores, isAnomaly);

        assertThat(roc.auc()).isEqualTo(0.5);
        assertThat(roc.points()).hasSize(2);
    }

    @Test
    void aucEqualsMannWhitneyOnRandomTiedData() {
        Random random = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 2 + random.nextInt(60);
            float[] scores = new float[n];
            boolean[] isAnomaly = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i] = random.nextInt(8); // few distinct values: many ties
                isAnomaly[i] = i == 0 || (i != 1 && random.nextBoolean()); // both classes present
            }
            assertThat(RocCurve.of(scores, isAnomaly).auc())
                    .isCloseTo(bruteForceMannWhitney(scores, isAnomaly), within(EPS));
        }
    }

    @Test
    void missingClassFailsClearly() {
        assertThatThrownBy(() -> RocCurve.of(new float[] {1, 2}, new boolean[] {false, false}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs both classes")
                .hasMessageContaining("0 abnormal and 2 normal");
        assertThatThrownBy(() -> RocCurve.of(new float[] {1, 2}, new boolean[] {true, true}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 abnormal and 0 normal");
        assertThatThrownBy(() -> RocCurve.of(new float[0], new boolean[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNonFiniteScores() {
        assertThatThrownBy(() -> RocCurve.of(new float[] {1, Float.POSITIVE_INFINITY}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scores[1] is Infinity");
    }

    private static double bruteForceMannWhitney(float[] scores, boolean[] isAnomaly) {
        double u = 0;
        long pairs = 0;
        for (int a = 0; a < scores.length; a++) {
            if (!isAnomaly[a]) {
                continue;
            }
            for (int n = 0; n < scores.length; n++) {
                if (isAnomaly[n]) {
                    continue;
                }
                pairs++;
                if (scores[a] > scores[n]) {
                    u += 1;
                } else if (scores[a] == scores[n]) {
                    u += 0.5;
                }
            }
        }
        return u / pairs;
    }

    private static void assertPoint(RocCurve.Point p, double fpr, double tpr, double threshold) {
        assertThat(p.fpr()).isCloseTo(fpr, within(EPS));
        assertThat(p.tpr()).isCloseTo(tpr, within(EPS));
        assertThat(p.threshold()).isEqualTo(threshold);
    }
}
