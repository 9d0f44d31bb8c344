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
 * <p>The store is written to ({@code put} on arrival, {@code delete} once scored) and iterated only when the
 * task starts: the waiting windows' order is also kept in memory, so taking a batch never iterates the store.
 * (A RocksDB iterator's {@code seekToFirst} steps over every tombstone the removed windows left at the front of
 * the key range; doing that twice per batch cost more than the model.) The key is the source partition and
 * offset, big-endian, so the store's byte order is arrival order and per-patient order is kept across a
 * restore.
 *
 * <p>At most {@code windowsInMemory} windows are held in memory whole; past them (a backlog while no model
 * serves, or a large restore) only their key and arrival time are, about 40 bytes a window, and the window is
 * read back from the store (a point lookup, no iteration) when its batch comes. So a streamer left without a
 * model for hours grows its heap by tens of bytes a window, not by a kilobyte.
 */
public final class WindowBuffer {

    /** A waiting window's place in line; {@code window} is null when it is only in the store. */
    private record Waiting(int partition, long offset, long bufferedAt, BufferedWindow window) {
    }

    private final KeyValueStore<Bytes, BufferedWindow> store;
    private final int windowsInMemory;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int heldInMemory;

    /**
     * Wraps {@code store}, taking over what a restored store already holds, oldest first.
     *
     * @param windowsInMemory how many of the oldest waiting windows to hold whole in memory
     */
    public WindowBuffer(KeyValueStore<Bytes, BufferedWindow> store, int windowsInMemory) {
        if (windowsInMemory < 1) {
            throw new IllegalArgumentException("windowsInMemory must be at least 1, was " + windowsInMemory);
        }
        this.store = store;
        this.windowsInMemory = windowsInMemory;
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                enqueue(it.next().value);
            }
        }
    }

    public static Bytes key(int partition, long offset) {
        return Bytes.wrap(ByteBuffer.allocate(12).putInt(partition).putLong(offset).array());
    }

    public void append(BufferedWindow w) {
        store.put(key(w.source().partition(), w.source().offset()), w);
        enqueue(w);
    }

    private void enqueue(BufferedWindow w) {
        boolean hold = heldInMemory < windowsInMemory;
        if (hold) {
            heldInMemory++;
        }
        waiting.addLast(new Waiting(w.source().partition(), w.source().offset(), w.bufferedAt(), hold ? w : null));
    }

    /** The oldest {@code max} windows, oldest first; they stay buffered until {@link #remove}. */
    public List<BufferedWindow> oldest(int max) {
        List<BufferedWindow> out = new ArrayList<>(Math.min(max, waiting.size()));
        Iterator<Waiting> it = waiting.iterator();
        while (out.size() < max && it.hasNext()) {
            Waiting next = it.next();
            out.add(next.window() != null ? next.window() : stored(next));
        }
        return out;
    }

    private BufferedWindow stored(Waiting w) {
        BufferedWindow window = store.get(key(w.partition(), w.offset()));
        if (window == null) {
            throw new IllegalStateException("window " + w.partition() + "/" + w.offset()
                    + " is waiting in the buffer but missing from its store");
        }
        return window;
    }

    /**
     * Removes windows returned by {@link #oldest}, which must be the oldest ones.
     *
     * @throws IllegalArgumentException if they are not, leaving the buffer as it was
     */
    public void remove(List<BufferedWindow> windows) {
        Iterator<Waiting> it = waiting.iterator();
        for (BufferedWindow w : windows) {
            Waiting next = it.hasNext() ? it.next() : null;
            if (next == null || next.partition() != w.source().partition() || next.offset() != w.source().offset()) {
                throw new IllegalArgumentException("window " + w + " is not among the oldest buffered ones");
            }
        }
        for (BufferedWindow w : windows) {
            if (waiting.removeFirst().window() != null) {
                heldInMemory--;
            }
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
        Waiting oldest = waiting.peekFirst();
        return oldest == null ? Long.MAX_VALUE : oldest.bufferedAt();
    }
}
