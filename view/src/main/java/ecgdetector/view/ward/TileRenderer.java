package ecgdetector.view.ward;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns tiles into what the browser is sent, drawing each patient's newest readable window once: a window
 * already drawn is not drawn again. Used by one thread.
 */
public final class TileRenderer {

    private final Reconstructions reconstructions;
    /** The last picture drawn per patient, so a tile that changed only its level is not redrawn. */
    private final Map<String, Drawing> drawn = new HashMap<>();

    private record Drawing(String windowId, Wire.Picture picture, String note, boolean retry) {}

    public TileRenderer(Reconstructions reconstructions) {
        this.reconstructions = reconstructions;
    }

    public Wire.Tile render(TileData t) {
        BeatPoint latest = t.latest();
        Drawing drawing = drawing(t);
        return new Wire.Tile(
                t.patientId(),
                t.level().id(),
                t.level().label(),
                t.detail(),
                t.feedSilent(),
                t.silentMs() / 1000,
                latest == null ? null : latest.score(),
                latest == null ? null : latest.threshold(),
                latest == null || latest.threshold() <= 0 ? null : latest.ratio(),
                latest == null ? null : latest.anomaly(),
                t.beatsPerMinute(),
                t.anomaliesLastMinute(),
                latest == null ? null : latest.modelVersion(),
                latest == null
                        ? null
                        : Instant.ofEpochMilli(latest.eventTimeMs()).toString(),
                drawing.picture(),
                drawing.note());
    }

    /** Whether the patient's picture is still to come (its release is loading): its tile is worth rendering again. */
    public boolean pending(String patientId) {
        Drawing d = drawn.get(patientId);
        return d != null && d.retry();
    }

    /** Forgets the drawings of patients no longer shown. */
    public void retain(java.util.Set<String> patients) {
        drawn.keySet().retainAll(patients);
    }

    private Drawing drawing(TileData t) {
        BeatPoint beat = t.drawable();
        if (beat == null) {
            BeatPoint latest = t.latest();
            String note = latest != null && latest.samplesNote() != null
                    ? latest.samplesNote()
                    : "waiting for the window's samples";
            return new Drawing(null, null, note, true);
        }
        Drawing before = drawn.get(t.patientId());
        if (before != null && before.windowId().equals(beat.windowId()) && !before.retry()) {
            return before;
        }
        Reconstructions.Drawn d = reconstructions.draw(beat.modelVersion(), beat.samples(), beat.score());
        Drawing drawing = d.note() == null
                ? new Drawing(
                        beat.windowId(), new Wire.Picture(beat.windowId(), d.scaled(), d.reconstruction()), null, false)
                : new Drawing(beat.windowId(), null, d.note(), d.retry());
        drawn.put(t.patientId(), drawing);
        return drawing;
    }
}
