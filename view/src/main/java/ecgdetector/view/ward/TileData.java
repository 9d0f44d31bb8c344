package ecgdetector.view.ward;

/**
 * A patient's tile as the ward state sees it, before its beat is drawn.
 *
 * @param patientId           the patient
 * @param level               how urgent
 * @param detail              why, in one line
 * @param silentMs            time since the patient's last score was read
 * @param latest              the newest scored window
 * @param drawable            the newest window whose samples are read (may be {@code latest}), or null
 * @param beatsPerMinute      windows per minute of event time, or null with too few to tell
 * @param anomaliesLastMinute anomalous windows in the last minute of event time
 * @param version             changes whenever anything of the patient does (not with time alone)
 */
public record TileData(
        String patientId,
        TileLevel level,
        String detail,
        long silentMs,
        BeatPoint latest,
        BeatPoint drawable,
        Double beatsPerMinute,
        int anomaliesLastMinute,
        long version) {

    public boolean feedSilent() {
        return level == TileLevel.FEED_SILENT;
    }

    /** Whether a browser showing {@code before} must be sent this tile. */
    public boolean differsFrom(TileData before) {
        return before == null || before.version != version || before.level != level || !before.detail.equals(detail);
    }
}
