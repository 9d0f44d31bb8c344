package ecgdetector.schemas;

/**
 * What makes a window valid beyond its syntax, in either input format: how many samples it has, and that each
 * is finite and of magnitude at most {@code maxAbsSample}.
 *
 * @param length       samples per window (140 for ECG5000)
 * @param maxAbsSample the largest magnitude a sample may have; larger ones are {@code OUT_OF_RANGE}
 */
public record WindowShape(int length, double maxAbsSample) {

    public WindowShape {
        if (length < 1 || !(maxAbsSample > 0)) {
            throw new IllegalArgumentException("invalid window shape: " + length + " samples, |x| <= " + maxAbsSample);
        }
    }

    /**
     * Checks sample {@code index}: a NaN is {@code NON_FINITE}; an infinity (a numeral too large for a float, as
     * in {@code 1e39}) and anything beyond the bound are {@code OUT_OF_RANGE}.
     */
    public void checkSample(int index, float v) throws RejectionException {
        if (Float.isNaN(v)) {
            throw new RejectionException(RejectReason.NON_FINITE, "sample " + index + " is NaN");
        }
        if (Float.isInfinite(v)) {
            throw new RejectionException(
                    RejectReason.OUT_OF_RANGE, "sample " + index + " overflows a float (|x| > 3.4e38)");
        }
        if (!(Math.abs(v) <= maxAbsSample)) {
            throw new RejectionException(
                    RejectReason.OUT_OF_RANGE, "sample " + index + " = " + v + " is beyond |x| <= " + maxAbsSample);
        }
    }
}
