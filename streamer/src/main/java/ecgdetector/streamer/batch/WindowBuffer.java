package ecgdetector.streamer.batch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's windows waiting for their batch, in arrival order, kept in a changelogged key-value store so that
 * they survive a crash: Kafka commits the input offsets of records handed to a processor whether or not it
 * has forwarded anything, so a buffer held only in memory would be lost.
 *
 * <p>The key is the source partition and offset, big-endian, so the store's byte order is arrival order and
 * per-patient order is kept. The size and the oldest window's arrival time are kept in memory, recomputed from
 * the store when the task starts.
 */
public final class WindowBuffer {

    private final KeyValueStore<Bytes, BufferedWindow> store;
    private long size;
    private long oldestBufferedAt = Long.MAX_VALUE;

    /** Wraps {@code store}, counting what a restored store already holds. */
    public WindowBuffer(KeyValueStore<Bytes, BufferedWindow> store) {
        this.store = store;
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                BufferedWindow w = it.next().value;
                if (size++ == 0) {
                    oldestBufferedAt = w.bufferedAt();
                }
            }
        }
    }

    public static Bytes key(int partition, long offset) {
        return Bytes.wrap(ByteBuffer.allocate(12).putInt(partition).putLong(offset).array());
    }

    public void append(BufferedWindow w) {
        store.put(key(w.source().partition(), w.source().offset()), w);
        if (size++ == 0) {
            oldestBufferedAt = w.bufferedAt();
        }
    }

    /** The oldest {@code max} windows, oldest first; they stay buffered until {@link #remove}. */
    public List<BufferedWindow> oldest(int max) {
        List<BufferedWindow> out = new ArrayList<>((int) Math.min(max, size));
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (out.size() < max && it.hasNext()) {
                out.add(it.next().value);
            }
        }
        return out;
    }

    /** Removes windows returned by {@link #oldest}, which must be the oldest ones. */
    public void remove(List<BufferedWindow> windows) {
        for (BufferedWindow w : windows) {
            store.delete(key(w.source().partition(), w.source().offset()));
        }
        size -= windows.size();
        oldestBufferedAt = Long.MAX_VALUE;
        if (size > 0) {
            try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
                if (it.hasNext()) {
                    KeyValue<Bytes, BufferedWindow> next = it.next();
                    oldestBufferedAt = next.value.bufferedAt();
                }
            }
        }
    }

    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Wall-clock ms at which the oldest waiting window arrived; {@link Long#MAX_VALUE} when empty. */
    public long oldestBufferedAt() {
        return oldestBufferedAt;
    }
}
