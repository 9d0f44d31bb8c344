package ecgdetector.streamer.batch;

import ecgdetector.streamer.window.BufferedWindow;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's windows waiting for their batch, in arrival order, kept in a changelogged key-value store so that
 * they survive a crash: Kafka commits the input offsets of records handed to a processor whether or not it
 * has forwarded anything, so a buffer held only in memory would be lost.
 *
 * <p>The key is the source partition, the input topic's incarnation ({@link BufferedWindow#epoch()}) and the
 * offset, big-endian, so the store's byte order is arrival order and per-patient order is kept across a restore,
 * and across a topic deleted and created again. The oldest waiting windows, as many as the instance's
 * {@link QueueBudget} allows, are also queued in memory, so taking a batch never iterates the store from its
 * start. (A RocksDB iterator's {@code seekToFirst} steps over every tombstone the removed windows left at the
 * front of the key range; doing that twice per batch cost more than the model.) A longer backlog - no model
 * serving for hours, a large restore - waits in the store only, counted, and is read into the queue by a range
 * scan that starts after the newest queued key, past every tombstone. Memory stays bounded however long the
 * backlog and however many tasks hold one.
 *
 * <p>A window's wait is measured on the clock of the instance holding it: a restored window (written by another
 * instance, perhaps on another host, or by this one before a crash) counts as arrived when it was restored.
 */
public final class WindowBuffer {

    /** Offsets take the low 48 bits of the key's second field, the topic's incarnation the 15 above. */
    static final int OFFSET_BITS = 48;

    static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;
    static final int MAX_EPOCH = (1 << (63 - OFFSET_BITS)) - 1;

    private static final Bytes LAST_KEY = Bytes.wrap(ByteBuffer.allocate(12)
            .putInt(Integer.MAX_VALUE)
            .putLong(Long.MAX_VALUE)
            .array());

    /** What {@link #append} did with a window. */
    public enum Append {
        /** Buffered. */
        ADDED,
        /** Buffered, as the first window of a new incarnation of its topic (a new topic id on the partition). */
        ADDED_TO_RECREATED_TOPIC,
        /** Not buffered: at or below the highest offset already held from the same topic and partition. */
        REPLAYED
    }

    private final KeyValueStore<Bytes, BufferedWindow> store;
    private final QueueBudget budget;
    private final int readAhead;
    private final ArrayDeque<BufferedWindow> queued = new ArrayDeque<>();
    /** Waiting windows newer than every queued one, in the store only. */
    private long storedOnly;
    /** The smallest key that may hold a stored-only window. */
    private Bytes scanFrom;
    /** Windows restored from the store: up to this key they count as arrived at {@link #restoredAt}. */
    private final Bytes restoredThrough;

    private final long restoredAt;
    /** Per source partition (a task has one): the topic's incarnation and the highest offset this buffer held. */
    private final Map<Integer, Incarnation> partitions = new HashMap<>();

    private static final class Incarnation {
        int epoch;
        Uuid topicId;
        long highest = -1;
    }

    /**
     * Wraps {@code store}, taking over what a restored store already holds, oldest first.
     *
     * @param budget    how many windows all tasks of the instance may queue in memory
     * @param readAhead how many windows to queue at least, when the budget allows, before the store is read again
     * @param now       wall-clock ms: when the restored windows count as arrived
     */
    public WindowBuffer(KeyValueStore<Bytes, BufferedWindow> store, QueueBudget budget, int readAhead, long now) {
        if (readAhead < 1) {
            throw new IllegalArgumentException("readAhead must be at least 1, was " + readAhead);
        }
        this.store = store;
        this.budget = budget;
        this.readAhead = readAhead;
        this.restoredAt = now;
        Bytes last = null;
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.all()) {
            while (it.hasNext()) {
                var next = it.next();
                BufferedWindow w = next.value;
                Incarnation in = partitions.computeIfAbsent(w.source().partition(), p -> new Incarnation());
                if (w.epoch() > in.epoch || in.highest < 0) {
                    in.epoch = w.epoch();
                    in.topicId = w.topicId();
                }
                in.highest = Math.max(in.highest, w.source().offset());
                enqueue(w.heldSince(now), next.key);
                last = next.key;
            }
        }
        restoredThrough = last;
    }

    /** The store key of a window: partition, then the topic's incarnation and the offset in one long. */
    public static Bytes key(int partition, int epoch, long offset) {
        if (offset < 0 || offset > MAX_OFFSET || epoch < 0 || epoch > MAX_EPOCH) {
            throw new IllegalStateException(
                    "offset " + offset + " in incarnation " + epoch + " is beyond what the buffer's keys hold");
        }
        return Bytes.wrap(ByteBuffer.allocate(12)
                .putInt(partition)
                .putLong(((long) epoch << OFFSET_BITS) | offset)
                .array());
    }

    /** The key of the first incarnation of a topic: byte for byte the buffer's keys before incarnations. */
    public static Bytes key(int partition, long offset) {
        return key(partition, 0, offset);
    }

    private static Bytes key(BufferedWindow w) {
        return key(w.source().partition(), w.epoch(), w.source().offset());
    }

    private static Bytes after(BufferedWindow w) {
        return key(w.source().partition(), w.epoch(), w.source().offset() + 1);
    }

    /**
     * Adds a window, unless its record is at or below the highest offset this buffer held from its topic and
     * partition: that is a replay (only possible under at-least-once, after a crash), either still waiting or
     * scored. A window whose topic id differs from the one held for its partition comes from a topic deleted and
     * created again: its offsets start a new incarnation, after every window of the old one.
     *
     * @param w a window whose {@link BufferedWindow#topicId()} is the input topic's id as the caller knows it (or
     *          null); its epoch is ignored
     */
    public Append append(BufferedWindow w) {
        Incarnation in = partitions.computeIfAbsent(w.source().partition(), p -> new Incarnation());
        Append added = Append.ADDED;
        if (w.topicId() != null) {
            if (in.topicId == null) {
                in.topicId = w.topicId();
            } else if (!in.topicId.equals(w.topicId())) {
                in.epoch++;
                in.topicId = w.topicId();
                in.highest = -1;
                added = Append.ADDED_TO_RECREATED_TOPIC;
            }
        }
        if (w.source().offset() <= in.highest) {
            return Append.REPLAYED;
        }
        in.highest = w.source().offset();
        BufferedWindow held = w.inEpoch(in.epoch, in.topicId);
        Bytes key = key(held);
        store.put(key, held);
        enqueue(held, key);
        return added;
    }

    /** The topic id this buffer holds windows of for {@code partition}, if it knows one. */
    public Uuid topicId(int partition) {
        Incarnation in = partitions.get(partition);
        return in == null ? null : in.topicId;
    }

    private void enqueue(BufferedWindow w, Bytes key) {
        if (storedOnly == 0 && budget.tryTake(1) == 1) {
            queued.addLast(w);
        } else {
            if (storedOnly == 0) {
                scanFrom = key;
            }
            storedOnly++;
        }
    }

    /** The oldest {@code max} windows, oldest first; they stay buffered until {@link #remove}. */
    public List<BufferedWindow> oldest(int max) {
        if (queued.size() < max) {
            refill(max);
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
        budget.giveBack(windows.size());
        if (queued.size() < readAhead) {
            refill(0);
        }
    }

    /**
     * Queues stored-only windows, oldest first: as many as the budget allows, and at least enough to queue
     * {@code atLeast} (a batch) whatever it says. The scan starts at the oldest stored-only key.
     */
    private void refill(int atLeast) {
        if (storedOnly == 0) {
            return;
        }
        int wanted = (int) Math.min(storedOnly, Integer.MAX_VALUE);
        int granted = budget.tryTake(wanted);
        int forced = (int) Math.max(0, Math.min(atLeast - queued.size() - granted, wanted - granted));
        budget.takeAnyway(forced);
        int toRead = granted + forced;
        int read = 0;
        try (KeyValueIterator<Bytes, BufferedWindow> it = store.range(scanFrom, LAST_KEY)) {
            while (read < toRead && it.hasNext()) {
                var next = it.next();
                BufferedWindow w = next.value;
                boolean restored = restoredThrough != null && next.key.compareTo(restoredThrough) <= 0;
                queued.addLast(restored ? w.heldSince(restoredAt) : w);
                scanFrom = after(w);
                read++;
            }
        }
        storedOnly -= read;
        budget.giveBack(toRead - read);
        if (read < toRead && storedOnly > 0) {
            throw new IllegalStateException(
                    storedOnly + " windows counted as waiting in the store are not in it" + " from " + scanFrom);
        }
    }

    public long size() {
        return queued.size() + storedOnly;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** Wall-clock ms, on this instance's clock, at which the oldest waiting window arrived; MAX_VALUE when empty. */
    public long oldestBufferedAt() {
        if (queued.isEmpty()) {
            refill(1);
        }
        BufferedWindow oldest = queued.peekFirst();
        return oldest == null ? Long.MAX_VALUE : oldest.bufferedAt();
    }

    /** Lets go of the queue's share of the budget; the windows stay in the store. Call when the task closes. */
    public void release() {
        budget.giveBack(queued.size());
        queued.clear();
    }
}
