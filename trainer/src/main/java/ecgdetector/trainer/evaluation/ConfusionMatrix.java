package ecgdetector.trainer.evaluation;

import ecgdetector.model.scoring.AnomalyRule;

/**
 * Counts of a binary anomaly detector's decisions. <b>The anomaly is the positive class</b>: a true
 * positive is an abnormal beat flagged as an anomaly, a false positive a normal beat flagged as
 * one.
 *
 * <p>Ratios whose denominator is zero are defined as 0 rather than NaN (scikit-learn's {@code
 * zero_division=0}), so that a degenerate detector scores badly instead of poisoning averages and
 * JSON output:
 *
 * <ul>
 *   <li>{@link #accuracy()} of an empty matrix is 0;
 *   <li>{@link #precision()} with no predicted anomalies (tp + fp = 0) is 0;
 *   <li>{@link #recall()} with no actual anomalies (tp + fn = 0) is 0;
 *   <li>{@link #f1()} is 0 whenever tp = 0, including when precision and recall are both 0.
 * </ul>
 *
 * @param tp abnormal beats predicted abnormal
 * @param fp normal beats predicted abnormal
 * @param tn normal beats predicted normal
 * @param fn abnormal beats predicted normal
 */
public record ConfusionMatrix(int tp, int fp, int tn, int fn) {

    public ConfusionMatrix {
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
            throw new IllegalArgumentException(
                    "counts must be >= 0: tp=" + tp + " fp=" + fp + " tn=" + tn + " fn=" + fn);
        }
    }

    /**
     * Applies {@code threshold} to {@code scores}: beat {@code i} is predicted anomalous iff {@code
     * scores[i] > threshold} (strictly), and compared with {@code isAnomaly[i]}.
     *
     * <p>Labels from the dataset (1.0 normal, 0.0 abnormal) become anomaly flags in {@code
     * Heartbeats#isAnomaly()}.
     *
     * @throws IllegalArgumentException if the arrays differ in length, a score is NaN or infinite,
     *     or the threshold is NaN
     */
    public static ConfusionMatrix of(float[] scores, boolean[] isAnomaly, double threshold) {
        Checks.scoresAndLabels(scores, isAnomaly);
        Checks.notNaN(threshold, "threshold");
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean predicted = AnomalyRule.isAnomaly(scores[i], threshold);
            if (isAnomaly[i]) {
                if (predicted) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (predicted) {
                fp++;
            } else {
                tn++;
            }
        }
        return new ConfusionMatrix(tp, fp, tn, fn);
    }

    public int total() {
        return tp + fp + tn + fn;
    }

    /** Beats that really are abnormal: tp + fn. */
    public int actualAnomalies() {
        return tp + fn;
    }

    /** Beats that really are normal: tn + fp. */
    public int actualNormals() {
        return tn + fp;
    }

    /** (tp + tn) / total; 0 for an empty matrix. */
    public double accuracy() {
        return ratio(tp + (long) tn, total());
    }

    /** tp / (tp + fp); 0 when nothing was predicted anomalous. */
    public double precision() {
        return ratio(tp, tp + (long) fp);
    }

    /** tp / (tp + fn), the true-positive rate; 0 when there are no actual anomalies. */
    public double recall() {
        return ratio(tp, tp + (long) fn);
    }

    /** fp / (fp + tn); 0 when there are no actual normal beats. */
    public double falsePositiveRate() {
        return ratio(fp, fp + (long) tn);
    }

    /**
     * 2·tp / (2·tp + fp + fn), which is the harmonic mean of precision and recall whenever both are
     * defined, and 0 when tp = 0.
     */
    public double f1() {
        return ratio(2L * tp, 2L * tp + fp + fn);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }
}
