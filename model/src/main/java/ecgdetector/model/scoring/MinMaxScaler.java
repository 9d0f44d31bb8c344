package ecgdetector.model.scoring;

import ecgdetector.schemas.ReleaseManifest;
import java.util.Arrays;

/**
 * MinMax scaling fitted on normal training beats: {@code (x - min[i]) / (max[i] - min[i])}. The trainer and
 * the streamer both scale through this class, so a beat gets the same scaled values offline and live.
 * Values outside the fitted range are not clipped: leaving the normal range is exactly what anomalies do.
 */
public final class MinMaxScaler {

    public static final String PER_POSITION = "per-position";
    public static final String GLOBAL = "global";

    private final String kind;
    private final float[] min;
    private final float[] max;
    private final float[] range;

    private MinMaxScaler(String kind, float[] min, float[] max) {
        if (min.length == 0 || min.length != max.length) {
            throw new IllegalArgumentException(
                    "scaler needs min and max of the same non-zero length, got " + min.length + " and " + max.length);
        }
        if (!PER_POSITION.equals(kind) && !GLOBAL.equals(kind)) {
            throw new IllegalArgumentException("unknown scaler kind '" + kind + "' (per-position or global)");
        }
        this.kind = kind;
        this.min = min.clone();
        this.max = max.clone();
        this.range = new float[min.length];
        for (int i = 0; i < min.length; i++) {
            if (!Float.isFinite(min[i]) || !Float.isFinite(max[i]) || max[i] < min[i]) {
                throw new IllegalArgumentException(
                        "scaler position " + i + " has min " + min[i] + " and max " + max[i]);
            }
            // A constant position would divide by zero; sklearn maps it to range 1 and so do we.
            range[i] = max[i] > min[i] ? max[i] - min[i] : 1f;
        }
    }

    /** Fits min and max at each sample position separately (the notebooks' sklearn default). */
    public static MinMaxScaler fitPerPosition(float[][] beats) {
        int length = requireRectangular(beats);
        float[] min = new float[length];
        float[] max = new float[length];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (float[] beat : beats) {
            for (int i = 0; i < length; i++) {
                min[i] = Math.min(min[i], beat[i]);
                max[i] = Math.max(max[i], beat[i]);
            }
        }
        return new MinMaxScaler(PER_POSITION, min, max);
    }

    /** One min and one max over all positions (TensorFlow's tutorial). */
    public static MinMaxScaler fitGlobal(float[][] beats) {
        int length = requireRectangular(beats);
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float[] beat : beats) {
            for (float v : beat) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        float[] min = new float[length];
        float[] max = new float[length];
        Arrays.fill(min, lo);
        Arrays.fill(max, hi);
        return new MinMaxScaler(GLOBAL, min, max);
    }

    public static MinMaxScaler of(ReleaseManifest.Scaler params) {
        return new MinMaxScaler(params.kind(), params.min(), params.max());
    }

    public ReleaseManifest.Scaler params() {
        return new ReleaseManifest.Scaler(kind, min, max);
    }

    public int length() {
        return min.length;
    }

    /**
     * The scale at {@code position}: {@code max - min} of the fitted beats there (1 where they were
     * constant), what a scaled difference is multiplied by to be in the signal's units again.
     */
    public float range(int position) {
        return range[position];
    }

    /** One sample scaled as {@link #transform} scales it at {@code position}. */
    public double scale(float sample, int position) {
        return (sample - min[position]) / range[position];
    }

    /** The raw sample that {@link #scale} maps to {@code scaled} at {@code position}: its inverse. */
    public double unscale(double scaled, int position) {
        return min[position] + scaled * range[position];
    }

    /** Scales {@code beat} into {@code out} starting at {@code offset}: no allocation, for batch assembly. */
    public void transform(float[] beat, float[] out, int offset) {
        if (beat.length != min.length) {
            throw new IllegalArgumentException("beat has " + beat.length + " samples, scaler expects " + min.length);
        }
        for (int i = 0; i < min.length; i++) {
            out[offset + i] = (beat[i] - min[i]) / range[i];
        }
    }

    public float[] transform(float[] beat) {
        float[] out = new float[min.length];
        transform(beat, out, 0);
        return out;
    }

    public float[][] transformAll(float[][] beats) {
        float[][] out = new float[beats.length][];
        for (int i = 0; i < beats.length; i++) {
            out[i] = transform(beats[i]);
        }
        return out;
    }

    private static int requireRectangular(float[][] beats) {
        if (beats.length == 0) {
            throw new IllegalArgumentException("cannot fit a scaler on no beats");
        }
        int length = beats[0].length;
        for (float[] beat : beats) {
            if (beat.length != length) {
                throw new IllegalArgumentException("beats of different lengths: " + length + " and " + beat.length);
            }
        }
        return length;
    }
}
