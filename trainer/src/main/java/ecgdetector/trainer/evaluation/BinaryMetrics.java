package ecgdetector.trainer.evaluation;

import java.util.Locale;
import java.util.Objects;

/**
 * The evaluation of one threshold on one labelled set, anomaly being the positive class. The ratios
 * repeat what {@link #confusion()} implies so that the record serializes to a self-explanatory
 * report; {@link #of} and {@link #evaluate} keep them consistent.
 *
 * @param threshold predicted anomaly iff score > threshold
 * @param confusion the counts at that threshold
 * @param accuracy see {@link ConfusionMatrix#accuracy()}
 * @param precision see {@link ConfusionMatrix#precision()}
 * @param recall see {@link ConfusionMatrix#recall()}
 * @param f1 see {@link ConfusionMatrix#f1()}
 * @param rocAuc threshold-independent: see {@link RocCurve#auc()}
 * @param prAuc threshold-independent: see {@link AveragePrecision}
 */
public record BinaryMetrics(
        double threshold,
        ConfusionMatrix confusion,
        double accuracy,
        double precision,
        double recall,
        double f1,
        double rocAuc,
        double prAuc) {

    public BinaryMetrics {
        Checks.notNaN(threshold, "threshold");
        Objects.requireNonNull(confusion, "confusion");
        requireUnit(accuracy, "accuracy");
        requireUnit(precision, "precision");
        requireUnit(recall, "recall");
        requireUnit(f1, "f1");
        requireUnit(rocAuc, "rocAuc");
        requireUnit(prAuc, "prAuc");
    }

    /** Bundles {@code confusion}'s ratios with areas computed elsewhere. */
    public static BinaryMetrics of(double threshold, ConfusionMatrix confusion, double rocAuc, double prAuc) {
        return new BinaryMetrics(
                threshold,
                confusion,
                confusion.accuracy(),
                confusion.precision(),
                confusion.recall(),
                confusion.f1(),
                rocAuc,
                prAuc);
    }

    /**
     * Scores a labelled set (normally the test set) at {@code threshold}.
     *
     * @throws IllegalArgumentException as {@link ConfusionMatrix#of} and {@link RocCurve#of}, in
     *     particular if either class is missing
     */
    public static BinaryMetrics evaluate(float[] scores, boolean[] isAnomaly, double threshold) {
        return of(
                threshold,
                ConfusionMatrix.of(scores, isAnomaly, threshold),
                RocCurve.of(scores, isAnomaly).auc(),
                AveragePrecision.of(scores, isAnomaly));
    }

    /**
     * One line for logs, e.g. {@code threshold=0.031 accuracy=0.944 ... (tp=.. fp=.. tn=.. fn=..)}.
     */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "threshold=%.6g accuracy=%.4f precision=%.4f recall=%.4f f1=%.4f roc_auc=%.4f pr_auc=%.4f"
                        + " (tp=%d fp=%d tn=%d fn=%d)",
                threshold,
                accuracy,
                precision,
                recall,
                f1,
                rocAuc,
                prAuc,
                confusion.tp(),
                confusion.fp(),
                confusion.tn(),
                confusion.fn());
    }

    private static void requireUnit(double value, String what) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1], got " + value);
        }
    }
}
