package ecgdetector.schemas;

/**
 * The verdict on one heartbeat window, anomalous or not: the value of an {@code ecg.scores} record, keyed like
 * its input. For dashboards, and for checking live scores against the trainer's offline ones. JSON Schema:
 * {@code schemas/json/score.schema.json}.
 *
 * @param windowId   {@code topic/partition/offset} of the input record; equals the alert id when it alerted
 * @param source     where the window was read from
 * @param patientId  the JSON {@code patientId}, else the record key; absent if neither
 * @param beatId     the input's beat id, if it had one
 * @param eventTime  ISO-8601 UTC: the input's {@code timestamp}, else the input record's timestamp
 * @param detectedAt ISO-8601 UTC wall-clock time at which the window was scored
 * @param score      the window's reconstruction error under the release's error metric
 * @param threshold  the release's threshold
 * @param anomaly    score &gt; threshold
 * @param model      the release that scored the window
 * @param label      the input's label, if it had one
 */
public record Score(
        String windowId,
        WindowSource source,
        String patientId,
        String beatId,
        String eventTime,
        String detectedAt,
        float score,
        double threshold,
        boolean anomaly,
        ModelRef model,
        Double label) {

    @Override
    public String toString() {
        return "Score[" + windowId + ", score=" + score + ", anomaly=" + anomaly + "]";
    }
}
