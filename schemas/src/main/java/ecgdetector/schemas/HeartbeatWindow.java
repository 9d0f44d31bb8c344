package ecgdetector.schemas;

import java.util.Objects;

/**
 * One decoded, validated heartbeat window, as the streamer scores it: the right number of finite samples of
 * sane magnitude, with the record's key and timestamp applied where the record itself named no patient or time.
 * The JSON a producer writes is a {@link Heartbeat}; {@link #toHeartbeat()} gives this window in that form.
 *
 * @param patientId the JSON {@code patientId}, else the record key, else null
 * @param beatId    the JSON {@code beatId}, or null
 * @param eventTime epoch ms: the JSON {@code timestamp}, else the record timestamp
 * @param samples   the raw (unscaled) samples; owned by this window, not copied for speed
 * @param label     the CSV label column or JSON {@code label}, or null when the input had none
 */
public record HeartbeatWindow(String patientId, String beatId, long eventTime, float[] samples, Double label)
        implements Decoded {

    public HeartbeatWindow {
        Objects.requireNonNull(samples, "samples");
    }

    /** This window as a JSON heartbeat with every field it has, its event time as the timestamp. */
    public Heartbeat toHeartbeat() {
        return new Heartbeat(patientId, beatId, eventTime, samples, label);
    }

    @Override
    public String toString() {
        // Neither samples nor patient id: this may end up in a log line.
        return "HeartbeatWindow[beatId=" + beatId + ", eventTime=" + eventTime + ", " + samples.length + " samples]";
    }
}
