package ecgdetector.streamer.alert;

import ecgdetector.schemas.Alert;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.Severity;
import ecgdetector.streamer.window.BufferedWindow;
import java.time.Instant;

/**
 * Builds the output events of a scored window: an {@link Alert} for an anomalous window, a {@link Score} for every
 * window.
 *
 * <p>The alert id is the input record's {@code topic/partition/offset}: a window that is scored again after
 * a crash gets the same id. Severity follows {@link Severity#ofRatio} on score / threshold.
 */
public final class EventFactory {

    private EventFactory() {}

    /** @param detectedAt ISO-8601 UTC wall-clock time of scoring, see {@link #iso} */
    public static Alert alert(
            BufferedWindow w, float score, double threshold, ModelRef model, int[] worstPositions, String detectedAt) {
        HeartbeatWindow win = w.window();
        double ratio = score / threshold;
        boolean finiteRatio = threshold > 0 && Double.isFinite(ratio);
        return new Alert(
                w.source().id(),
                w.source(),
                win.patientId(),
                win.beatId(),
                iso(win.eventTime()),
                detectedAt,
                score,
                threshold,
                finiteRatio ? ratio : null,
                finiteRatio ? Severity.ofRatio(ratio) : Severity.CRITICAL,
                model,
                worstPositions,
                win.label());
    }

    /** @param detectedAt ISO-8601 UTC wall-clock time of scoring, see {@link #iso} */
    public static Score score(
            BufferedWindow w, float score, double threshold, boolean anomaly, ModelRef model, String detectedAt) {
        HeartbeatWindow win = w.window();
        return new Score(
                w.source().id(),
                w.source(),
                win.patientId(),
                win.beatId(),
                iso(win.eventTime()),
                detectedAt,
                score,
                threshold,
                anomaly,
                model,
                win.label());
    }

    /** ISO-8601 UTC with milliseconds. */
    public static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
