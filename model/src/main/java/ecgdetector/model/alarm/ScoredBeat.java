package ecgdetector.model.alarm;

import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.ModelRef;

/**
 * A scored beat as the alarm engine takes it.
 *
 * @param patientId the patient (the input record's key)
 * @param topic     where the beat was read from: topic, partition and offset make its window id
 * @param eventTime the beat's event time, epoch ms
 * @param ratio     score / threshold (infinite for a threshold of 0)
 * @param quality   {@link BeatQuality#check}'s verdict: null for a beat the model may judge
 * @param model     the release that scored it
 * @param wallNow   the streamer's wall clock as it judges the beat
 */
public record ScoredBeat(
        String patientId,
        String topic,
        int partition,
        long offset,
        long eventTime,
        double ratio,
        AlarmCause quality,
        ModelRef model,
        long wallNow) {}
