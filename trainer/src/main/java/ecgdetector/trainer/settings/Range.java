package ecgdetector.trainer.settings;

import java.math.BigDecimal;

/**
 * The values a numeric setting accepts, declared once: the record that holds the setting checks against it,
 * and the command line's validation, help text and the docs' settings table show it. NaN is in no range;
 * an unbounded range excludes infinity.
 *
 * @param min lower bound
 * @param minIncluded whether {@code min} itself is accepted
 * @param max upper bound, {@code +Infinity} for none
 * @param maxIncluded whether {@code max} itself is accepted
 */
public record Range(double min, boolean minIncluded, double max, boolean maxIncluded) {

    /** Greater than zero. */
    public static final Range POSITIVE = new Range(0, false, Double.POSITIVE_INFINITY, false);

    /** Strictly between 0 and 1: a share of something that leaves both parts non-empty. */
    public static final Range OPEN_UNIT = new Range(0, false, 1, false);

    /** From 0 up to but excluding 1: a rate or decay that may be off but never total. */
    public static final Range UNIT_BELOW_ONE = new Range(0, true, 1, false);

    public boolean contains(double value) {
        return (minIncluded ? value >= min : value > min) && (maxIncluded ? value <= max : value < max);
    }

    /**
     * @return {@code value}
     * @throws IllegalArgumentException "{@code what} must be ..., got {@code value}" if it is outside
     */
    public double require(String what, double value) {
        if (!contains(value)) {
            throw outside(what, String.valueOf(value));
        }
        return value;
    }

    /** As {@link #require(String, double)}, the value shown as the whole number it is. */
    public int require(String what, int value) {
        if (!contains(value)) {
            throw outside(what, String.valueOf(value));
        }
        return value;
    }

    /** {@code > 0}, {@code >= 1}, {@code [0, 1)}: what the docs and error messages say. */
    @Override
    public String toString() {
        if (max == Double.POSITIVE_INFINITY) {
            return (minIncluded ? ">= " : "> ") + number(min);
        }
        return (minIncluded ? "[" : "(") + number(min) + ", " + number(max) + (maxIncluded ? "]" : ")");
    }

    private IllegalArgumentException outside(String what, String value) {
        String bound = max == Double.POSITIVE_INFINITY ? toString() : "in " + this;
        return new IllegalArgumentException(what + " must be " + bound + ", got " + value);
    }

    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
