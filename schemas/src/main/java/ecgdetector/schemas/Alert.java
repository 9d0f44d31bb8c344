package ecgdetector.schemas;

import java.util.Arrays;
import java.util.Objects;

/**
 * One anomalous heartbeat window: the value of an {@code ecg.alerts} record, keyed like its input (by
 * patient id). JSON Schema: {@code schemas/json/alert.schema.json}.
 *
 * @param alertId        deterministic: {@code topic/partition/offset} of the input record, so a replayed window
 *                       gives the same id and consumers can deduplicate
 * @param source         where the window was read from
 * @param patientId      the JSON {@code patientId}, else the record key; absent if neither
 * @param beatId         the input's beat id, if it had one
 * @param eventTime      ISO-8601 UTC: the input's {@code timestamp}, else the input record's timestamp
 * @param detectedAt     ISO-8601 UTC wall-clock time at which the window was scored
 * @param score          the window's reconstruction error under the release's error metric
 * @param threshold      the release's threshold; a window is anomalous iff score &gt; threshold
 * @param ratio          score / threshold; absent when the threshold is 0
 * @param severity       the band of {@code ratio}, see {@link Severity}
 * @param model          the release that scored the window
 * @param worstPositions sample positions (0-based) with the largest reconstruction error, largest first:
 *                       where in the beat the model saw it go wrong
 * @param label          the input's label, if it had one (ECG5000: 1 = normal, 0 = abnormal)
 */
public record Alert(
        String alertId,
        WindowSource source,
        String patientId,
        String beatId,
        String eventTime,
        String detectedAt,
        float score,
        double threshold,
        Double ratio,
        Severity severity,
        ModelRef model,
        int[] worstPositions,
        Double label) {

    public Alert {
        worstPositions = worstPositions == null ? new int[0] : worstPositions.clone();
    }

    @Override
    public int[] worstPositions() {
        return worstPositions.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Alert a
                && Objects.equals(alertId, a.alertId)
                && Objects.equals(source, a.source)
                && Objects.equals(patientId, a.patientId)
                && Objects.equals(beatId, a.beatId)
                && Objects.equals(eventTime, a.eventTime)
                && Objects.equals(detectedAt, a.detectedAt)
                && Float.compare(score, a.score) == 0
                && Double.compare(threshold, a.threshold) == 0
                && Objects.equals(ratio, a.ratio)
                && severity == a.severity
                && Objects.equals(model, a.model)
                && Arrays.equals(worstPositions, a.worstPositions)
                && Objects.equals(label, a.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                alertId,
                source,
                patientId,
                beatId,
                eventTime,
                detectedAt,
                score,
                threshold,
                ratio,
                severity,
                model,
                Arrays.hashCode(worstPositions),
                label);
    }

    @Override
    public String toString() {
        // No patient id: this may end up in a log line.
        return "Alert[" + alertId + ", score=" + score + ", threshold=" + threshold + ", severity=" + severity
                + ", model=" + (model == null ? null : model.version()) + "]";
    }
}
