package ecgdetector.view.ward;

import java.time.Duration;

/**
 * How much the view keeps and when it calls a feed silent.
 *
 * @param silentAfter  no score read for this long: the tile says FEED_SILENT
 * @param forgetAfter  a patient silent this long leaves the ward overview
 * @param maxPatients  patients kept at most; beyond, the longest silent is forgotten first
 * @param beatWindow   event time of the windows a patient page shows ("the last minute")
 * @param maxBeats     windows kept per patient at most, whatever the rate
 * @param scoreWindow  event time of the score-over-time chart
 * @param maxScores    score points kept per patient at most
 * @param maxHistory   alerts and alarm transitions kept per patient
 */
public record WardLimits(
        Duration silentAfter,
        Duration forgetAfter,
        int maxPatients,
        Duration beatWindow,
        int maxBeats,
        Duration scoreWindow,
        int maxScores,
        int maxHistory) {

    /** The defaults: silent after 10 s, as the alarm stage's FEED_SILENT is meant to be; forgotten after 30 min. */
    public static WardLimits defaults(Duration silentAfter) {
        return new WardLimits(
                silentAfter,
                Duration.ofMinutes(30),
                5000,
                Duration.ofMinutes(1),
                240,
                Duration.ofMinutes(10),
                1200,
                50);
    }
}
