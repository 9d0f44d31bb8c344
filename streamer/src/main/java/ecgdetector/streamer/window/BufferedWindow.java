package ecgdetector.streamer.window;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import java.util.Objects;

/**
 * A valid window waiting in a task's buffer for its batch, with everything needed to score it and emit its
 * events after a crash and restore: where it was read from, its key and timestamps.
 *
 * @param source          topic, partition and offset of the input record: the window's identity
 * @param recordTimestamp the input record's timestamp (for latency and the output records' timestamps)
 * @param bufferedAt      wall-clock ms at which it entered the buffer (for the batch's maximum wait)
 * @param key             the input record's key, the patient id as UTF-8, or null; output records keep it
 * @param window          the decoded window
 */
public record BufferedWindow(
        WindowSource source, long recordTimestamp, long bufferedAt, byte[] key, HeartbeatWindow window) {

    public BufferedWindow {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(window, "window");
    }

    @Override
    public String toString() {
        return "BufferedWindow[" + source.id() + "]";
    }
}
