package ecgdetector.schemas;

/**
 * How urgently an alarm asks for a response, IEC 60601-1-8's three levels: {@link #HIGH} immediate,
 * {@link #MEDIUM} prompt, {@link #LOW} awareness. An episode's priority only rises while it is open.
 */
public enum AlarmPriority {
    LOW,
    MEDIUM,
    HIGH;

    /** Whether this priority is above {@code other}. */
    public boolean isAbove(AlarmPriority other) {
        return compareTo(other) > 0;
    }
}
