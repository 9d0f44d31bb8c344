package ecgdetector.model.alarm;

import ecgdetector.schemas.ModelRef;

/**
 * What the streamer knows on a wall-clock tick about the task a patient belongs to.
 *
 * @param topic         the input topic, for window ids
 * @param wallNow       the wall clock
 * @param caughtUp      whether the task has caught up with its input, so that silence can be judged
 * @param unscoredSince since when (wall clock) the task has held windows no model scores, or -1 if it scores
 * @param unscoredMs    how long it may hold them before its patients are not monitored
 * @param retentionMs   how long a patient may send nothing before it is forgotten
 * @param model         the latest release the task scored with, or null
 */
public record Tick(
        String topic,
        long wallNow,
        boolean caughtUp,
        long unscoredSince,
        long unscoredMs,
        long retentionMs,
        ModelRef model) {

    /** Whether the task has held unscored windows for the bound. */
    public boolean unscored() {
        return unscoredSince >= 0 && wallNow - unscoredSince >= unscoredMs;
    }
}
