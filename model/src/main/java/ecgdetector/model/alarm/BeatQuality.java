package ecgdetector.model.alarm;

import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.AlarmCause;

/**
 * Whether a beat is a signal the model may judge at all. A flat line, a saturated amplifier or a beat in other
 * units is a technical problem, not an arrhythmia: such a beat raises {@code SIGNAL_QUALITY} and never counts
 * towards a physiological episode. ECG5000's beats are normalised per beat (mean 0, standard deviation 1) and
 * abnormal beats often leave the scaler's range in a few samples, so each check asks for far more than that:
 * a tenth of the variance a normalised beat has, a plateau of many samples, or most samples far outside the
 * range. docs/alarms.md has the rates on the test part's beats and on synthetic bad beats.
 */
public final class BeatQuality {

    /** Records the quality rule looks at: a patient's last beats and dead letters. */
    public static final int WINDOW = 4;
    /** Bad records among the last {@link #WINDOW} that raise {@code SIGNAL_QUALITY}. */
    public static final int BAD_RECORDS = 3;
    /** Consecutive good beats that clear it. */
    public static final int GOOD_BEATS = 4;

    /** A beat whose standard deviation is below this is flat (a normalised beat's is 1). */
    public static final double FLAT_STD = 0.1;
    /** A beat with this many samples at its maximum, or at its minimum, is clipped. */
    public static final int CLIPPED_SAMPLES = 8;
    /** Samples within this share of the beat's range of its maximum (minimum) are at it. */
    public static final double AT_EXTREME = 1e-3;
    /** A sample is far out when its scaled value is more than this many fitted ranges outside [0, 1]. */
    public static final double FAR_OUT_RANGES = 1.0;
    /** A beat with more than this share of its samples far out is out of range. */
    public static final double OUT_OF_RANGE_SHARE = 0.5;

    private final float[] farBelow;
    private final float[] farAbove;

    private BeatQuality(MinMaxScaler scaler) {
        farBelow = new float[scaler.length()];
        farAbove = new float[scaler.length()];
        for (int i = 0; i < farBelow.length; i++) {
            farBelow[i] = (float) scaler.unscale(-FAR_OUT_RANGES, i);
            farAbove[i] = (float) scaler.unscale(1 + FAR_OUT_RANGES, i);
        }
    }

    /**
     * The check for beats a release with {@code scaler} is to judge: the range its normal training beats covered,
     * turned into the signal's units once, so that a beat is checked without scaling it (it runs on every beat).
     */
    public static BeatQuality of(MinMaxScaler scaler) {
        return new BeatQuality(scaler);
    }

    /** The problem with {@code samples} (raw, unscaled), or null if it is a signal the model may judge. */
    public AlarmCause check(float[] samples) {
        int n = samples.length;
        // A beat of another length than the scaler's cannot be out of its range; it is judged on its shape.
        boolean ranged = n == farBelow.length;
        double sum = 0;
        double sumSq = 0;
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        int farOut = 0;
        for (int i = 0; i < n; i++) {
            float v = samples[i];
            sum += v;
            sumSq += (double) v * v;
            if (v > max) {
                max = v;
            }
            if (v < min) {
                min = v;
            }
            if (ranged && (v < farBelow[i] || v > farAbove[i])) {
                farOut++;
            }
        }
        double mean = sum / n;
        double variance = Math.max(0, sumSq / n - mean * mean);
        if (variance < FLAT_STD * FLAT_STD) {
            return AlarmCause.FLAT;
        }
        if (clipped(samples, min, max)) {
            return AlarmCause.CLIPPED;
        }
        return farOut > (int) (OUT_OF_RANGE_SHARE * n) ? AlarmCause.OUT_OF_RANGE : null;
    }

    /**
     * Whether 8 or more samples lie within {@link #AT_EXTREME} of the range of the maximum, or of the minimum. The
     * bounds are turned into floats once, rounded so that {@code v >= atMax} is exactly {@code (double) v >= max -
     * tolerance} for every float {@code v} (and likewise at the minimum): the loop then compares floats to floats,
     * which the JIT can vectorise; converting each sample to double in the loop cost 2.6% of the streamer's CPU
     * with 10,000 patients.
     */
    static boolean clipped(float[] samples, float min, float max) {
        double tolerance = AT_EXTREME * ((double) max - min);
        float atMax = smallestFloatAtLeast(max - tolerance);
        float atMin = largestFloatAtMost(min + tolerance);
        int nearMax = 0;
        int nearMin = 0;
        for (float v : samples) {
            nearMax += v >= atMax ? 1 : 0;
            nearMin += v <= atMin ? 1 : 0;
        }
        return nearMax >= CLIPPED_SAMPLES || nearMin >= CLIPPED_SAMPLES;
    }

    static float smallestFloatAtLeast(double bound) {
        float f = (float) bound;
        return f < bound ? Math.nextUp(f) : f;
    }

    static float largestFloatAtMost(double bound) {
        float f = (float) bound;
        return f > bound ? Math.nextDown(f) : f;
    }
}
