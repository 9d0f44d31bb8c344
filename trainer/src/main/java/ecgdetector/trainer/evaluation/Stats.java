package ecgdetector.trainer.evaluation;

import java.util.Arrays;

/**
 * The numpy statistics the reference notebooks derive their thresholds from, computed in double
 * precision (numpy keeps float32 inputs in float32, so results agree to about 1e-7 relative).
 */
final class Stats {

    private Stats() {}

    static double mean(float[] values) {
        requireNonEmpty(values);
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /**
     * Population standard deviation (divide by n, numpy's default {@code ddof=0}), two-pass so that
     * small spreads around a large mean do not cancel out.
     */
    static double populationStd(float[] values) {
        double mean = mean(values);
        double sumSquares = 0;
        for (float v : values) {
            double d = v - mean;
            sumSquares += d * d;
        }
        return Math.sqrt(sumSquares / values.length);
    }

    /**
     * numpy's default {@code np.percentile(values, p)} ("linear", Hyndman-Fan type 7): the sorted
     * values sit at positions 0..n-1 and position (n-1)·p/100 is interpolated linearly.
     */
    static double percentile(float[] values, double p) {
        requireNonEmpty(values);
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + p);
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = (sorted.length - 1) * (p / 100);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double t = position - below;
        double a = sorted[below];
        double b = sorted[above];
        // numpy's _lerp: interpolating from the nearer end keeps the result within [a, b] and exact
        // at t = 1.
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    }

    private static void requireNonEmpty(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
    }
}
