package ecgdetector.streamer.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * The tasks whose buffer holds windows no model can score, with the wall-clock time they began to: told by the
 * batch stage, read by the alarm stage of the same task. Thread-safe; a task is on one stream thread at a time.
 */
public final class UnscoredTasks implements ScoringCoverage {

    private final Map<TaskId, Long> since = new ConcurrentHashMap<>();

    /** {@code task} holds windows and no model serves; the first call of a stretch sets since when. */
    public void waiting(TaskId task, long wallNow) {
        since.putIfAbsent(task, wallNow);
    }

    /** {@code task} scores its windows, or holds none, or moved to another instance. */
    public void scoring(TaskId task) {
        since.remove(task);
    }

    @Override
    public long unscoredSince(TaskId task) {
        Long s = since.get(task);
        return s == null ? SCORING : s;
    }
}
