package ecgdetector.schemas;

/**
 * How far an anomalous window's score is above the release's threshold, by the ratio
 * {@code score / threshold} (always above 1 for an alert):
 * <table>
 *   <caption>Severity bands</caption>
 *   <tr><th>severity</th><th>ratio</th></tr>
 *   <tr><td>{@link #LOW}</td><td>1 &lt; ratio &lt; 1.5</td></tr>
 *   <tr><td>{@link #MEDIUM}</td><td>1.5 &le; ratio &lt; 2</td></tr>
 *   <tr><td>{@link #HIGH}</td><td>2 &le; ratio &lt; 4</td></tr>
 *   <tr><td>{@link #CRITICAL}</td><td>4 &le; ratio, or a threshold of 0</td></tr>
 * </table>
 */
public enum Severity {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    public static final double MEDIUM_FROM = 1.5;
    public static final double HIGH_FROM = 2.0;
    public static final double CRITICAL_FROM = 4.0;

    /** The band of a score/threshold ratio; infinite or NaN (a threshold of 0) is {@link #CRITICAL}. */
    public static Severity ofRatio(double ratio) {
        if (!(ratio < CRITICAL_FROM)) {
            return CRITICAL;
        }
        if (ratio >= HIGH_FROM) {
            return HIGH;
        }
        return ratio >= MEDIUM_FROM ? MEDIUM : LOW;
    }
}
