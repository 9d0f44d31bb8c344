package ecgdetector.model.scoring;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Per-beat reconstruction error between a scaled beat and the model's reconstruction of it. The threshold
 * is chosen on these numbers offline and compared against them live, so both sides call this code.
 *
 * <p>Each metric is a mean over the beat's positions of a per-position error: a difference between the
 * scaled value and its reconstruction, optionally averaged over a window of neighbouring positions, then
 * squared (or, for {@link #MAE}, taken absolute). The difference may depend on the position's scale, the
 * {@link MinMaxScaler}'s {@code max - min} there, which every release carries: the {@code signal-mse} family
 * uses it to measure the error in the signal's own units rather than in scaled units.
 */
public enum ErrorMetric {
    /**
     * Mean squared logarithmic error with Keras' semantics: both sides clipped below at epsilon before
     * {@code log1p}. Without the clip a scaled value below -1 (anomalous beats leave the [0, 1] training
     * range) gives NaN; with it, every value below 0 scores alike.
     */
    MSLE("msle", 1, true, ErrorMetric::clippedLogDifference),
    /**
     * MSLE on both sides of zero: the squared difference of {@code sign(v) * log1p(|v|)}. Equal to {@link
     * #MSLE} where both values are at least epsilon; below zero it keeps telling values apart instead of
     * flattening them to epsilon, so a beat far below the training range scores higher than one just below.
     */
    MSLE_SIGNED("msle-signed", 1, true, (a, r, w) -> signedLog1p(r) - signedLog1p(a)),
    MSE("mse", 1, true, (a, r, w) -> (double) r - a),
    MAE("mae", 1, false, (a, r, w) -> (double) r - a),
    /**
     * Mean squared error in the signal's units: each position's scaled difference times the scaler's range
     * there, i.e. the difference between the raw sample and the reconstruction mapped back to raw units.
     * Per-position scaling stretches the positions where normal beats vary little; this weighs every
     * position by how much normal beats vary there (its weights are the squared ranges of the normal
     * training beats).
     */
    SIGNAL_MSE("signal-mse", 1, true, ErrorMetric::signalDifference),
    /**
     * {@link #SIGNAL_MSE} of the error's moving average over 5 positions: an error that persists over
     * neighbouring samples (a beat of another shape) counts, one that alternates in sign from sample to sample
     * (noise the network does not reproduce) largely cancels. Positions beyond the beat count as no error.
     */
    SIGNAL_MSE_SMOOTH5("signal-mse-smooth5", 5, true, ErrorMetric::signalDifference),
    /** {@link #SIGNAL_MSE_SMOOTH5} over 9 positions. */
    SIGNAL_MSE_SMOOTH9("signal-mse-smooth9", 9, true, ErrorMetric::signalDifference),
    /** {@link #SIGNAL_MSE_SMOOTH5} over 17 positions. */
    SIGNAL_MSE_SMOOTH17("signal-mse-smooth17", 17, true, ErrorMetric::signalDifference);

    /** The signed difference at one position, before any averaging over neighbours and before squaring. */
    @FunctionalInterface
    private interface Difference {
        /**
         * @param scale the scaler's {@code max - min} at this position
         */
        double at(float actual, float reconstructed, float scale);
    }

    static final float KERAS_EPSILON = 1e-7f;

    private final String id;
    private final int window;
    private final boolean squared;
    private final Difference difference;

    ErrorMetric(String id, int window, boolean squared, Difference difference) {
        this.id = id;
        this.window = window;
        this.squared = squared;
        this.difference = difference;
    }

    /** {@link Difference#at}, for the tests that write the definition out. */
    double difference(float actual, float reconstructed, float scale) {
        return difference.at(actual, reconstructed, scale);
    }

    /** How many positions each position's difference is averaged over (odd; 1 = none). */
    public int window() {
        return window;
    }

    /**
     * The error at position {@code i} of the beat at {@code offset}: the difference there, or the mean of the
     * differences over the window centred on it (positions outside the beat adding nothing, the divisor always
     * the window), squared or absolute.
     */
    double positionError(MinMaxScaler scaler, float[] scaled, float[] reconstruction, int offset, int i) {
        double d;
        if (window == 1) {
            d = difference.at(scaled[offset + i], reconstruction[offset + i], scaler.range(i));
        } else {
            int half = window / 2;
            int last = Math.min(scaler.length() - 1, i + half);
            double sum = 0;
            for (int j = Math.max(0, i - half); j <= last; j++) {
                sum += difference.at(scaled[offset + j], reconstruction[offset + j], scaler.range(j));
            }
            d = sum / window;
        }
        return squared ? d * d : Math.abs(d);
    }

    /**
     * The error of the beat at {@code offset} in both arrays, as long as the scaler's beats, and its
     * per-position errors into {@code positionErrors} (unless null), each position's error computed once for
     * both: the beat's error is their mean, summed in position order, as a float.
     *
     * @param scaler the scaler that scaled {@code scaled}: its ranges are the positions' scales
     */
    public float score(
            MinMaxScaler scaler, float[] scaled, float[] reconstruction, int offset, double[] positionErrors) {
        int length = scaler.length();
        double sum = 0;
        for (int i = 0; i < length; i++) {
            double e = positionError(scaler, scaled, reconstruction, offset, i);
            if (positionErrors != null) {
                positionErrors[i] = e;
            }
            sum += e;
        }
        return (float) (sum / length);
    }

    /** The beat's error alone, bit for bit what {@link #score(MinMaxScaler, float[], float[], int, double[])} gives. */
    public float score(MinMaxScaler scaler, float[] scaled, float[] reconstruction, int offset) {
        return score(scaler, scaled, reconstruction, offset, null);
    }

    /** The name used in manifests and on the command line. */
    public String id() {
        return id;
    }

    /** Every metric's id, for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(ErrorMetric::id).collect(Collectors.joining(", "));
    }

    public static ErrorMetric fromId(String id) {
        for (ErrorMetric m : values()) {
            if (m.id().equalsIgnoreCase(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown error metric '" + id + "' (" + ids() + ")");
    }

    private static double clippedLogDifference(float actual, float reconstructed, float scale) {
        return Math.log1p(Math.max(reconstructed, KERAS_EPSILON)) - Math.log1p(Math.max(actual, KERAS_EPSILON));
    }

    private static double signalDifference(float actual, float reconstructed, float scale) {
        return ((double) reconstructed - actual) * scale;
    }

    private static double signedLog1p(float v) {
        return Math.copySign(Math.log1p(Math.abs((double) v)), v);
    }
}
