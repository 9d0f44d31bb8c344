package ecgdetector.view.ward;

import java.util.List;

/**
 * What the browser is sent, as JSON. Every string in it may come from the wire (patient ids above all): the page
 * puts them into text nodes only, never into markup.
 */
public final class Wire {

    private Wire() {}

    /**
     * One patient's tile on the ward overview.
     *
     * @param patientId           the patient
     * @param level               the {@link TileLevel#id()}
     * @param levelLabel          its text label
     * @param detail              one line saying why the tile is at that level
     * @param feedSilent          no score read for the silence limit
     * @param silentSeconds       seconds since the last score was read
     * @param score               the latest window's score
     * @param threshold           the threshold it was held against
     * @param ratio               score / threshold (null for a threshold of 0)
     * @param anomaly             the latest window's verdict
     * @param beatsPerMinute      scored windows per minute of event time, over the last minute
     * @param anomaliesLastMinute anomalous windows in the last minute of event time
     * @param modelVersion        the release that scored the latest window
     * @param lastBeatAt          the latest window's event time, ISO-8601
     * @param beat                the latest drawable window against its reconstruction, or null
     * @param beatNote            why no beat is drawn, or null
     */
    public record Tile(
            String patientId,
            String level,
            String levelLabel,
            String detail,
            boolean feedSilent,
            long silentSeconds,
            Float score,
            Double threshold,
            Double ratio,
            Boolean anomaly,
            Double beatsPerMinute,
            int anomaliesLastMinute,
            String modelVersion,
            String lastBeatAt,
            Picture beat,
            String beatNote) {}

    /**
     * A window in the units the model sees, as the trainer's reconstruction plot draws it.
     *
     * @param windowId       the window drawn
     * @param scaled         its samples, scaled by the release's scaler
     * @param reconstruction the release's reconstruction of them
     */
    public record Picture(String windowId, float[] scaled, float[] reconstruction) {}

    /** The ward: tiles in order of urgency, and how the feed is doing. */
    public record Ward(List<Tile> tiles, Status status) {}

    /**
     * A change to the ward: the tiles that changed, the whole order, and the patients no longer shown.
     */
    public record WardChange(List<Tile> tiles, List<String> order, List<String> removed, Status status) {}

    /**
     * One patient's page, whole ({@code full}) or what is new since the previous one.
     *
     * @param full    true: replace everything; false: append {@code beats}, {@code scores} and {@code history}
     * @param tile    the patient's tile
     * @param beats   windows with their raw samples, oldest first
     * @param scores  the score over time, oldest first
     * @param history alerts and alarm transitions, oldest first
     */
    public record Patient(
            boolean full, Tile tile, List<Beat> beats, List<ScorePoint> scores, List<HistoryEntry> history) {}

    /** A window of the patient's last minute, raw samples as sent by the monitor. */
    public record Beat(long seq, String windowId, long eventTime, boolean anomaly, float score, float[] samples) {}

    /** One point of the score over time. */
    public record ScorePoint(long seq, long eventTime, float score, double threshold) {}

    /**
     * An alert or an alarm transition.
     *
     * @param seq   the patient's own count of history entries
     * @param at    when, ISO-8601
     * @param kind  {@code alert} or {@code alarm}
     * @param text  what happened
     * @param level the {@link TileLevel#id()} it stands for
     */
    public record HistoryEntry(long seq, String at, String kind, String text, String level) {}

    /**
     * How the view's reading goes, shown at the foot of every page.
     *
     * @param topics     per topic read: records read, records skipped as unreadable, or why it is not read
     * @param clients    browsers connected
     * @param dropped    updates dropped for browsers that did not keep up
     * @param feedError  the last error reading Kafka, or null
     */
    public record Status(List<TopicStatus> topics, int clients, long dropped, String feedError) {
        /** The reader's status with the pushes' figures. */
        public Status withClients(int connected, long droppedUpdates) {
            return new Status(topics, connected, droppedUpdates, feedError);
        }
    }

    /** One topic the view reads. */
    public record TopicStatus(String role, String topic, boolean read, long records, long skipped, String note) {}
}
