package ecgdetector.app.demo;

import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a demo run, as printed and as {@code summary.json}. Accuracy, precision and recall
 * are of the live alerts against the labels the replayed beats carried, anomaly being the positive
 * class, exactly as the trainer's offline figures are.
 *
 * @param parityMismatches windows whose live score is not bit-for-bit the trainer's offline score
 * @param latencyP50Ms     from a window's produce time to its score being readable (read_committed)
 */
public record DemoSummary(
        String modelName,
        String modelVersion,
        boolean reusedRelease,
        long windowsSent,
        long windowsScored,
        long alerts,
        long deadLettered,
        double accuracy,
        double precision,
        double recall,
        double offlineAccuracy,
        double offlinePrecision,
        double offlineRecall,
        long parityMismatches,
        double maxScoreDifference,
        double throughputWindowsPerSec,
        double latencyP50Ms,
        double latencyP99Ms,
        int patients,
        double rateWindowsPerSec,
        String bootstrapServers,
        Map<String, String> files) {

    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "%nDemo summary (model %s %s%s)%n",
                modelName,
                modelVersion,
                reusedRelease ? ", reused" : ""));
        s.append(String.format(
                Locale.ROOT,
                "  windows sent %d, scored %d, alerts %d, dead-lettered %d (%d patients, %.0f windows/s asked)%n",
                windowsSent,
                windowsScored,
                alerts,
                deadLettered,
                patients,
                rateWindowsPerSec));
        s.append(String.format(
                Locale.ROOT,
                "  live alerts vs labels: accuracy %.4f  precision %.4f  recall %.4f"
                        + "   (offline evaluation: %.4f  %.4f  %.4f)%n",
                accuracy,
                precision,
                recall,
                offlineAccuracy,
                offlinePrecision,
                offlineRecall));
        s.append(String.format(
                Locale.ROOT,
                "  live scores that differ from the offline evaluation: %d (largest difference %.3g)%n",
                parityMismatches,
                maxScoreDifference));
        s.append(String.format(
                Locale.ROOT,
                "  throughput %.0f windows/s, latency produce -> score readable: p50 %.1f ms, p99 %.1f ms%n",
                throughputWindowsPerSec,
                latencyP50Ms,
                latencyP99Ms));
        files.forEach((what, where) ->
                s.append("  ").append(what).append(": ").append(where).append(System.lineSeparator()));
        return s.toString();
    }
}
