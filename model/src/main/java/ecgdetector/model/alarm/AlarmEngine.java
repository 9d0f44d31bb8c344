package ecgdetector.model.alarm;

import ecgdetector.model.alarm.AlarmRules.Judged;
import ecgdetector.model.alarm.AlarmRules.PriorityStep;
import ecgdetector.model.alarm.AlarmRules.Transition;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmPriority;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A patient's alarms, one record at a time: takes the patient's state and a scored beat, a dead letter or a
 * wall-clock tick, judges the rows of {@link AlarmRules#TRANSITIONS} in order, applies the transitions that
 * fire and adds their {@link Alarm} events to a list. The streamer runs it live per patient, in the input
 * partition's order; the trainer and the evaluation run the very same code offline on scored beats, so their
 * figures are the live alarms'.
 *
 * <p>Ids are functions of the input: an episode's id is its type and the window id of the record it began
 * with, a transition's id the episode's and the transition. Replaying the same records gives the same ids.
 */
public final class AlarmEngine {

    private final AlarmRule rule;

    public AlarmEngine(AlarmRule rule) {
        this.rule = rule;
    }

    public AlarmRule rule() {
        return rule;
    }

    /** The state of a patient not seen before. */
    public PatientAlarms newPatient() {
        return new PatientAlarms(rule.window());
    }

    /** A scored beat of the patient, in the order of its partition. */
    public void beat(PatientAlarms p, ScoredBeat b, List<Alarm> out) {
        boolean counts = b.quality() == null && rule.counts(b.ratio());
        long gap = p.hasBeats() ? b.eventTime() - p.lastEventTime : 0;
        AlarmEvent e = new AlarmEvent(
                rule,
                b.patientId(),
                b.topic(),
                b.partition(),
                b.offset(),
                b.eventTime(),
                b.ratio(),
                counts,
                b.quality(),
                gap,
                b.wallNow(),
                true,
                false,
                -1,
                false,
                b.model());
        if (p.partition >= 0 && p.partition != b.partition()) {
            // The topic was repartitioned: the rings' window ids are another partition's. Start them afresh;
            // open episodes stay open.
            p.ringFill = 0;
            p.ringBits = 0;
            p.qualityFill = 0;
            p.qualityBits = 0;
        }
        judge(Judged.BEAT_ARRIVES, p, e, out);
        p.partition = b.partition();
        p.lastBeatOffset = b.offset();
        p.lastEventTime = b.eventTime();
        p.lastSeenWall = b.wallNow();
        p.pushQuality(b.offset(), b.eventTime(), e.bad());
        if (e.bad()) {
            p.qualityCause = b.quality();
        }
        judge(Judged.BEAT_QUALITY, p, e, out);
        if (e.bad()) {
            return;
        }
        float ratio = (float) b.ratio();
        p.pushBeat(b.offset(), b.eventTime(), ratio, counts);
        p.normalRun = counts ? 0 : p.normalRun + 1;
        if (p.episodeOpen && counts) {
            p.episodeBeats++;
            p.episodePeak = Math.max(p.episodePeak, ratio);
            p.lastCountingTime = b.eventTime();
        }
        judge(Judged.BEAT_VERDICT, p, e, out);
    }

    /**
     * A record of the patient that never got a verdict (not a valid window, or one the model could not score).
     *
     * @param recordTime the record's timestamp
     */
    public void deadLetter(
            PatientAlarms p,
            String patientId,
            String topic,
            int partition,
            long offset,
            long recordTime,
            long wallNow,
            List<Alarm> out) {
        AlarmEvent e = new AlarmEvent(
                rule,
                patientId,
                topic,
                partition,
                offset,
                recordTime,
                Double.NaN,
                false,
                AlarmCause.DEAD_LETTERS,
                0,
                wallNow,
                true,
                false,
                -1,
                false,
                null);
        if (p.partition < 0) {
            p.partition = partition;
        }
        p.lastSeenWall = wallNow;
        p.pushQuality(offset, recordTime, true);
        p.qualityCause = AlarmCause.DEAD_LETTERS;
        judge(Judged.DEAD_LETTER, p, e, out);
    }

    /**
     * A wall-clock tick for one patient of the task.
     *
     * @return whether the patient is to be forgotten: its last events are in {@code out}, and its state should
     *     be deleted
     */
    public boolean tick(PatientAlarms p, String patientId, Tick t, List<Alarm> out) {
        boolean forget = t.caughtUp() && t.wallNow() - p.lastSeenWall >= t.retentionMs();
        AlarmEvent e = new AlarmEvent(
                rule,
                patientId,
                t.topic(),
                p.partition,
                -1,
                t.wallNow(),
                Double.NaN,
                false,
                null,
                0,
                t.wallNow(),
                t.caughtUp(),
                t.unscored(),
                t.unscoredSince(),
                forget,
                t.model());
        judge(Judged.WALL_CLOCK, p, e, out);
        return forget;
    }

    private void judge(Judged judged, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        for (Transition t : AlarmRules.TRANSITIONS) {
            if (t.judged() == judged && t.condition().holds(p, e)) {
                apply(t, p, e, out);
            }
        }
    }

    private void apply(Transition t, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        if (t.cause() == AlarmCause.FORGOTTEN) {
            forget(t, p, e, out);
            return;
        }
        switch (t.type()) {
            case ANOMALOUS_BEATS -> episode(t, p, e, out);
            case FEED_SILENT -> silence(t, p, e, out);
            case NOT_MONITORED -> notMonitored(t, p, e, out);
            case SIGNAL_QUALITY -> quality(t, p, e, out);
        }
    }

    private void episode(Transition t, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        AlarmCause cause = t.cause();
        List<String> beats = List.of(e.windowId());
        switch (t.state()) {
            case RAISED -> {
                openEpisode(p, e);
                beats = countingBeats(p, e);
            }
            case ESCALATED -> {
                AlarmPriority to = priority(p, e.eventTime());
                cause = step(to).heldBy(p.episodeBeats, p.episodePeak, e.eventTime() - p.episodeStart);
                p.episodePriority = to;
                beats = countingBeats(p, e);
            }
            case CLEARED -> p.episodeOpen = false;
        }
        String episodeId = Alarm.episodeId(AlarmType.ANOMALOUS_BEATS, e.windowId(p.episodeOffset));
        out.add(alarm(t, cause, episodeId, p.episodePriority, p.episodeStart, e.eventTime(), beats, p, e));
    }

    private static void openEpisode(PatientAlarms p, AlarmEvent e) {
        p.episodeOpen = true;
        p.episodeBeats = p.counting();
        p.episodePeak = 0;
        boolean first = true;
        for (int age = 0; age < p.ringFill; age++) {
            int i = p.ringIndex(age);
            if (p.ringCounts(i)) {
                if (first) {
                    p.episodeOffset = p.ringOffsets[i];
                    p.episodeStart = p.ringTimes[i];
                    first = false;
                }
                p.episodePeak = Math.max(p.episodePeak, p.ringRatios[i]);
            }
        }
        p.lastCountingTime = e.eventTime();
        p.episodePriority = AlarmPriority.LOW;
        p.episodePriority = priority(p, e.eventTime());
    }

    private static List<String> countingBeats(PatientAlarms p, AlarmEvent e) {
        List<String> beats = new ArrayList<>(p.ringFill);
        for (int age = 0; age < p.ringFill; age++) {
            int i = p.ringIndex(age);
            if (p.ringCounts(i)) {
                beats.add(e.windowId(p.ringOffsets[i]));
            }
        }
        return beats;
    }

    private void silence(Transition t, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        String episodeId = Alarm.episodeId(AlarmType.FEED_SILENT, e.windowId(p.lastBeatOffset));
        String lastBeat = e.windowId(p.lastBeatOffset);
        if (t.state() == AlarmState.RAISED) {
            p.silent = true;
            long at = t.cause() == AlarmCause.GAP_IN_BEAT_TIMES ? p.lastEventTime + rule.silenceMs() : e.wallNow();
            out.add(alarm(t, t.cause(), episodeId, t.priority(), p.lastEventTime, at, List.of(lastBeat), p, e));
        } else {
            p.silent = false;
            Alarm a = alarm(
                    t,
                    t.cause(),
                    episodeId,
                    t.priority(),
                    p.lastEventTime,
                    e.eventTime(),
                    List.of(lastBeat, e.windowId()),
                    p,
                    e);
            out.add(withGap(a, e.gapMs()));
        }
    }

    private void notMonitored(Transition t, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        String episodeId = Alarm.episodeId(AlarmType.NOT_MONITORED, e.windowId(p.lastBeatOffset));
        if (t.state() == AlarmState.RAISED) {
            p.notMonitored = true;
            p.notMonitoredSince = e.unscoredSince();
            out.add(alarm(
                    t,
                    t.cause(),
                    episodeId,
                    t.priority(),
                    p.notMonitoredSince,
                    e.wallNow(),
                    List.of(e.windowId(p.lastBeatOffset)),
                    p,
                    e));
        } else {
            p.notMonitored = false;
            out.add(alarm(
                    t,
                    t.cause(),
                    episodeId,
                    t.priority(),
                    p.notMonitoredSince,
                    e.eventTime(),
                    List.of(e.windowId()),
                    p,
                    e));
        }
    }

    private void quality(Transition t, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        List<String> beats = List.of(e.windowId());
        if (t.state() == AlarmState.RAISED) {
            p.qualityOpen = true;
            beats = new ArrayList<>();
            for (int age = 0; age < p.qualityFill; age++) {
                int i = p.qualityIndex(age);
                if (p.qualityBad(i)) {
                    if (beats.isEmpty()) {
                        p.qualityOffset = p.qualityOffsets[i];
                        p.qualityStart = p.qualityTimes[i];
                    }
                    beats.add(e.windowId(p.qualityOffsets[i]));
                }
            }
        } else {
            p.qualityOpen = false;
        }
        AlarmCause cause = t.cause() != null ? t.cause() : p.qualityCause;
        String episodeId = Alarm.episodeId(AlarmType.SIGNAL_QUALITY, e.windowId(p.qualityOffset));
        out.add(alarm(t, cause, episodeId, t.priority(), p.qualityStart, e.eventTime(), beats, p, e));
    }

    /** The last events of a patient no longer tracked: every open episode cleared. */
    private void forget(Transition t, PatientAlarms p, AlarmEvent e, List<Alarm> out) {
        List<String> last = p.hasBeats() ? List.of(e.windowId(p.lastBeatOffset)) : List.of();
        if (p.episodeOpen) {
            p.episodeOpen = false;
            String id = Alarm.episodeId(AlarmType.ANOMALOUS_BEATS, e.windowId(p.episodeOffset));
            out.add(forgotten(t, AlarmType.ANOMALOUS_BEATS, id, p.episodePriority, p.episodeStart, last, p, e));
        }
        if (p.qualityOpen) {
            p.qualityOpen = false;
            String id = Alarm.episodeId(AlarmType.SIGNAL_QUALITY, e.windowId(p.qualityOffset));
            out.add(forgotten(t, AlarmType.SIGNAL_QUALITY, id, AlarmPriority.MEDIUM, p.qualityStart, last, p, e));
        }
        if (p.notMonitored) {
            p.notMonitored = false;
            String id = Alarm.episodeId(AlarmType.NOT_MONITORED, e.windowId(p.lastBeatOffset));
            out.add(forgotten(t, AlarmType.NOT_MONITORED, id, AlarmPriority.HIGH, p.notMonitoredSince, last, p, e));
        }
        if (p.silent) {
            p.silent = false;
            String id = Alarm.episodeId(AlarmType.FEED_SILENT, e.windowId(p.lastBeatOffset));
            out.add(forgotten(t, AlarmType.FEED_SILENT, id, AlarmPriority.MEDIUM, p.lastEventTime, last, p, e));
        }
    }

    private Alarm forgotten(
            Transition t,
            AlarmType type,
            String episodeId,
            AlarmPriority priority,
            long startedAt,
            List<String> beats,
            PatientAlarms p,
            AlarmEvent e) {
        Transition row = new Transition(
                type, AlarmState.CLEARED, AlarmCause.FORGOTTEN, t.judged(), priority, t.when(), t.condition());
        return alarm(row, AlarmCause.FORGOTTEN, episodeId, priority, startedAt, e.wallNow(), beats, p, e);
    }

    private Alarm alarm(
            Transition t,
            AlarmCause cause,
            String episodeId,
            AlarmPriority priority,
            long startedAt,
            long at,
            List<String> beats,
            PatientAlarms p,
            AlarmEvent e) {
        boolean physiological = t.type() == AlarmType.ANOMALOUS_BEATS;
        double peak = p.episodePeak;
        return new Alarm(
                Alarm.alarmId(episodeId, t.state(), priority),
                episodeId,
                e.patientId(),
                t.type().category(),
                t.type(),
                t.state(),
                priority,
                cause,
                iso(startedAt),
                iso(at),
                iso(e.wallNow()),
                beats,
                physiological ? p.episodeBeats : null,
                physiological && Double.isFinite(peak) ? peak : null,
                null,
                e.model(),
                t.when().apply(rule));
    }

    private static Alarm withGap(Alarm a, long gapMs) {
        return new Alarm(
                a.alarmId(),
                a.episodeId(),
                a.patientId(),
                a.category(),
                a.type(),
                a.state(),
                a.priority(),
                a.cause(),
                a.startedAt(),
                a.at(),
                a.detectedAt(),
                a.beats(),
                a.anomalousBeats(),
                a.peakRatio(),
                Math.max(0, gapMs),
                a.model(),
                a.rule());
    }

    /** The priority the table gives an open episode at event time {@code now}. */
    static AlarmPriority priority(PatientAlarms p, long now) {
        AlarmPriority priority = AlarmPriority.LOW;
        for (PriorityStep step : AlarmRules.PRIORITY_STEPS) {
            if (step.heldBy(p.episodeBeats, p.episodePeak, now - p.episodeStart) != null
                    && step.priority().isAbove(priority)) {
                priority = step.priority();
            }
        }
        return priority;
    }

    private static PriorityStep step(AlarmPriority priority) {
        return AlarmRules.PRIORITY_STEPS.stream()
                .filter(s -> s.priority() == priority)
                .findFirst()
                .orElseThrow();
    }

    static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
