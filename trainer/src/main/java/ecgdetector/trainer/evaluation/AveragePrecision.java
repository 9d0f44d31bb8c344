package ecgdetector.trainer.evaluation;

/**
 * Area under the precision-recall curve as average precision, anomaly being the positive class: the mean,
 * over the anomalies, of the precision at the threshold that first flags each one. Written as a sum over the
 * operating points: {@code sum (R_g - R_{g-1}) * P_g}, with tied scores flagged together as one point (the
 * step-wise rule of scikit-learn's {@code average_precision_score}, no interpolation).
 *
 * <p>Unlike ROC-AUC it depends on the share of anomalies in the set: a random ranking scores that share.
 */
public final class AveragePrecision {

    private AveragePrecision() {}

    /**
     * @throws IllegalArgumentException if the arrays differ in length, a score is not finite, or there is
     *     no anomaly (the curve is then undefined)
     */
    public static double of(float[] scores, boolean[] isAnomaly) {
        ScoreSweep sweep = ScoreSweep.of(scores, isAnomaly);
        if (sweep.positives == 0) {
            throw new IllegalArgumentException("average precision needs at least one abnormal beat, got none");
        }
        double sum = 0;
        long previousTp = 0;
        for (int g = 0; g < sweep.groups(); g++) {
            long tp = sweep.cumulativeTp[g];
            if (tp > previousTp) {
                sum += (double) (tp - previousTp) * tp / (tp + sweep.cumulativeFp[g]);
            }
            previousTp = tp;
        }
        return sum / sweep.positives;
    }
}
