package ecgdetector.streamer.window;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A valid window waiting in a task's buffer for its batch, with everything needed to score it and emit its
 * events after a crash and restore: where it was read from, its key and timestamps.
 *
 * @param source          topic, partition and offset of the input record: the window's identity
 * @param recordTimestamp the input record's timestamp (for latency and the output records' timestamps)
 * @param bufferedAt      wall-clock ms, on the clock of the instance holding the window, at which it entered that
 *                        instance's buffer (for the batch's maximum wait); a restored window gets the restoring
 *                        instance's time, never another host's
 * @param key             the input record's key, the patient id as UTF-8, or null; output records keep it
 * @param window          the decoded window
 * @param topicId         the input topic's id when the window was read, if known: a topic deleted and created
 *                        again under the same name has a new id, and its offsets start again at 0
 * @param epoch           which incarnation of the input topic, on this partition, the offset belongs to (0 for
 *                        the first one this buffer saw); part of the store key, so offsets of a recreated topic
 *                        neither collide with the old topic's nor sort before them
 */
public record BufferedWindow(
        WindowSource source,
        long recordTimestamp,
        long bufferedAt,
        byte[] key,
        HeartbeatWindow window,
        Uuid topicId,
        int epoch) {

    public BufferedWindow {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(window, "window");
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch);
        }
    }

    /** A window read from the first incarnation of a topic whose id is not known. */
    public BufferedWindow(
            WindowSource source, long recordTimestamp, long bufferedAt, byte[] key, HeartbeatWindow window) {
        this(source, recordTimestamp, bufferedAt, key, window, null, 0);
    }

    /** The same window in the buffer of the instance that holds it now, which took it at {@code at}. */
    public BufferedWindow heldSince(long at) {
        return new BufferedWindow(source, recordTimestamp, at, key, window, topicId, epoch);
    }

    /** The same window as read from incarnation {@code of} of its topic, with id {@code id}. */
    public BufferedWindow inEpoch(int of, Uuid id) {
        return new BufferedWindow(source, recordTimestamp, bufferedAt, key, window, id, of);
    }

    @Override
    public String toString() {
        return "BufferedWindow[" + source.id() + (epoch == 0 ? "" : " epoch " + epoch) + "]";
    }
}
