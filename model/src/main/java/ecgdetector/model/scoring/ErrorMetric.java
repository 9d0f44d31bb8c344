package ecgdetector.model.scoring;

import java.util.Locale;

/**
 * Per-beat reconstruction error between a scaled beat and the model's reconstruction of it. The threshold
 * is chosen on these numbers offline and compared against them live, so both sides call this code.
 */
public enum ErrorMetric {
    /**
     * Mean squared logarithmic error with Keras' semantics: both sides clipped below at epsilon before
     * {@code log1p}. Without the clip a scaled value below -1 (anomalous beats leave the [0, 1] training
     * range) gives NaN.
     */
    MSLE {
        @Override
        double positionError(float actual, float reconstructed) {
            double d = Math.log1p(Math.max(reconstructed, KERAS_EPSILON)) - Math.log1p(Math.max(actual, KERAS_EPSILON));
            return d * d;
        }
    },
    MSE {
        @Override
        double positionError(float actual, float reconstructed) {
            double d = (double) reconstructed - actual;
            return d * d;
        }
    },
    MAE {
        @Override
        double positionError(float actual, float reconstructed) {
            return Math.abs((double) reconstructed - actual);
        }
    };

    static final float KERAS_EPSILON = 1e-7f;

    abstract double positionError(float actual, float reconstructed);

    /** The error of the beat at {@code offset} in both arrays, {@code length} samples long. */
    public float score(float[] scaled, float[] reconstruction, int offset, int length) {
        return score(scaled, reconstruction, offset, length, null);
    }

    /**
     * The beat's error, bit for bit what {@link #score(float[], float[], int, int)} gives, and its per-position
     * errors into {@code positionErrors} (unless null), each position's error computed once for both.
     */
    public float score(float[] scaled, float[] reconstruction, int offset, int length, double[] positionErrors) {
        double sum = 0;
        for (int i = 0; i < length; i++) {
            double e = positionError(scaled[offset + i], reconstruction[offset + i]);
            if (positionErrors != null) {
                positionErrors[i] = e;
            }
            sum += e;
        }
        return (float) (sum / length);
    }

    /** Per-position errors of one beat, for finding where in the beat the reconstruction failed. */
    public void positionErrors(float[] scaled, float[] reconstruction, int offset, int length, double[] out) {
        score(scaled, reconstruction, offset, length, out);
    }

    /** The name used in manifests and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ErrorMetric fromId(String id) {
        for (ErrorMetric m : values()) {
            if (m.id().equalsIgnoreCase(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown error metric '" + id + "' (msle, mse or mae)");
    }
}
