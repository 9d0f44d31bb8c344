package ecgdetector.model.scoring;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Per-beat reconstruction error between a scaled beat and the model's reconstruction of it. The threshold
 * is chosen on these numbers offline and compared against them live, so both sides call this code.
 *
 * <p>Each metric is a mean over the beat's positions of a per-position error. That error may depend on the
 * position's scale, the {@link MinMaxScaler}'s {@code max - min} there, which every release carries: {@link
 * #SIGNAL_MSE} uses it to measure the error in the signal's own units rather than in scaled units.
 */
public enum ErrorMetric {
    /**
     * Mean squared logarithmic error with Keras' semantics: both sides clipped below at epsilon before
     * {@code log1p}. Without the clip a scaled value below -1 (anomalous beats leave the [0, 1] training
     * range) gives NaN; with it, every value below 0 scores alike.
     */
    MSLE("msle") {
        @Override
        double positionError(float actual, float reconstructed, float scale) {
            double d = Math.log1p(Math.max(reconstructed, KERAS_EPSILON)) - Math.log1p(Math.max(actual, KERAS_EPSILON));
            return d * d;
        }
    },
    /**
     * MSLE on both sides of zero: the squared difference of {@code sign(v) * log1p(|v|)}. Equal to {@link
     * #MSLE} where both values are at least epsilon; below zero it keeps telling values apart instead of
     * flattening them to epsilon, so a beat far below the training range scores higher than one just below.
     */
    MSLE_SIGNED("msle-signed") {
        @Override
        double positionError(float actual, float reconstructed, float scale) {
            double d = signedLog1p(reconstructed) - signedLog1p(actual);
            return d * d;
        }
    },
    MSE("mse") {
        @Override
        double positionError(float actual, float reconstructed, float scale) {
            double d = (double) reconstructed - actual;
            return d * d;
        }
    },
    MAE("mae") {
        @Override
        double positionError(float actual, float reconstructed, float scale) {
            return Math.abs((double) reconstructed - actual);
        }
    },
    /**
     * Mean squared error in the signal's units: each position's scaled difference times the scaler's range
     * there, i.e. the difference between the raw sample and the reconstruction mapped back to raw units.
     * Per-position scaling stretches the positions where normal beats vary little; this weighs every
     * position by how much normal beats vary there (its weights are the squared ranges of the normal
     * training beats).
     */
    SIGNAL_MSE("signal-mse") {
        @Override
        double positionError(float actual, float reconstructed, float scale) {
            double d = ((double) reconstructed - actual) * scale;
            return d * d;
        }
    };

    static final float KERAS_EPSILON = 1e-7f;

    private final String id;

    ErrorMetric(String id) {
        this.id = id;
    }

    /**
     * @param scale the scaler's {@code max - min} at this position
     */
    abstract double positionError(float actual, float reconstructed, float scale);

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
            double e = positionError(scaled[offset + i], reconstruction[offset + i], scaler.range(i));
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

    private static double signedLog1p(float v) {
        return Math.copySign(Math.log1p(Math.abs((double) v)), v);
    }
}
