package ecgdetector.streamer.ops;

import org.apache.kafka.streams.processor.TaskId;

/**
 * Whether a task's windows are being scored: the one question the alarm stage asks to raise {@code NOT_MONITORED}
 * for the patients of a task nothing scores. Today the answer comes from the batch stage ({@link UnscoredTasks}):
 * its buffer holds windows while no model serves. A stalled task (no progress while input waits) and an instance
 * that runs no stream threads without a model answer here too, once health is judged from progress.
 */
public interface ScoringCoverage {

    /** {@link #unscoredSince} of a task whose windows are scored. */
    long SCORING = -1;

    /** Wall-clock ms since which {@code task} has held windows that nothing scores, or {@link #SCORING}. */
    long unscoredSince(TaskId task);
}
