package ecgdetector.streamer.batch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many waiting windows all tasks of one instance may queue in memory together ({@code ecg.buffer.memory.windows}):
 * a backlog beyond it waits in the store only, and comes back into memory as the queues drain. Thirty-two
 * partitions holding a long backlog (no model serving for hours, a large restore) then cost what one does.
 *
 * <p>A task with nothing queued may always take its next batch from the store, budget or not: the batch being
 * scored is in memory anyway, and a task must never wait on another's backlog. So at most
 * {@code limit + tasks x batch size} windows are in memory.
 */
public final class QueueBudget {

    private final long limit;
    private final AtomicLong inUse = new AtomicLong();

    public QueueBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the in-memory window budget must be at least 1, was " + limit);
        }
        this.limit = limit;
    }

    /** As many of {@code wanted} windows as the budget has room for, perhaps none; they are in use until given back. */
    public int tryTake(int wanted) {
        while (true) {
            long used = inUse.get();
            long granted = Math.max(0, Math.min(wanted, limit - used));
            if (granted == 0 || inUse.compareAndSet(used, used + granted)) {
                return (int) granted;
            }
        }
    }

    /** Takes {@code n} windows whatever the budget says: a task's next batch. */
    public void takeAnyway(int n) {
        inUse.addAndGet(n);
    }

    public void giveBack(long n) {
        inUse.addAndGet(-n);
    }

    /** Windows queued in memory now, over all tasks. */
    public long inUse() {
        return inUse.get();
    }

    public long limit() {
        return limit;
    }
}
