package ecgdetector.trainer.evaluation;

/**
 * Mean and sample standard deviation (divide by n - 1) of a figure over repeats: folds, or splits.
 *
 * @param mean the average
 * @param sd the sample standard deviation; 0 for a single value
 */
public record Spread(double mean, double sd) {

    /**
     * @throws IllegalArgumentException for no values or a value that is not finite
     */
    public static Spread of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to take a mean of");
        }
        double sum = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("not a finite value: " + v);
            }
            sum += v;
        }
        double mean = sum / values.length;
        if (values.length == 1) {
            return new Spread(mean, 0);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new Spread(mean, Math.sqrt(squares / (values.length - 1)));
    }

    /** The standard error of the mean of {@code n} values: {@code sd / sqrt(n)}. */
    public double standardError(int n) {
        return sd / Math.sqrt(n);
    }
}
