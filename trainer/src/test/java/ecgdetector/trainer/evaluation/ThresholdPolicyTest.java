package ecgdetector.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ThresholdPolicyTest {

    private static final double EPS = 1e-9;

    // mean = 40 / 8 = 5; squared deviations 9 1 1 1 0 0 4 16 sum to 32; population variance
    // 32 / 8 = 4, std = 2 (the sample std, ddof = 1, would be sqrt(32 / 7) = 2.138).
    private static final float[] TRAINING = {2, 4, 4, 4, 5, 5, 7, 9};

    @Test
    void meanPlusStdUsesThePopulationStd() {
        assertThat(new ThresholdPolicy.MeanPlusStd(1).threshold(TRAINING)).isCloseTo(7.0, within(EPS));
        assertThat(new ThresholdPolicy.MeanPlusStd(2.5).threshold(TRAINING)).isCloseTo(10.0, within(EPS));
        assertThat(new ThresholdPolicy.MeanPlusStd(0).threshold(TRAINING)).isCloseTo(5.0, within(EPS));
        assertThat(ThresholdPolicy.DEFAULT.threshold(CalibrationData.of(TRAINING)))
                .isCloseTo(7.0, within(EPS));
    }

    @Test
    void meanPlusStdOfAnotherSample() {
        // mean 2.5, squared deviations 2.25 0.25 0.25 2.25 -> variance 5/4, std sqrt(5)/2.
        float[] errors = {4, 1, 3, 2};
        assertThat(new ThresholdPolicy.MeanPlusStd(1).threshold(errors)).isCloseTo(2.5 + Math.sqrt(5) / 2, within(EPS));
    }

    @Test
    void percentileInterpolatesLinearlyLikeNumpy() {
        float[] errors = {5, 1, 4, 2, 3}; // sorted 1 2 3 4 5 at positions 0..4
        // position = (n - 1) * p / 100 = 4 * p / 100
        assertThat(new ThresholdPolicy.Percentile(50).threshold(errors)).isCloseTo(3.0, within(EPS));
        // 3.6 -> 4 + 0.6 * (5 - 4)
        assertThat(new ThresholdPolicy.Percentile(90).threshold(errors)).isCloseTo(4.6, within(EPS));
        // 3.96 -> 4.96
        assertThat(new ThresholdPolicy.Percentile(99).threshold(errors)).isCloseTo(4.96, within(EPS));
        // 3.98 -> 4.98
        assertThat(new ThresholdPolicy.Percentile(99.5).threshold(errors)).isCloseTo(4.98, within(EPS));
        assertThat(new ThresholdPolicy.Percentile(0).threshold(errors)).isEqualTo(1.0);
        assertThat(new ThresholdPolicy.Percentile(100).threshold(errors)).isEqualTo(5.0);

        // np.percentile([10, 20, 30, 40], 25) == 17.5: position 3 * 0.25 = 0.75 -> 10 + 0.75 * 10
        assertThat(new ThresholdPolicy.Percentile(25).threshold(new float[] {40, 10, 30, 20}))
                .isCloseTo(17.5, within(EPS));
        assertThat(new ThresholdPolicy.Percentile(99).threshold(CalibrationData.of(errors)))
                .isCloseTo(4.96, within(EPS));
    }

    @Test
    void singleErrorIsItsOwnThreshold() {
        float[] one = {0.25f};
        assertThat(new ThresholdPolicy.MeanPlusStd(3).threshold(one)).isEqualTo(0.25);
        assertThat(new ThresholdPolicy.Percentile(99).threshold(one)).isEqualTo(0.25);
    }

    @Test
    void statisticalPoliciesNeedTrainingErrors() {
        assertThatThrownBy(() -> new ThresholdPolicy.MeanPlusStd(1).threshold(new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no normal training errors");
        assertThatThrownBy(() -> new ThresholdPolicy.Percentile(99).threshold(new float[] {1, Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("normalTrainingErrors[1] is NaN");
    }

    @Test
    void bestF1PicksTheMidpointWithTheHighestF1() {
        // Validation: scores 1..6, P = 3 (scores 3, 5, 6), N = 3 (scores 1, 2, 4).
        // F1 = 2tp / (2tp + fp + fn) at each midpoint:
        //   5.5: flags 6          tp 1 fp 0 fn 2 -> 2/4 = 0.5
        //   4.5: flags 6 5        tp 2 fp 0 fn 1 -> 4/5 = 0.8
        //   3.5: flags 6 5 4      tp 2 fp 1 fn 1 -> 4/6 = 0.667
        //   2.5: flags 6 5 4 3    tp 3 fp 1 fn 0 -> 6/7 = 0.857  <- best
        //   1.5: flags all but 1  tp 3 fp 2 fn 0 -> 6/8 = 0.75
        float[] scores = {1, 2, 3, 4, 5, 6};
        boolean[] isAnomaly = {false, false, true, false, true, true};

        double threshold = new ThresholdPolicy.BestF1().threshold(scores, isAnomaly);

        assertThat(threshold).isEqualTo(2.5);
        assertThat(ConfusionMatrix.of(scores, isAnomaly, threshold).f1()).isCloseTo(6.0 / 7, within(EPS));
        assertThat(ThresholdPolicy.BEST_F1.threshold(CalibrationData.of(new float[] {1}, scores, isAnomaly)))
                .isEqualTo(2.5);
    }

    @Test
    void bestF1BreaksTiesTowardsTheLowestThreshold() {
        // Scores 5(A) 4(N) 3(N) 2(A) 1(N), P = 2:
        //   4.5: tp 1 fp 0 fn 1 -> 2/3
        //   3.5: tp 1 fp 1 fn 1 -> 2/4
        //   2.5: tp 1 fp 2 fn 1 -> 2/5
        //   1.5: tp 2 fp 2 fn 0 -> 4/6 = 2/3  <- ties 4.5, lower wins
        float[] scores = {5, 4, 3, 2, 1};
        boolean[] isAnomaly = {true, false, false, true, false};

        assertThat(new ThresholdPolicy.BestF1().threshold(scores, isAnomaly)).isEqualTo(1.5);
    }

    @Test
    void bestF1TreatsTiedScoresAsOneCandidateBoundary() {
        // Distinct scores 3, 2, 1: candidates 2.5 and 1.5 only, never between the two 2s.
        //   2.5: tp 1 fp 0 fn 1 -> 2/3
        //   1.5: tp 2 fp 1 fn 0 -> 4/5  <- best
        float[] scores = {3, 2, 2, 1};
        boolean[] isAnomaly = {true, true, false, false};

        assertThat(new ThresholdPolicy.BestF1().threshold(scores, isAnomaly)).isEqualTo(1.5);
    }

    @Test
    void bestF1MatchesABruteForceSearch() {
        Random random = new Random(11);
        for (int trial = 0; trial < 50; trial++) {
            int n = 3 + random.nextInt(40);
            float[] scores = new float[n];
            boolean[] isAnomaly = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i] = random.nextInt(10) / 4f;
                isAnomaly[i] = random.nextBoolean();
            }
            isAnomaly[0] = true;
            isAnomaly[1] = false;
            scores[0] = 9; // at least two distinct scores
            scores[1] = 0;

            float[] sorted = scores.clone();
            java.util.Arrays.sort(sorted);
            double best = Double.NaN;
            double bestF1 = -1;
            for (int i = sorted.length - 1; i > 0; i--) {
                if (sorted[i] == sorted[i - 1]) {
                    continue;
                }
                double candidate = ((double) sorted[i] + sorted[i - 1]) / 2;
                double f1 = ConfusionMatrix.of(scores, isAnomaly, candidate).f1();
                if (f1 >= bestF1) { // walking downwards: >= keeps the lowest of equals
                    bestF1 = f1;
                    best = candidate;
                }
            }
            assertThat(new ThresholdPolicy.BestF1().threshold(scores, isAnomaly))
                    .isEqualTo(best);
        }
    }

    @Test
    void bestF1FailsClearly() {
        assertThatThrownBy(() -> ThresholdPolicy.BEST_F1.threshold(CalibrationData.of(TRAINING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs labelled validation beats");
        assertThatThrownBy(
                        () -> new ThresholdPolicy.BestF1().threshold(new float[] {1, 2}, new boolean[] {false, false}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both classes");
        assertThatThrownBy(
                        () -> new ThresholdPolicy.BestF1().threshold(new float[] {3, 3}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two distinct validation scores");
    }

    @Test
    void minRecallIsTheHighestThresholdThatFlagsEnoughValidationAnomalies() {
        // Anomalies 0.9 0.8 0.6 0.3, normals 0.7 0.5 0.2 0.1.
        float[] scores = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.3f, 0.2f, 0.1f};
        boolean[] isAnomaly = {true, true, false, true, false, true, false, false};
        // Half of four anomalies: the two highest; just below 0.8 is the midpoint to 0.7.
        assertThat(new ThresholdPolicy.MinRecall(0.5).threshold(scores, isAnomaly))
                .isEqualTo(((double) 0.8f + 0.7f) / 2);
        // 0.51 of four is more than two: three, down to 0.6.
        assertThat(new ThresholdPolicy.MinRecall(0.51).threshold(scores, isAnomaly))
                .isEqualTo(((double) 0.6f + 0.5f) / 2);
        // 0.75 of four is exactly three, not four through rounding noise.
        assertThat(new ThresholdPolicy.MinRecall(0.75).threshold(scores, isAnomaly))
                .isEqualTo(((double) 0.6f + 0.5f) / 2);
        assertThat(new ThresholdPolicy.MinRecall(1).threshold(scores, isAnomaly))
                .isEqualTo(((double) 0.3f + 0.2f) / 2);
    }

    @Test
    void minRecallReachesEveryAnomalyEvenBelowTheLowestScore() {
        float[] scores = {0.4f, 0.2f, 0.1f};
        boolean[] isAnomaly = {false, false, true};
        double threshold = new ThresholdPolicy.MinRecall(1).threshold(scores, isAnomaly);
        assertThat(threshold).isLessThan(0.1f);
        assertThat(ConfusionMatrix.of(scores, isAnomaly, threshold).recall()).isEqualTo(1.0);
    }

    @Test
    void minRecallHoldsItsPromiseOnTheValidationBeats() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            int n = 2 + random.nextInt(60);
            float[] scores = new float[n];
            boolean[] isAnomaly = new boolean[n];
            for (int i = 0; i < n; i++) {
                isAnomaly[i] = i == 0 || random.nextBoolean();
                scores[i] = random.nextInt(20) / 4f + (isAnomaly[i] ? 1 : 0);
            }
            double target = 0.5 + random.nextInt(51) / 100.0;
            ThresholdPolicy.MinRecall policy = new ThresholdPolicy.MinRecall(target);
            double threshold = policy.threshold(scores, isAnomaly);
            assertThat(ConfusionMatrix.of(scores, isAnomaly, threshold).recall())
                    .as("round %d", round)
                    .isGreaterThanOrEqualTo(target - 1e-12);
            // The next distinct score up would lose it: no higher threshold keeps the promise.
            double higher = Double.POSITIVE_INFINITY;
            for (float s : scores) {
                if (s > threshold && s < higher) {
                    higher = s;
                }
            }
            if (higher != Double.POSITIVE_INFINITY) {
                assertThat(ConfusionMatrix.of(scores, isAnomaly, higher).recall())
                        .as("round %d", round)
                        .isLessThan(target);
            }
        }
    }

    @Test
    void minRecallFailsClearly() {
        assertThatThrownBy(() -> ThresholdPolicy.parse("recall>=0.99").threshold(CalibrationData.of(TRAINING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recall>=0.99 needs labelled validation beats");
        assertThatThrownBy(() -> new ThresholdPolicy.MinRecall(0.9).threshold(new float[] {1, 2}, new boolean[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs validation anomalies");
        assertThatThrownBy(() -> ThresholdPolicy.parse("recall>=1.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new ThresholdPolicy.MinRecall(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesTheCanonicalForms() {
        assertThat(ThresholdPolicy.parse("mean+1std")).isEqualTo(new ThresholdPolicy.MeanPlusStd(1));
        assertThat(ThresholdPolicy.parse("mean+2.5std")).isEqualTo(new ThresholdPolicy.MeanPlusStd(2.5));
        assertThat(ThresholdPolicy.parse("p99")).isEqualTo(new ThresholdPolicy.Percentile(99));
        assertThat(ThresholdPolicy.parse("p99.5")).isEqualTo(new ThresholdPolicy.Percentile(99.5));
        assertThat(ThresholdPolicy.parse("best-f1")).isEqualTo(ThresholdPolicy.BEST_F1);
        assertThat(ThresholdPolicy.parse("recall>=0.99")).isEqualTo(new ThresholdPolicy.MinRecall(0.99));
    }

    @Test
    void parsingIgnoresCaseAndBlanksAndAcceptsMeanPlusStd() {
        assertThat(ThresholdPolicy.parse("  MEAN+2STD ")).isEqualTo(new ThresholdPolicy.MeanPlusStd(2));
        assertThat(ThresholdPolicy.parse("mean+std")).isEqualTo(ThresholdPolicy.DEFAULT);
        assertThat(ThresholdPolicy.parse("P95")).isEqualTo(new ThresholdPolicy.Percentile(95));
        assertThat(ThresholdPolicy.parse("Best-F1")).isEqualTo(ThresholdPolicy.BEST_F1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "mean+1std",
                "mean+2.5std",
                "mean+0std",
                "p99",
                "p99.5",
                "p0",
                "p100",
                "best-f1",
                "recall>=0.99",
                "recall>=1"
            })
    void describeIsCanonicalAndRoundTrips(String canonical) {
        ThresholdPolicy policy = ThresholdPolicy.parse(canonical);
        assertThat(policy.describe()).isEqualTo(canonical);
        assertThat(policy).hasToString(canonical);
        assertThat(ThresholdPolicy.parse(policy.describe())).isEqualTo(policy);
    }

    @Test
    void describeDropsTrailingZeros() {
        assertThat(ThresholdPolicy.parse("mean+2.50std").describe()).isEqualTo("mean+2.5std");
        assertThat(new ThresholdPolicy.Percentile(99.0).describe()).isEqualTo("p99");
        assertThat(new ThresholdPolicy.MeanPlusStd(3).describe()).isEqualTo("mean+3std");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "median",
                "mean",
                "mean+1",
                "mean+1.std",
                "mean-1std",
                "mean+-1std",
                "p",
                "p-5",
                "p9x",
                "99",
                "bestf1",
                "best-f2",
                "mean+1std,p99"
            })
    void unknownFormsNameTheAcceptedOnes(String text) {
        assertThatThrownBy(() -> ThresholdPolicy.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown threshold policy '" + text + "'")
                .hasMessageContaining("mean+<k>std")
                .hasMessageContaining("p<percentile>")
                .hasMessageContaining("recall>=<share>")
                .hasMessageContaining("best-f1");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void emptyInputIsRejected(String text) {
        assertThatThrownBy(() -> ThresholdPolicy.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty threshold policy")
                .hasMessageContaining("expected");
    }

    @Test
    void percentileAbove100IsRejectedWithItsRange() {
        assertThatThrownBy(() -> ThresholdPolicy.parse("p100.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 100")
                .hasMessageContaining("100.5");
        assertThatThrownBy(() -> new ThresholdPolicy.Percentile(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThresholdPolicy.MeanPlusStd(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThresholdPolicy.MeanPlusStd(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
