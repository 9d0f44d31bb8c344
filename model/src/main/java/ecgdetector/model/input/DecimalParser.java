package ecgdetector.model.input;

import java.nio.charset.StandardCharsets;

/**
 * Strict, allocation-free parsing of one decimal number from ASCII bytes into a {@code float} that is
 * bit-for-bit what {@link Float#parseFloat} gives for the same text. The trainer reading {@code ecg.csv} and
 * the streamer decoding a live window both parse samples here, so one grammar decides what a number is and a
 * window gets the same samples live as offline.
 *
 * <p>Grammar: {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}. Unlike
 * {@code Float.parseFloat} it refuses hex floats, {@code f}/{@code d} suffixes and embedded whitespace;
 * {@code NaN}, {@code Infinity} and {@code inf} (any case, signed) are recognised so they can be reported as
 * non-finite rather than unparsable.
 *
 * <p>Speed: most samples take a fast path (up to 19 significant digits and a decimal exponent within
 * +-22 are computed exactly-rounded in double arithmetic); the result is narrowed to float only when the
 * double is provably not close enough to a float rounding boundary for double rounding to matter, otherwise
 * it falls back to {@code Float.parseFloat}.
 */
public final class DecimalParser {

    /** Returned by {@link #parse} for text that is not a number. Callers test with {@link #isError}. */
    public static final long NOT_A_NUMBER = Long.MIN_VALUE;
    /** Returned for NaN or infinity written as a word. */
    public static final long NON_FINITE_WORD = Long.MIN_VALUE + 1;

    private static final double[] POWERS_OF_TEN = new double[23];
    private static final long MAX_EXACT_MANTISSA = 1L << 53;

    static {
        double p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    private DecimalParser() {}

    public static boolean isError(long result) {
        return result == NOT_A_NUMBER || result == NON_FINITE_WORD;
    }

    /**
     * Parses {@code bytes[from, to)} (already trimmed) and returns the float's bits widened to a long
     * ({@link Float#intBitsToFloat} of the low 32 bits), or {@link #NOT_A_NUMBER} / {@link #NON_FINITE_WORD}.
     */
    public static long parse(byte[] bytes, int from, int to) {
        int i = from;
        if (i >= to) {
            return NOT_A_NUMBER;
        }
        boolean negative = false;
        if (bytes[i] == '-' || bytes[i] == '+') {
            negative = bytes[i] == '-';
            i++;
        }
        if (i < to && isLetter(bytes[i])) {
            return isNonFiniteWord(bytes, i, to) ? NON_FINITE_WORD : NOT_A_NUMBER;
        }
        // The significand's digits, integer part and fraction in one pass: the first 18 significant ones
        // exactly in a long, the rest only counted (an integer digit multiplies by 10) or checked for zero.
        long mantissa = 0;
        int significant = 0;
        int dropped = 0;
        int fractionDigits = 0;
        boolean anyDigit = false;
        boolean exactMantissa = true;
        boolean inFraction = false;
        for (; i < to; i++) {
            byte b = bytes[i];
            if (b == '.' && !inFraction) {
                inFraction = true;
                continue;
            }
            if (!isDigit(b)) {
                break;
            }
            anyDigit = true;
            int d = b - '0';
            if (significant < 18) {
                mantissa = mantissa * 10 + d;
                fractionDigits += inFraction ? 1 : 0;
                significant += mantissa != 0 ? 1 : 0;
            } else {
                dropped += inFraction ? 0 : 1;
                exactMantissa &= d == 0;
            }
        }
        long exponent = anyDigit ? exponent(bytes, i, to) : NOT_A_NUMBER;
        if (exponent == NOT_A_NUMBER) {
            return NOT_A_NUMBER;
        }
        long decimalExponent = exponent - fractionDigits + dropped;
        return floatBits(bytes, from, to, negative, mantissa, decimalExponent, exactMantissa);
    }

    /**
     * The decimal exponent written in {@code bytes[from, to)}, which must be empty or {@code [eE] [+-]? digits}
     * and nothing else; {@link #NOT_A_NUMBER} otherwise. Beyond 100,000 in size it stops growing: the float is
     * zero or infinite long before.
     */
    private static long exponent(byte[] bytes, int from, int to) {
        int i = from;
        if (i == to) {
            return 0;
        }
        if (bytes[i] != 'e' && bytes[i] != 'E') {
            return NOT_A_NUMBER;
        }
        i++;
        boolean negative = false;
        if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
            negative = bytes[i] == '-';
            i++;
        }
        if (i >= to) {
            return NOT_A_NUMBER;
        }
        long exponent = 0;
        for (; i < to; i++) {
            if (!isDigit(bytes[i])) {
                return NOT_A_NUMBER;
            }
            if (exponent < 100_000) {
                exponent = exponent * 10 + (bytes[i] - '0');
            }
        }
        return negative ? -exponent : exponent;
    }

    /**
     * The float of {@code mantissa * 10^decimalExponent}: computed in double arithmetic where that is exactly
     * rounded and narrowing cannot double-round, else by {@code Float.parseFloat} of the text.
     */
    private static long floatBits(
            byte[] bytes,
            int from,
            int to,
            boolean negative,
            long mantissa,
            long decimalExponent,
            boolean exactMantissa) {
        if (mantissa == 0) {
            return Float.floatToRawIntBits(negative ? -0f : 0f) & 0xFFFFFFFFL;
        }
        if (exactMantissa && mantissa < MAX_EXACT_MANTISSA && decimalExponent >= -22 && decimalExponent <= 22) {
            double d = decimalExponent >= 0
                    ? mantissa * POWERS_OF_TEN[(int) decimalExponent]
                    : mantissa / POWERS_OF_TEN[(int) -decimalExponent];
            if (d * 0 == 0 && farFromFloatMidpoint(d)) { // finite, and double rounding cannot bite
                float f = (float) d;
                return Float.floatToRawIntBits(negative ? -f : f) & 0xFFFFFFFFL;
            }
        }
        float slow = Float.parseFloat(new String(bytes, from, to - from, StandardCharsets.US_ASCII));
        return Float.floatToRawIntBits(slow) & 0xFFFFFFFFL;
    }

    public static float toFloat(long parsed) {
        return Float.intBitsToFloat((int) parsed);
    }

    /**
     * Whether rounding {@code d} (a correctly rounded double of the exact decimal value x, |x - d| &lt;=
     * ulp(d)/2) to float gives the same float as rounding x: true when d is more than one ulp(d) away from the
     * float midpoint on its side, as then x and d lie on the same side of every rounding boundary.
     */
    static boolean farFromFloatMidpoint(double d) {
        float f = (float) d;
        if (Float.isInfinite(f)) {
            return false;
        }
        double fd = f;
        if (d == fd) {
            return true;
        }
        double neighbour = d > fd ? Math.nextUp(f) : Math.nextDown(f);
        double midpoint = (fd + neighbour) / 2; // exact: 25 significant bits
        return Math.abs(midpoint - d) > Math.ulp(d);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isLetter(byte b) {
        return (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
    }

    private static boolean isNonFiniteWord(byte[] bytes, int from, int to) {
        String word = new String(bytes, from, to - from, StandardCharsets.US_ASCII);
        return word.equalsIgnoreCase("nan") || word.equalsIgnoreCase("infinity") || word.equalsIgnoreCase("inf");
    }
}
