package ecgdetector.schemas;

import java.util.List;
import java.util.Objects;

/**
 * One alarm transition: the value of an {@code ecg.alarms} record, keyed by the patient (the input record's key).
 * JSON Schema: {@code schemas/json/alarm.schema.json}. A consumer acts on episodes: {@code RAISED}, perhaps
 * {@code ESCALATED}, then {@code CLEARED}, all with the same {@code episodeId}.
 *
 * @param alarmId        deterministic: {@code episodeId/RAISED}, {@code episodeId/ESCALATED-<PRIORITY>} or
 *                       {@code episodeId/CLEARED}; the same input gives the same ids, across crashes and restarts
 * @param episodeId      {@code <TYPE>:<topic/partition/offset>} of the record that began the episode: the first
 *                       anomalous or bad beat of the episode, or for {@code FEED_SILENT} and {@code NOT_MONITORED}
 *                       the patient's last beat before the alarm
 * @param patientId      the input record's key
 * @param category       physiological or technical, from {@code type}
 * @param type           what the alarm is about
 * @param state          the transition
 * @param priority       the episode's priority after this transition
 * @param cause          the rule that made the transition
 * @param startedAt      ISO-8601 UTC: when the condition began (the episode's first beat's event time; for a
 *                       silence, the last beat's)
 * @param at             ISO-8601 UTC: when this transition's condition was met: the event time of the beat that
 *                       caused it, or the streamer's wall clock for a condition found without a beat
 * @param detectedAt     ISO-8601 UTC wall-clock time at which the streamer emitted it
 * @param beats          window ids ({@code topic/partition/offset}) of the records that caused the transition,
 *                       oldest first
 * @param anomalousBeats anomalous beats of the episode so far (physiological alarms)
 * @param peakRatio      the highest score / threshold of the episode so far (physiological alarms)
 * @param gapMs          for {@code FEED_RESUMED}: event time between the beats on either side of the silence
 * @param model          the release whose scores the transition was decided on, if any
 * @param rule           the rule in words, with its parameters
 */
public record Alarm(
        String alarmId,
        String episodeId,
        String patientId,
        AlarmType.Category category,
        AlarmType type,
        AlarmState state,
        AlarmPriority priority,
        AlarmCause cause,
        String startedAt,
        String at,
        String detectedAt,
        List<String> beats,
        Integer anomalousBeats,
        Double peakRatio,
        Long gapMs,
        ModelRef model,
        String rule) {

    public Alarm {
        Objects.requireNonNull(alarmId, "alarmId");
        Objects.requireNonNull(type, "type");
        beats = beats == null ? List.of() : List.copyOf(beats);
    }

    /** {@code episodeId} of an episode of {@code type} that began with the record {@code windowId}. */
    public static String episodeId(AlarmType type, String windowId) {
        return type.name() + ':' + windowId;
    }

    /** {@code alarmId} of a transition of {@code episodeId} into {@code state}, at {@code priority}. */
    public static String alarmId(String episodeId, AlarmState state, AlarmPriority priority) {
        return switch (state) {
            case RAISED, CLEARED -> episodeId + '/' + state.name();
            case ESCALATED -> episodeId + "/ESCALATED-" + priority.name();
        };
    }

    @Override
    public String toString() {
        // No patient id: this may end up in a log line.
        return "Alarm[" + alarmId + ", " + priority + ", " + cause + "]";
    }
}
