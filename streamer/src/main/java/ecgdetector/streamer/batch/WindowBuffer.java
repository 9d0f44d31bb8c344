package ecgdetector.streamer.batch;

import ecgdetector.streamer.window.BufferedWindow;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's windows waiting for their batch, in arrival order, kept in a changelogged key-value store so that
 * they survive a crash: Kafka commits the input offsets of records handed to a processor whether or not it
 * has forwarded anything, so a buffer held only in memory would be lost.
 *
 * <p>The key is the source partition and offset, big-endian, so the store's byte order is arrival order and
 * per-patient order is kept across a restore. The oldest waiting windows, at most {@code windowsInMemory}, are
 * also queued in memory, so taking a batch never iterates the store from its start. (A RocksDB iterator's
 * {@code seekToFirst} steps over every tombstone the removed windows left at the front of the key range; doing
 * that twice per batch cost more than the model.) A longer backlog - no model serving for hours, a large
 * restore - waits in the store only, counted, and is read into the queue by a range scan that starts after
 * the newest queued key, past every tombstone. Memory stays bounded however long the backlog.
 */
public final class WindowBuffer {

    private static final Bytes LAST_KEY = key(Integer.MAX_VALUE, Long.MAX_VALUE);

    private final KeyValueStore<Bytes, BufferedWindow> store;
    private final int windowsInMemory;
    private final ArrayDeque<BufferedWindow> queued = new ArrayDeque<>();
    /** Waiting windows newer than every queued one, in the store only. */
    private long storedOnly;
    /** Key of the newest window ever queued: the store holds nothing older that is not queued. */
    private BufferedWindow newestQueued;
    /**
     * Per source partition (a task has one), the highest offset this buffer has held: a record at or below it
     * is a replay. A one-element array, updated in place, so that appending a window allocates nothing here.
     */
    private final Map<Integer, long[]> highestOffset = new HashMap<>();

    /**
     * Wraps {@code store}, taking over what a restored store already holds, oldest first.
     *
     * @param windowsInMemory how many of the oldest waiting windows to queue in memory
     */
    public WindowBuffer(KeyValueStore<Bytes, BufferedWindow> store, int windowsInMemory) {
        if (windowsInMemory < 1) {
            throw new IllegalArgumentException("windowsInMemory must be at least 1, was " + windowsInMemory);
        }
        this.store = store;
        this.windowsInMemory = windowsInMemory;
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                BufferedWindow w = it.next().value;
                long[] highest = highestOffset.computeIfAbsent(w.source().partition(), p -> new long[] {-1});
                highest[0] = Math.max(highest[0], w.source().offset());
                enqueue(w);
            }
        }
    }

    public static Bytes key(int partition, long offset) {
        return Bytes.wrap(
                ByteBuffer.allocate(12).putInt(partition).putLong(offset).array());
    }

    private static Bytes key(BufferedWindow w) {
        return key(w.source().partition(), w.source().offset());
    }

    /**
     * Adds a window. A record at or below the highest offset already held from its partition is a replay
     * (only possible under at-least-once, after a crash): it is either still waiting or was scored, so it is
     * not added again.
     *
     * @return whether the window was added
     */
    public boolean append(BufferedWindow w) {
        long[] highest = highestOffset.computeIfAbsent(w.source().partition(), p -> new long[] {-1});
        if (w.source().offset() <= highest[0]) {
            return false;
        }
        highest[0] = w.source().offset();
        store.put(key(w), w);
        enqueue(w);
        return true;
    }

    private void enqueue(BufferedWindow w) {
        if (storedOnly == 0 && queued.size() < windowsInMemory) {
            queued.addLast(w);
            newestQueued = w;
        } else {
            storedOnly++;
        }
    }

    /** The oldest {@code max} windows, oldest first; they stay buffered until {@link #remove}. */
    public List<BufferedWindow> oldest(int max) {
        if (queued.size() < max) {
            refill();
        }
        List<BufferedWindow> out = new ArrayList<>(Math.min(max, queued.size()));
        Iterator<BufferedWindow> it = queued.iterator();
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
        Iterator<BufferedWindow> it = queued.iterator();
        for (BufferedWindow w : windows) {
            if (!it.hasNext() || it.next() != w) {
                throw new IllegalArgumentException("window " + w + " is not among the oldest buffered ones");
            }
        }
        for (BufferedWindow w : windows) {
            queued.removeFirst();
            store.delete(key(w));
        }
        if (queued.size() <= windowsInMemory / 2) {
            refill();
        }
    }

    /** Queues stored-only windows, oldest first, up to the limit; the scan starts after the newest queued. */
    private void refill() {
        if (storedOnly == 0 || queued.size() >= windowsInMemory) {
            return;
        }
        Bytes from =
                key(newestQueued.source().partition(), newestQueued.source().offset() + 1);
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.range(from, LAST_KEY)) {
            while (queued.size() < windowsInMemory && it.hasNext()) {
                BufferedWindow w = it.next().value;
                queued.addLast(w);
                newestQueued = w;
                storedOnly--;
            }
        }
        if (queued.isEmpty() && storedOnly > 0) {
            throw new IllegalStateException(
                    storedOnly + " windows counted as waiting in the store are not in it" + " after " + newestQueued);
        }
    }

    public long size() {
        return queued.size() + storedOnly;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Wall-clock ms at which the oldest waiting window arrived; {@link Long#MAX_VALUE} when empty. */
    public long oldestBufferedAt() {
        if (queued.isEmpty()) {
            refill();
        }
        BufferedWindow oldest = queued.peekFirst();
        return oldest == null ? Long.MAX_VALUE : oldest.bufferedAt();
    }
}
