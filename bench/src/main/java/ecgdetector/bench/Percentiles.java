package ecgdetector.bench;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles and medians. */
final class Percentiles {

    private Percentiles() {}

    /** The nearest-rank {@code p}-th percentile (0 < p <= 100) of {@code values}; null for none. */
    static Double of(double[] values, double p) {
        if (values.length == 0) {
            return null;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The median of the non-null values (the mean of the middle two for an even count); null for none. */
    static Double median(List<Double> values) {
        double[] v = values.stream()
                .filter(x -> x != null)
                .mapToDouble(Double::doubleValue)
                .sorted()
                .toArray();
        if (v.length == 0) {
            return null;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
