package ecgdetector.model.alarm;

import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.ModelRef;

/**
 * What a row of {@link AlarmRules#TRANSITIONS} is judged on: the rule, the record or tick being judged, and what
 * the streamer knows about the patient's task. Built by {@link AlarmEngine} from its inputs.
 *
 * @param topic       the input topic, for window ids
 * @param partition   the record's partition (-1 on a wall-clock tick)
 * @param offset      the record's offset (-1 on a wall-clock tick)
 * @param eventTime   the beat's event time, or the dead letter's record time (the wall clock on a tick)
 * @param ratio       score / threshold of a scored beat
 * @param counts      whether the beat counts towards an episode under the rule
 * @param quality     the beat's quality problem, or null if none
 * @param gapMs       event time since the patient's previous beat (0 for its first)
 * @param wallNow     the streamer's wall clock
 * @param caughtUp    whether the patient's task has caught up with its input (wall-clock ticks)
 * @param unscored    whether the task has held windows no model could score for the bound (wall-clock ticks)
 * @param unscoredSince since when it has (wall clock), if it has
 * @param forget      whether the patient is to be forgotten now (wall-clock ticks)
 * @param model       the release that scored the beat, or the latest one the task used
 */
public record AlarmEvent(
        AlarmRule rule,
        String patientId,
        String topic,
        int partition,
        long offset,
        long eventTime,
        double ratio,
        boolean counts,
        AlarmCause quality,
        long gapMs,
        long wallNow,
        boolean caughtUp,
        boolean unscored,
        long unscoredSince,
        boolean forget,
        ModelRef model) {

    public boolean bad() {
        return quality != null;
    }

    /** {@code topic/partition/offset} of this event's record. */
    String windowId() {
        return windowId(offset);
    }

    /** {@code topic/partition/offset} of another record of the same partition. */
    String windowId(long otherOffset) {
        return topic + '/' + partition + '/' + otherOffset;
    }
}
