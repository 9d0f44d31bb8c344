package ecgdetector.streamer.batch;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's windows waiting for their batch, in arrival order, kept in a changelogged key-value store so that
 * they survive a crash: Kafka commits the input offsets of records handed to a processor whether or not it
 * has forwarded anything, so a buffer held only in memory would be lost.
 *
 * <p>The store is written to ({@code put} on arrival, {@code delete} once scored) and read only when the task
 * starts: the waiting windows' order is also kept in memory, so taking a batch never iterates the store. (A
 * RocksDB iterator's {@code seekToFirst} steps over every tombstone the removed windows left at the front of
 * the key range; doing that twice per batch cost more than the model.) The key is the source partition and
 * offset, big-endian, so the store's byte order is arrival order and per-patient order is kept across a
 * restore.
 */
public final class WindowBuffer {

    private final KeyValueStore<Bytes, BufferedWindow> store;
    private final ArrayDeque<BufferedWindow> waiting = new ArrayDeque<>();

    /** Wraps {@code store}, taking over what a restored store already holds, oldest first. */
    public WindowBuffer(KeyValueStore<Bytes, BufferedWindow> store) {
        this.store = store;
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                waiting.addLast(it.next().value);
            }
        }
    }

    public static Bytes key(int partition, long offset) {
        return Bytes.wrap(ByteBuffer.allocate(12).putInt(partition).putLong(offset).array());
    }

    public void append(BufferedWindow w) {
        store.put(key(w.source().partition(), w.source().offset()), w);
        waiting.addLast(w);
    }

    /** The oldest {@code max} windows, oldest first; they stay buffered until {@link #remove}. */
    public List<BufferedWindow> oldest(int max) {
        List<BufferedWindow> out = new ArrayList<>(Math.min(max, waiting.size()));
        Iterator<BufferedWindow> it = waiting.iterator();
        while (out.size() < max && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    /**
     * Removes windows returned by {@link #oldest}, which must be the oldest ones.
     *
     * @throws IllegalArgumentException if they are not, leaving the buffer as it was
     */
    public void remove(List<BufferedWindow> windows) {
        Iterator<BufferedWindow> it = waiting.iterator();
        for (BufferedWindow w : windows) {
            if (!it.hasNext() || it.next() != w) {
                throw new IllegalArgumentException("window " + w + " is not among the oldest buffered ones");
            }
        }
        for (BufferedWindow w : windows) {
            waiting.removeFirst();
            store.delete(key(w.source().partition(), w.source().offset()));
        }
    }

    public long size() {
        return waiting.size();
    }

    public boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** Wall-clock ms at which the oldest waiting window arrived; {@link Long#MAX_VALUE} when empty. */
    public long oldestBufferedAt() {
        BufferedWindow oldest = waiting.peekFirst();
        return oldest == null ? Long.MAX_VALUE : oldest.bufferedAt();
    }
}
