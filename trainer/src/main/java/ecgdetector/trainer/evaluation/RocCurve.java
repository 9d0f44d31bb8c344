package ecgdetector.trainer.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Receiver operating characteristic of anomaly scores, the anomaly being the positive class.
 *
 * <p>The curve has one point per distinct score plus the origin. Tied scores cannot be separated by
 * any threshold, so a group of ties moves the curve in a single (possibly diagonal) step; with the
 * trapezoid rule that diagonal counts each tied (anomaly, normal) pair as half a correct ordering,
 * which makes {@link #auc()} equal to the Mann-Whitney U statistic divided by P·N.
 */
public final class RocCurve {

    /**
     * One operating point. {@code threshold} uses the project's rule, predicted anomaly iff {@code
     * score > threshold}: {@code ConfusionMatrix.of(scores, isAnomaly, threshold)} reproduces
     * exactly this {@code fpr} and {@code tpr}. It is the next lower distinct score (any value from
     * there up to, excluding, the group's own score would give the same point), the maximum score
     * for the origin, and {@code -Infinity} for (1, 1).
     */
    public record Point(double fpr, double tpr, double threshold) {}

    private final List<Point> points;
    private final int positives;
    private final int negatives;
    private final double auc;

    private RocCurve(List<Point> points, int positives, int negatives, double auc) {
        this.points = List.copyOf(points);
        this.positives = positives;
        this.negatives = negatives;
        this.auc = auc;
    }

    /**
     * @param scores anomaly scores (reconstruction errors), higher meaning more anomalous
     * @param isAnomaly true for abnormal beats
     * @throws IllegalArgumentException if the arrays differ in length, a score is not finite, or
     *     either class is missing (the curve, and its area, are then undefined)
     */
    public static RocCurve of(float[] scores, boolean[] isAnomaly) {
        ScoreSweep sweep = ScoreSweep.of(scores, isAnomaly);
        int positives = sweep.positives;
        int negatives = sweep.negatives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("a ROC curve needs both classes, got "
                    + positives
                    + " abnormal and "
                    + negatives
                    + " normal beats");
        }

        int groups = sweep.groups();
        List<Point> points = new ArrayList<>(groups + 1);
        points.add(new Point(0.0, 0.0, sweep.groupScores[0]));
        long previousTp = 0;
        long previousFp = 0;
        // Twice the area in units of one (anomaly, normal) pair: integer, hence exact.
        long twiceArea = 0;
        for (int g = 0; g < groups; g++) {
            long tp = sweep.cumulativeTp[g];
            long fp = sweep.cumulativeFp[g];
            twiceArea += (fp - previousFp) * (tp + previousTp);
            double threshold = g + 1 < groups ? sweep.groupScores[g + 1] : Double.NEGATIVE_INFINITY;
            points.add(new Point((double) fp / negatives, (double) tp / positives, threshold));
            previousTp = tp;
            previousFp = fp;
        }
        double auc = twiceArea / (2.0 * positives * negatives);
        return new RocCurve(points, positives, negatives, auc);
    }

    /** From (0, 0) to (1, 1), false-positive rate and true-positive rate non-decreasing. */
    public List<Point> points() {
        return points;
    }

    /** The false-positive rates of {@link #points()}, for plotting. */
    public double[] fpr() {
        return points.stream().mapToDouble(Point::fpr).toArray();
    }

    /** The true-positive rates of {@link #points()}, for plotting. */
    public double[] tpr() {
        return points.stream().mapToDouble(Point::tpr).toArray();
    }

    /**
     * Area under the curve by the trapezoid rule: the probability that a random abnormal beat
     * scores higher than a random normal one, ties counting one half. 1 is a perfect ranking, 0.5
     * chance, 0 a perfectly inverted one.
     */
    public double auc() {
        return auc;
    }

    /** Number of abnormal beats (P). */
    public int positives() {
        return positives;
    }

    /** Number of normal beats (N). */
    public int negatives() {
        return negatives;
    }

    @Override
    public String toString() {
        return "RocCurve[auc=" + auc + ", points=" + points.size() + ", P=" + positives + ", N=" + negatives + "]";
    }
}
