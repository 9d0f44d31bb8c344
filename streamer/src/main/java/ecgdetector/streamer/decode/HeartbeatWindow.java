package ecgdetector.streamer.decode;

import java.util.Objects;

/**
 * One decoded, validated heartbeat window: the right number of finite samples of sane magnitude.
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

    public boolean hasLabel() {
        return label != null;
    }

    @Override
    public String toString() {
        // Neither samples nor patient id: this may end up in a log line.
        return "HeartbeatWindow[beatId=" + beatId + ", eventTime=" + eventTime + ", " + samples.length + " samples]";
    }
}
