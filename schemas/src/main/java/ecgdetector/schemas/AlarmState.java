package ecgdetector.schemas;

/** The lifecycle of an alarm episode: one {@link Alarm} event per transition. */
public enum AlarmState {
    /** The alarm condition began; at most one episode of a type is open per patient. */
    RAISED,
    /** The open episode's priority rose. */
    ESCALATED,
    /** The condition ended; the episode is closed and the next one gets a new episode id. */
    CLEARED
}
