package ecgdetector.schemas;

/** Why an alarm made its transition: which rule fired. {@code docs/alarms.md} has the rule table. */
public enum AlarmCause {
    /** Enough of the patient's last beats scored above the alarm ratio. */
    BEATS_ABOVE_RATIO,
    /** The episode has more anomalous beats than its priority allows. */
    LONGER_RUN,
    /** A beat of the episode scored above the ratio its priority allows. */
    HIGHER_RATIO,
    /** The episode has been open longer than its priority allows. */
    DURATION,
    /** Enough consecutive beats scored at or below the alarm ratio. */
    NORMAL_BEATS,
    /** No beat scored above the alarm ratio for the quiet time (event time). */
    QUIET_TIME,
    /** No record for the silence time by the streamer's wall clock, the task having caught up with its input. */
    NO_RECORDS,
    /** Two consecutive beats' event times are at least the silence time apart. */
    GAP_IN_BEAT_TIMES,
    /** A beat arrived after a silence. */
    FEED_RESUMED,
    /** The patient's task has held windows for the bound while no model could score them. */
    NO_MODEL,
    /** A beat of the patient was scored again. */
    SCORED_AGAIN,
    /** Beats with next to no variance: a lead off or a flat line. */
    FLAT,
    /** Beats held at their extreme value over many samples: a saturated amplifier. */
    CLIPPED,
    /** Beats mostly outside the range the release's scaler was fitted on: not normalised as the model expects. */
    OUT_OF_RANGE,
    /** The patient's records keep going to the dead-letter topic. */
    DEAD_LETTERS,
    /** Enough consecutive beats of good quality. */
    GOOD_QUALITY,
    /** The patient sent nothing for the retention time and is no longer tracked: the last event. */
    FORGOTTEN
}
