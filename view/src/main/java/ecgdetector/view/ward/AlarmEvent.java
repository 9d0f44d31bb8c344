package ecgdetector.view.ward;

import java.util.Locale;
import java.util.Set;

/**
 * One record of {@code ecg.alarms}: a transition of a patient's alarm (issue 13's contract). The view reads only
 * what it shows: which alarm, of what type, in which state, at what priority. An alarm is open from its first
 * transition until one that ends it.
 *
 * @param patientId the patient (the record key where the value names none)
 * @param alarmId   the alarm this transition belongs to; transitions of one alarm share it
 * @param type      e.g. {@code EPISODE}, {@code FEED_SILENT}, {@code SIGNAL_QUALITY}
 * @param state     e.g. {@code RAISED}, {@code ESCALATED}, {@code CLEARED}
 * @param priority  {@code low}, {@code medium} or {@code high} (IEC 60601-1-8's levels)
 * @param at        when the transition happened, as the record says it (ISO-8601), or null
 */
public record AlarmEvent(String patientId, String alarmId, String type, String state, String priority, String at) {

    /** States after which an alarm is no longer open. */
    private static final Set<String> ENDING_STATES = Set.of("CLEARED", "RESOLVED", "ENDED", "RESUMED");
    /** A feed that is silent: a technical alarm the tile shows as {@link TileLevel#FEED_SILENT}. */
    static final String FEED_SILENT = "FEED_SILENT";
    /** The transition that ends a {@link #FEED_SILENT} alarm. */
    private static final String FEED_RESUMED = "FEED_RESUMED";

    /** Whether the alarm is open after this transition. */
    public boolean open() {
        return !ENDING_STATES.contains(upper(state)) && !FEED_RESUMED.equals(upper(type));
    }

    /** The tile level of this alarm while it is open. */
    public TileLevel level() {
        if (FEED_SILENT.equals(upper(type))) {
            return TileLevel.FEED_SILENT;
        }
        return switch (upper(priority)) {
            case "HIGH" -> TileLevel.ALARM_HIGH;
            case "MEDIUM" -> TileLevel.ALARM_MEDIUM;
            default -> TileLevel.ALARM_LOW;
        };
    }

    /** Whether this transition ends the patient's open feed-silent alarms. */
    boolean resumesFeed() {
        return FEED_RESUMED.equals(upper(type));
    }

    private static String upper(String s) {
        return s == null ? "" : s.toUpperCase(Locale.ROOT);
    }
}
