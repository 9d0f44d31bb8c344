package ecgdetector.streamer.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What each active task's batch buffer holds, as its stream thread last reported it: how many windows wait, and
 * since when the oldest of them has waited without the buffer forwarding any (a task that flushes keeps resetting
 * it). The health check reads it to tell a task that holds windows it cannot get rid of. A task that closes and
 * opens again on this instance (a revival after a failed commit) keeps the time it began to wait, so that a
 * stall is not hidden by the task starting over. The alarm stage asks it too ({@link ScoringCoverage}): a task
 * whose buffer has forwarded nothing for long has patients nothing scores.
 */
public final class TaskBuffers implements ScoringCoverage {

    /** A task that opens again within this long of closing is taken for a revival, not a new assignment. */
    static final long REVIVAL_MS = 10_000;

    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();

    /** A task's report; written by its stream thread only. */
    public static final class Entry {
        private final String task;
        private volatile long windows;
        private volatile long waitingSince = Long.MAX_VALUE;
        private volatile boolean open;
        private volatile long closedAt = Long.MIN_VALUE;

        private Entry(String task) {
            this.task = task;
        }

        /**
         * The buffer now holds {@code windows}.
         *
         * @param forwarded whether windows just left the buffer for scoring: the wait starts again
         */
        public void update(long windows, long now, boolean forwarded) {
            if (windows == 0) {
                waitingSince = Long.MAX_VALUE;
            } else if (forwarded || waitingSince == Long.MAX_VALUE) {
                waitingSince = now;
            }
            this.windows = windows;
        }

        public String task() {
            return task;
        }
    }

    /** What a task reported, at one moment. */
    public record Snapshot(String task, long windows, long waitingSince) {}

    /**
     * The entry of {@code task}, opened. If the task closed on this instance a moment ago, it is the same entry,
     * still waiting since when it waited then.
     */
    public Entry open(String task, long now) {
        Entry e = tasks.computeIfAbsent(task, Entry::new);
        if (now - e.closedAt > REVIVAL_MS) {
            e.waitingSince = Long.MAX_VALUE;
        }
        e.open = true;
        return e;
    }

    /** The task left this instance or closed; its windows are no longer counted here. */
    public void close(Entry e, long now) {
        e.open = false;
        e.windows = 0;
        e.closedAt = now;
    }

    /** The open tasks' reports. */
    public List<Snapshot> snapshot() {
        List<Snapshot> out = new ArrayList<>();
        tasks.values().forEach(e -> {
            if (e.open) {
                out.add(new Snapshot(e.task, e.windows, e.waitingSince));
            }
        });
        return out;
    }

    /** Since when {@code task}'s buffer has held windows without forwarding any, or {@link #SCORING}. */
    @Override
    public long unscoredSince(TaskId task) {
        Entry e = tasks.get(task.toString());
        if (e == null || !e.open || e.windows == 0 || e.waitingSince == Long.MAX_VALUE) {
            return SCORING;
        }
        return e.waitingSince;
    }
}
