package ecgdetector.schemas;

/**
 * What an alarm is about. Physiological alarms are about the patient's beats; technical alarms say that the
 * patient is not being monitored as they should be (no beats, no model, a signal the model must not judge).
 */
public enum AlarmType {
    /** A run of beats the model scores as anomalous. */
    ANOMALOUS_BEATS(Category.PHYSIOLOGICAL),
    /** A patient who has been sending beats sends none. */
    FEED_SILENT(Category.TECHNICAL),
    /** The patient's beats wait and nothing scores them (no valid model serving). */
    NOT_MONITORED(Category.TECHNICAL),
    /** The patient's records are flat, clipped, far outside the trained range, or dead-lettered. */
    SIGNAL_QUALITY(Category.TECHNICAL);

    /** Whether an alarm is about the patient or about the monitoring. */
    public enum Category {
        PHYSIOLOGICAL,
        TECHNICAL
    }

    private final Category category;

    AlarmType(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
