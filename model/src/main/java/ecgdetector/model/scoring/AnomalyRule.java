package ecgdetector.model.scoring;

/**
 * When a beat is an anomaly: its error is strictly greater than the release's threshold. Offline
 * evaluation, live scoring and every metric decide it here, so they cannot disagree on a beat that sits
 * exactly on the threshold.
 */
public final class AnomalyRule {

    private AnomalyRule() {}

    public static boolean isAnomaly(float error, double threshold) {
        return error > threshold;
    }
}
