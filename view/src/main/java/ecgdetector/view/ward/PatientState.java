package ecgdetector.view.ward;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the view keeps of one patient: bounded, whatever the patient's rate. Guarded by {@link WardState}. */
final class PatientState {

    final String patientId;
    final ArrayDeque<BeatPoint> beats = new ArrayDeque<>();
    final ArrayDeque<Wire.ScorePoint> scores = new ArrayDeque<>();
    final ArrayDeque<Wire.HistoryEntry> history = new ArrayDeque<>();
    /** Open alarms from {@code ecg.alarms}, by alarm id. */
    final Map<String, AlarmEvent> openAlarms = new LinkedHashMap<>();

    long nextBeatSeq = 1;
    long nextHistorySeq = 1;
    long lastReadMs;
    /** Bumped on every change, so a reader can tell a tile that changed from one that did not. */
    long version;

    PatientState(String patientId) {
        this.patientId = patientId;
    }

    BeatPoint latest() {
        return beats.peekLast();
    }

    /** The newest window whose samples are read, to draw. */
    BeatPoint latestWithSamples() {
        for (Iterator<BeatPoint> it = beats.descendingIterator(); it.hasNext(); ) {
            BeatPoint b = it.next();
            if (b.samples() != null) {
                return b;
            }
        }
        return null;
    }

    void add(BeatPoint beat, WardLimits limits) {
        beats.addLast(beat);
        while (beats.size() > limits.maxBeats()
                || beats.peekFirst().eventTimeMs()
                        < beat.eventTimeMs() - limits.beatWindow().toMillis()) {
            beats.removeFirst();
        }
        scores.addLast(new Wire.ScorePoint(beat.seq(), beat.eventTimeMs(), beat.score(), beat.threshold()));
        while (scores.size() > limits.maxScores()
                || scores.peekFirst().eventTime()
                        < beat.eventTimeMs() - limits.scoreWindow().toMillis()) {
            scores.removeFirst();
        }
        version++;
    }

    void addHistory(String at, String kind, String text, TileLevel level, WardLimits limits) {
        history.addLast(new Wire.HistoryEntry(nextHistorySeq++, at, kind, text, level.id()));
        while (history.size() > limits.maxHistory()) {
            history.removeFirst();
        }
        version++;
    }

    /** Replaces the window {@code windowId} (searched from the newest), if still held. */
    boolean replace(String windowId, java.util.function.UnaryOperator<BeatPoint> change) {
        for (Iterator<BeatPoint> it = beats.descendingIterator(); it.hasNext(); ) {
            BeatPoint b = it.next();
            if (b.windowId().equals(windowId)) {
                BeatPoint changed = change.apply(b);
                ArrayDeque<BeatPoint> copy = new ArrayDeque<>(beats.size());
                for (BeatPoint each : beats) {
                    copy.addLast(each == b ? changed : each);
                }
                beats.clear();
                beats.addAll(copy);
                version++;
                return true;
            }
        }
        return false;
    }
}
