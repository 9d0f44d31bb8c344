package ecgdetector.view.web;

import ecgdetector.schemas.Json;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One browser's stream of updates, with a queue of its own: whoever produces updates only ever {@link #offer}s,
 * which never blocks, and one writer thread per browser sends them ({@link #serve}). A browser that does not keep
 * up fills its queue; its updates are then dropped (and counted) until its writer catches up, which sends it a
 * notice and the whole current state, so a slow or stuck browser costs the others, and the reader of Kafka,
 * nothing.
 */
public final class ClientChannel {

    /** Where a channel's frames go: a browser's event stream. */
    public interface Sink {
        void send(Frame frame) throws IOException;

        /** A comment line that keeps idle connections open and finds dead ones. */
        void keepAlive() throws IOException;

        boolean isOpen();
    }

    private final ArrayBlockingQueue<Frame> queue;
    private final Supplier<Frame> snapshot;
    private final long keepAliveMs;
    private final AtomicBoolean behind = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedTotal;
    private volatile boolean closed;

    /**
     * @param capacity     updates held for the browser at most
     * @param snapshot     the whole state, sent first and after updates were dropped
     * @param keepAliveMs  an idle stream gets a comment this often
     * @param droppedTotal counts dropped updates across all channels
     */
    public ClientChannel(int capacity, Supplier<Frame> snapshot, long keepAliveMs, AtomicLong droppedTotal) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.snapshot = snapshot;
        this.keepAliveMs = keepAliveMs;
        this.droppedTotal = droppedTotal;
    }

    /** Queues an update for the browser; never blocks. */
    public void offer(Frame frame) {
        if (closed) {
            return;
        }
        if (behind.get()) {
            drop(1);
            return;
        }
        if (!queue.offer(frame)) {
            behind.set(true);
            drop(1 + queue.size());
            queue.clear();
        }
    }

    /** Updates this browser missed, because it did not keep up. */
    public long dropped() {
        return dropped.get();
    }

    /** Sends the state, then every update, until the browser goes or {@link #close()}. */
    public void serve(Sink sink) throws IOException, InterruptedException {
        sink.send(snapshot.get());
        while (!closed && sink.isOpen()) {
            // Checked before waiting: a writer back from a slow send must not wait on an emptied queue.
            if (behind.getAndSet(false)) {
                queue.clear();
                sink.send(notice(dropped.get()));
                sink.send(snapshot.get());
                continue;
            }
            Frame next = queue.poll(keepAliveMs, TimeUnit.MILLISECONDS);
            if (next == null) {
                sink.keepAlive();
            } else {
                sink.send(next);
            }
        }
    }

    public void close() {
        closed = true;
    }

    private void drop(long n) {
        dropped.addAndGet(n);
        droppedTotal.addAndGet(n);
    }

    private static Frame notice(long dropped) {
        String text = "This page fell behind and " + dropped + " update" + (dropped == 1 ? " was" : "s were")
                + " dropped; it now shows the current state.";
        try {
            return new Frame("notice", Json.mapper().writeValueAsString(Map.of("message", text, "dropped", dropped)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
