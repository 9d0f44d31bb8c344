package ecgdetector.view.ward;

import java.util.Locale;

/**
 * How urgently a patient's tile asks to be looked at, most urgent first: the ward overview sorts by it. Every
 * level has a text label beside its colour, so no one has to tell colours apart. Physiological alarms come from
 * {@code ecg.alarms}; until a patient has one, the level comes from the anomalous beats of its last minute
 * (their severity, {@code ecgdetector.schemas.Severity}, is the streamer's); a patient whose scores stopped
 * arriving is {@link #FEED_SILENT}, whatever its last beats said.
 */
public enum TileLevel {
    ALARM_HIGH("Alarm, high priority"),
    ALARM_MEDIUM("Alarm, medium priority"),
    FEED_SILENT("Feed silent"),
    ALARM_LOW("Alarm, low priority"),
    ANOMALY_HIGH("Anomalous beats"),
    ANOMALY_LOW("Anomalous beats"),
    NORMAL("Normal");

    private final String label;

    TileLevel(String label) {
        this.label = label;
    }

    /** What the tile says beside its colour. */
    public String label() {
        return label;
    }

    /** The CSS class and wire name: {@code alarm-high}, {@code feed-silent}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The more urgent of two levels. */
    public static TileLevel mostUrgent(TileLevel a, TileLevel b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
