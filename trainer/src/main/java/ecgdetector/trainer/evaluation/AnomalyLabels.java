package ecgdetector.trainer.evaluation;

import java.util.Objects;

/**
 * Converts the dataset's label column into the {@code isAnomaly} flags this package works with.
 *
 * <p>The ECG dataset marks a <em>normal</em> beat with 1.0 and an abnormal one with 0.0, which is
 * the opposite of the evaluation's convention (the anomaly is the positive class). Converting once,
 * here, keeps that inversion out of every metric.
 */
public final class AnomalyLabels {

    /** The dataset's label of a normal beat. */
    public static final double DATASET_NORMAL = 1.0;

    /** The dataset's label of an abnormal beat. */
    public static final double DATASET_ABNORMAL = 0.0;

    private AnomalyLabels() {}

    /**
     * {@code isAnomaly[i]} is true iff {@code datasetLabels[i] == 0.0}.
     *
     * @throws IllegalArgumentException for any label other than 0.0 or 1.0, since guessing would
     *     silently corrupt every metric
     */
    public static boolean[] fromDatasetLabels(float[] datasetLabels) {
        Objects.requireNonNull(datasetLabels, "datasetLabels");
        boolean[] isAnomaly = new boolean[datasetLabels.length];
        for (int i = 0; i < datasetLabels.length; i++) {
            isAnomaly[i] = isAnomaly(datasetLabels[i], i);
        }
        return isAnomaly;
    }

    /** As {@link #fromDatasetLabels(float[])}. */
    public static boolean[] fromDatasetLabels(double[] datasetLabels) {
        Objects.requireNonNull(datasetLabels, "datasetLabels");
        boolean[] isAnomaly = new boolean[datasetLabels.length];
        for (int i = 0; i < datasetLabels.length; i++) {
            isAnomaly[i] = isAnomaly(datasetLabels[i], i);
        }
        return isAnomaly;
    }

    private static boolean isAnomaly(double label, int index) {
        if (label == DATASET_NORMAL) {
            return false;
        }
        if (label == DATASET_ABNORMAL) {
            return true;
        }
        throw new IllegalArgumentException(
                "label["
                        + index
                        + "] is "
                        + label
                        + "; the dataset labels a normal beat 1.0 and an abnormal beat 0.0");
    }
}
