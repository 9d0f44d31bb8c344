package ecgdetector.view.ward;

import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.Severity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every patient the view shows, fed by the reader of the streamer's outputs and read by whatever pushes pages.
 * One lock guards it all; nothing slow happens under it (no drawing, no I/O).
 */
public final class WardState {

    private static final long MINUTE_MS = 60_000;

    private final WardLimits limits;
    private final Map<String, PatientState> patients = new HashMap<>();

    public WardState(WardLimits limits) {
        this.limits = limits;
    }

    public WardLimits limits() {
        return limits;
    }

    /** The key a patient is held under; windows without any patient id are one "patient". */
    public static String key(String patientId) {
        return patientId == null ? "" : patientId;
    }

    /** A scored window: the patient's newest. */
    public synchronized BeatPoint score(Score s, long readAtMs) {
        PatientState p = patient(key(s.patientId()), readAtMs);
        BeatPoint beat = new BeatPoint(
                p.nextBeatSeq++,
                s.windowId(),
                s.source(),
                s.beatId(),
                epochMs(s.eventTime(), readAtMs),
                s.score(),
                s.threshold(),
                s.anomaly(),
                s.model() == null ? null : s.model().version(),
                null,
                null);
        p.add(beat, limits);
        p.lastReadMs = Math.max(p.lastReadMs, readAtMs);
        return beat;
    }

    /** The raw samples of a window read earlier, from its input record. */
    public synchronized void samples(String patientKey, String windowId, float[] raw) {
        PatientState p = patients.get(patientKey);
        if (p != null) {
            p.replace(windowId, b -> b.withSamples(raw));
        }
    }

    /** A window whose samples the view will not have, and why. */
    public synchronized void samplesUnavailable(String patientKey, String windowId, String note) {
        PatientState p = patients.get(patientKey);
        if (p != null) {
            p.replace(windowId, b -> b.withoutSamples(note));
        }
    }

    public synchronized void alert(Alert a, long readAtMs) {
        PatientState p = patient(key(a.patientId()), readAtMs);
        Severity severity = a.severity() == null ? Severity.CRITICAL : a.severity();
        String text = String.format(
                Locale.ROOT,
                "Anomalous beat%s, %s, score %.4g over threshold %.4g",
                a.beatId() == null ? "" : " " + a.beatId(),
                severity,
                a.score(),
                a.threshold());
        p.addHistory(a.eventTime(), "alert", text, anomalyLevel(severity), limits);
    }

    public synchronized void alarm(AlarmEvent e, long readAtMs) {
        PatientState p = patient(key(e.patientId()), readAtMs);
        if (e.resumesFeed()) {
            p.openAlarms.values().removeIf(open -> open.level() == TileLevel.FEED_SILENT);
        }
        if (e.open()) {
            p.openAlarms.put(e.alarmId(), e);
        } else {
            p.openAlarms.remove(e.alarmId());
        }
        String text = String.join(
                " ", nonNull(e.type()), nonNull(e.state()), e.priority() == null ? "" : "(" + e.priority() + ")");
        p.addHistory(e.at(), "alarm", text.trim(), e.open() ? e.level() : TileLevel.NORMAL, limits);
    }

    /** Every patient's tile, most urgent first; patients silent past the limit are forgotten here. */
    public synchronized List<TileData> tiles(long nowMs) {
        forget(nowMs);
        List<TileData> tiles = new ArrayList<>(patients.size());
        for (PatientState p : patients.values()) {
            tiles.add(tile(p, nowMs));
        }
        tiles.sort(URGENCY);
        return tiles;
    }

    /**
     * One patient's page: its tile, and its windows, score points and history after the given sequence numbers
     * (0 for all of them).
     */
    public synchronized Optional<PatientSnapshot> patient(
            String patientKey, long nowMs, long afterSeq, long afterHistory) {
        PatientState p = patients.get(patientKey);
        if (p == null) {
            return Optional.empty();
        }
        List<BeatPoint> beats = new ArrayList<>();
        for (BeatPoint b : p.beats) {
            if (b.seq() > afterSeq || !b.resolved()) {
                beats.add(b);
            }
        }
        List<Wire.ScorePoint> scores =
                p.scores.stream().filter(s -> s.seq() > afterSeq).toList();
        List<Wire.HistoryEntry> history =
                p.history.stream().filter(h -> h.seq() > afterHistory).toList();
        return Optional.of(new PatientSnapshot(tile(p, nowMs), beats, scores, history));
    }

    /** A patient's page as {@link #patient} gives it. */
    public record PatientSnapshot(
            TileData tile, List<BeatPoint> beats, List<Wire.ScorePoint> scores, List<Wire.HistoryEntry> history) {}

    private static final Comparator<TileData> URGENCY = Comparator.comparing(TileData::level)
            .thenComparing(t -> t.latest() == null ? 0 : -t.latest().ratio())
            .thenComparing(TileData::patientId);

    private TileData tile(PatientState p, long nowMs) {
        BeatPoint latest = p.latest();
        long silentMs = Math.max(0, nowMs - p.lastReadMs);
        int anomalies = 0;
        double worstRatio = 0;
        long from = latest == null ? Long.MAX_VALUE : latest.eventTimeMs() - MINUTE_MS;
        int inMinute = 0;
        long firstInMinute = Long.MAX_VALUE;
        for (BeatPoint b : p.beats) {
            if (b.eventTimeMs() >= from) {
                inMinute++;
                firstInMinute = Math.min(firstInMinute, b.eventTimeMs());
                if (b.anomaly()) {
                    anomalies++;
                    worstRatio = Math.max(worstRatio, b.ratio());
                }
            }
        }
        TileLevel level = anomalies == 0 ? TileLevel.NORMAL : anomalyLevel(Severity.ofRatio(worstRatio));
        String detail = anomalies == 0
                ? "no anomalous beat in the last minute"
                : String.format(
                        Locale.ROOT,
                        "%d anomalous beat%s in the last minute, worst %s",
                        anomalies,
                        anomalies == 1 ? "" : "s",
                        Severity.ofRatio(worstRatio));
        for (AlarmEvent alarm : p.openAlarms.values()) {
            if (alarm.level().ordinal() < level.ordinal()) {
                level = alarm.level();
                detail = (nonNull(alarm.type()) + " " + nonNull(alarm.state())).trim();
            }
        }
        if (silentMs >= limits.silentAfter().toMillis() && TileLevel.FEED_SILENT.ordinal() < level.ordinal()) {
            level = TileLevel.FEED_SILENT;
            detail = String.format(Locale.ROOT, "no score for %d s", silentMs / 1000);
        } else if (silentMs >= limits.silentAfter().toMillis()) {
            detail += String.format(Locale.ROOT, "; no score for %d s", silentMs / 1000);
        }
        Double bpm = beatsPerMinute(inMinute, firstInMinute, latest);
        return new TileData(
                p.patientId, level, detail, silentMs, latest, p.latestWithSamples(), bpm, anomalies, p.version);
    }

    /** Windows a minute: counted over a full minute, else from the span of the ones held. */
    private static Double beatsPerMinute(int inMinute, long firstInMinute, BeatPoint latest) {
        if (latest == null || inMinute < 2) {
            return null;
        }
        long span = latest.eventTimeMs() - firstInMinute;
        if (span <= 0) {
            return null;
        }
        return span >= MINUTE_MS - 5_000 ? (double) inMinute : (inMinute - 1) * (double) MINUTE_MS / span;
    }

    private static TileLevel anomalyLevel(Severity severity) {
        return severity.compareTo(Severity.HIGH) >= 0 ? TileLevel.ANOMALY_HIGH : TileLevel.ANOMALY_LOW;
    }

    private PatientState patient(String key, long readAtMs) {
        PatientState p = patients.get(key);
        if (p == null) {
            if (patients.size() >= limits.maxPatients()) {
                patients.values().stream()
                        .min(Comparator.comparingLong(s -> s.lastReadMs))
                        .ifPresent(oldest -> patients.remove(oldest.patientId));
            }
            p = new PatientState(key);
            p.lastReadMs = readAtMs;
            patients.put(key, p);
        }
        return p;
    }

    private void forget(long nowMs) {
        long before = nowMs - limits.forgetAfter().toMillis();
        for (Iterator<PatientState> it = patients.values().iterator(); it.hasNext(); ) {
            if (it.next().lastReadMs < before) {
                it.remove();
            }
        }
    }

    private static long epochMs(String iso, long fallback) {
        if (iso == null) {
            return fallback;
        }
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
