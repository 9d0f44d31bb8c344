package ecgdetector.schemas;

import java.util.Arrays;
import java.util.Objects;

/**
 * One heartbeat window in the JSON form of an {@code ecg.heartbeats} record value. JSON Schema:
 * {@code schemas/json/heartbeat.schema.json}. The record key is the patient or monitor id.
 *
 * <p>The same topic also takes a plain CSV line of the samples (optionally followed by a label column), so a
 * raw line of {@code ecg.csv} can be piped in unchanged; this record is the richer form.
 *
 * @param patientId optional; when absent the record key is the patient id
 * @param beatId    optional id of the beat, for people reading alerts
 * @param timestamp optional event time in epoch milliseconds (readers also accept an ISO-8601 string);
 *                  when absent the Kafka record timestamp is the event time
 * @param samples   the window's samples, 140 for ECG5000
 * @param label     optional ground truth, ECG5000's convention: 1 = normal, 0 = abnormal
 */
public record Heartbeat(String patientId, String beatId, Long timestamp, float[] samples, Double label) {

    public Heartbeat {
        Objects.requireNonNull(samples, "samples");
        samples = samples.clone();
    }

    @Override
    public float[] samples() {
        return samples.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Heartbeat h
                && Objects.equals(patientId, h.patientId)
                && Objects.equals(beatId, h.beatId)
                && Objects.equals(timestamp, h.timestamp)
                && Arrays.equals(samples, h.samples)
                && Objects.equals(label, h.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(patientId, beatId, timestamp, Arrays.hashCode(samples), label);
    }

    @Override
    public String toString() {
        // Never the samples: this may end up in a log line.
        return "Heartbeat[beatId=" + beatId + ", timestamp=" + timestamp + ", " + samples.length + " samples]";
    }
}
