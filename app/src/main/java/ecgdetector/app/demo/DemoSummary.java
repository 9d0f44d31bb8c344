package ecgdetector.app.demo;

import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a demo run, as printed and as {@code summary.json}. Accuracy, precision and recall
 * are of the live alerts against the labels the replayed beats carried, anomaly being the positive
 * class, exactly as the trainer's offline figures are.
 *
 * @param alarmTransitions alarm transitions on {@code ecg.alarms} during the run, each alarm id once
 * @param alarmsRaised     RAISED alarms by type: what a pager would have rung for, beside the per-beat alerts
 * @param alarmScenarios   the default alarm rule on seeded scenario feeds of the same test beats ({@code ./ecg
 *                         alarms} has the whole curve)
 * @param parityMismatches windows whose live score is not bit-for-bit the trainer's offline score
 * @param latencyP50Ms     from a window's produce time to its score being readable (read_committed), over the
 *                         windows produced after the first {@code coldSeconds} of the run (all of them in a
 *                         shorter run): the steady latency
 * @param coldLatencyP99Ms the same over the windows produced in the first {@code coldSeconds}
 */
public record DemoSummary(
        String modelName,
        String modelVersion,
        boolean reusedRelease,
        long windowsSent,
        long windowsScored,
        long alerts,
        long alarmTransitions,
        Map<String, Long> alarmsRaised,
        ecgdetector.trainer.alarms.AlarmEvaluation.Figures alarmScenarios,
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
        double coldLatencyP50Ms,
        double coldLatencyP99Ms,
        int coldSeconds,
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
        s.append(describeAlarms());
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
                "  throughput %.0f windows/s, latency produce -> score readable: p50 %.1f ms, p99 %.1f ms"
                        + " (steady; the first %d s: p50 %.1f ms, p99 %.1f ms)%n",
                throughputWindowsPerSec,
                latencyP50Ms,
                latencyP99Ms,
                coldSeconds,
                coldLatencyP50Ms,
                coldLatencyP99Ms));
        files.forEach((what, where) ->
                s.append("  ").append(what).append(": ").append(where).append(System.lineSeparator()));
        return s.toString();
    }

    /** The run's alarms beside its alerts, and the default rule on the scenario feeds. */
    private String describeAlarms() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "  alarms: %d transitions, raised by type %s (beside %d per-beat alerts on the same feed)%n",
                alarmTransitions,
                alarmsRaised,
                alerts));
        var rule = alarmScenarios.defaultRule();
        s.append(String.format(
                Locale.ROOT,
                "  alarm rule %s on scenario feeds of the test beats (seed %d): %.2f false alarms per normal"
                        + " patient-hour (per-beat alerts: %.0f); sensitivity runs of 3: %.3f, of 5: %.3f;"
                        + " RAISED after median %.0f ms, p95 %.0f ms%n",
                rule.rule(),
                alarmScenarios.seed(),
                rule.falseAlarmsPerPatientHour(),
                alarmScenarios.perBeatAlertsPerPatientHour(),
                rule.sensitivity(3),
                rule.sensitivity(5),
                rule.medianMsToRaised(),
                rule.p95MsToRaised()));
        return s.toString();
    }
}
