package ecgdetector.streamer.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.Severity;
import ecgdetector.streamer.window.BufferedWindow;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Builds the output events of a scored window and writes them as JSON through the project's shared mapper
 * ({@link Json#mapper()}): an {@link Alert} for an anomalous window, a {@link Score} for every window.
 *
 * <p>The alert id is the input record's {@code topic/partition/offset}: a window that is scored again after
 * a crash gets the same id. Severity follows {@link Severity#ofRatio} on score / threshold.
 */
public final class EventFactory {

    private static final ObjectWriter ALERT_WRITER = Json.mapper().writerFor(Alert.class);
    private static final ObjectWriter SCORE_WRITER = Json.mapper().writerFor(Score.class);

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

    public static byte[] toJson(Alert alert) {
        try {
            return ALERT_WRITER.writeValueAsBytes(alert);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write alert " + alert.alertId(), e);
        }
    }

    public static byte[] toJson(Score score) {
        try {
            return SCORE_WRITER.writeValueAsBytes(score);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write score " + score.windowId(), e);
        }
    }

    /** ISO-8601 UTC with milliseconds. */
    public static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
