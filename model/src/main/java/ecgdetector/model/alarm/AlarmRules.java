package ecgdetector.model.alarm;

import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmPriority;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every alarm transition and the priority rules, as one table: {@link AlarmEngine} evaluates {@link #TRANSITIONS}
 * in order and nothing else decides a transition; docs/alarms.md's rule table is generated from it.
 */
public final class AlarmRules {

    private AlarmRules() {}

    /** When a row is judged. */
    public enum Judged {
        /** As a scored beat arrives, before the patient's state takes it in. */
        BEAT_ARRIVES("a beat arrives"),
        /** Once the beat's quality entered the ring of the last records. */
        BEAT_QUALITY("a beat's quality is judged"),
        /** Once a beat of good quality entered the ring of the last M verdicts. */
        BEAT_VERDICT("a good beat's verdict is in"),
        /** As a record of the patient is dead-lettered. */
        DEAD_LETTER("a record is dead-lettered"),
        /** On the streamer's wall-clock tick, once the task has caught up with its input. */
        WALL_CLOCK("wall-clock tick");

        private final String words;

        Judged(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** Whether a row's condition holds for a patient and the event being judged. */
    @FunctionalInterface
    public interface Condition {
        boolean holds(PatientAlarms p, AlarmEvent e);
    }

    /**
     * One row: an episode of {@code type} moves to {@code state} for {@code cause} when {@code condition} holds.
     *
     * @param priority the priority a technical alarm is raised with; physiological episodes take theirs from
     *                 {@link #PRIORITY_STEPS}
     * @param when     the condition in words, with the rule's parameters
     */
    public record Transition(
            AlarmType type,
            AlarmState state,
            AlarmCause cause,
            Judged judged,
            AlarmPriority priority,
            Function<AlarmRule, String> when,
            Condition condition) {}

    /**
     * A row of the priority table: an open episode has at least {@code priority} once it has {@code beats}
     * anomalous beats, or a beat above {@code peakRatio} x threshold, or has been open {@code openMs} (event
     * time), whichever comes first. Below every row an episode is {@link AlarmPriority#LOW}.
     */
    public record PriorityStep(AlarmPriority priority, int beats, double peakRatio, long openMs) {

        /** The first of the step's conditions that holds for an episode, or null. */
        AlarmCause heldBy(int anomalousBeats, double peak, long openForMs) {
            if (anomalousBeats >= beats) {
                return AlarmCause.LONGER_RUN;
            }
            if (peak >= peakRatio) {
                return AlarmCause.HIGHER_RATIO;
            }
            return openForMs >= openMs ? AlarmCause.DURATION : null;
        }

        public String describe() {
            String ratio = Double.isInfinite(peakRatio)
                    ? ""
                    : String.format(Locale.ROOT, ", or a beat above %sx threshold", number(peakRatio));
            return String.format(Locale.ROOT, "%d anomalous beats%s, or open %d s", beats, ratio, openMs / 1000);
        }
    }

    /**
     * IEC 60601-1-8's priorities for an episode of anomalous beats: a run of a few beats is for awareness, a
     * run that goes on (about 7 s of beats at 70 a minute, or half a minute open) asks for a prompt response,
     * a sustained one (about 25 s of beats, or 2 minutes open) for an immediate one.
     */
    public static final List<PriorityStep> PRIORITY_STEPS = List.of(
            new PriorityStep(AlarmPriority.MEDIUM, 8, 10.0, 30_000),
            new PriorityStep(AlarmPriority.HIGH, 30, Double.POSITIVE_INFINITY, 120_000));

    /** Every transition, in the order they are judged. */
    public static final List<Transition> TRANSITIONS = List.of(
            new Transition(
                    AlarmType.FEED_SILENT,
                    AlarmState.RAISED,
                    AlarmCause.GAP_IN_BEAT_TIMES,
                    Judged.BEAT_ARRIVES,
                    AlarmPriority.MEDIUM,
                    r -> "not silent yet, and the beat's event time is at least " + seconds(r.silenceMs())
                            + " after the patient's previous beat's",
                    (p, e) -> !p.silent && p.hasBeats() && e.gapMs() >= e.rule().silenceMs()),
            new Transition(
                    AlarmType.FEED_SILENT,
                    AlarmState.CLEARED,
                    AlarmCause.FEED_RESUMED,
                    Judged.BEAT_ARRIVES,
                    AlarmPriority.MEDIUM,
                    r -> "silent, and a beat arrives (with the gap's length)",
                    (p, e) -> p.silent),
            new Transition(
                    AlarmType.NOT_MONITORED,
                    AlarmState.CLEARED,
                    AlarmCause.SCORED_AGAIN,
                    Judged.BEAT_ARRIVES,
                    AlarmPriority.HIGH,
                    r -> "not monitored, and a beat of the patient is scored",
                    (p, e) -> p.notMonitored),
            new Transition(
                    AlarmType.SIGNAL_QUALITY,
                    AlarmState.RAISED,
                    null,
                    Judged.BEAT_QUALITY,
                    AlarmPriority.MEDIUM,
                    r -> "none open, and " + BeatQuality.BAD_RECORDS + " of the last " + BeatQuality.WINDOW
                            + " records are flat, clipped or out of range (cause: the latest's)",
                    (p, e) -> !p.qualityOpen && e.bad() && p.badRecords() >= BeatQuality.BAD_RECORDS),
            new Transition(
                    AlarmType.SIGNAL_QUALITY,
                    AlarmState.RAISED,
                    AlarmCause.DEAD_LETTERS,
                    Judged.DEAD_LETTER,
                    AlarmPriority.MEDIUM,
                    r -> "none open, and " + BeatQuality.BAD_RECORDS + " of the last " + BeatQuality.WINDOW
                            + " records are bad or dead-lettered",
                    (p, e) -> !p.qualityOpen && p.badRecords() >= BeatQuality.BAD_RECORDS),
            new Transition(
                    AlarmType.SIGNAL_QUALITY,
                    AlarmState.CLEARED,
                    AlarmCause.GOOD_QUALITY,
                    Judged.BEAT_QUALITY,
                    AlarmPriority.MEDIUM,
                    r -> BeatQuality.GOOD_BEATS + " consecutive beats of good quality",
                    (p, e) -> p.qualityOpen && p.goodRun >= BeatQuality.GOOD_BEATS),
            new Transition(
                    AlarmType.ANOMALOUS_BEATS,
                    AlarmState.CLEARED,
                    AlarmCause.NORMAL_BEATS,
                    Judged.BEAT_VERDICT,
                    null,
                    r -> r.clearBeats() + " consecutive beats at or below " + r.ratioText() + "x threshold",
                    (p, e) -> p.episodeOpen
                            && !e.counts()
                            && p.normalRun >= e.rule().clearBeats()),
            new Transition(
                    AlarmType.ANOMALOUS_BEATS,
                    AlarmState.CLEARED,
                    AlarmCause.QUIET_TIME,
                    Judged.BEAT_VERDICT,
                    null,
                    r -> "a beat at or below " + r.ratioText() + "x threshold, " + seconds(r.quietMs())
                            + " (event time) after the episode's last beat above it",
                    (p, e) -> p.episodeOpen
                            && !e.counts()
                            && e.eventTime() - p.lastCountingTime >= e.rule().quietMs()),
            new Transition(
                    AlarmType.ANOMALOUS_BEATS,
                    AlarmState.ESCALATED,
                    null,
                    Judged.BEAT_VERDICT,
                    null,
                    r -> "open, and the priority table gives a higher priority (cause: its condition that holds)",
                    (p, e) -> p.episodeOpen
                            && AlarmEngine.priority(p, e.eventTime()).isAbove(p.episodePriority)),
            new Transition(
                    AlarmType.ANOMALOUS_BEATS,
                    AlarmState.RAISED,
                    AlarmCause.BEATS_ABOVE_RATIO,
                    Judged.BEAT_VERDICT,
                    null,
                    r -> "none open, and the beat and at least " + (r.beats() - 1) + " others of the last " + r.window()
                            + " beats are above " + r.ratioText() + "x threshold",
                    (p, e) -> !p.episodeOpen
                            && e.counts()
                            && p.counting() >= e.rule().beats()),
            new Transition(
                    AlarmType.FEED_SILENT,
                    AlarmState.RAISED,
                    AlarmCause.NO_RECORDS,
                    Judged.WALL_CLOCK,
                    AlarmPriority.MEDIUM,
                    r -> "the task has caught up with its input, not silent yet, and no record of the patient for "
                            + seconds(r.silenceMs()) + " (wall clock)",
                    (p, e) -> e.caughtUp()
                            && !p.silent
                            && p.hasBeats()
                            && e.wallNow() - p.lastSeenWall >= e.rule().silenceMs()),
            new Transition(
                    AlarmType.NOT_MONITORED,
                    AlarmState.RAISED,
                    AlarmCause.NO_MODEL,
                    Judged.WALL_CLOCK,
                    AlarmPriority.HIGH,
                    r -> "neither silent nor open, and the patient's task has held windows no model could score for"
                            + " the unscored bound",
                    (p, e) -> !p.notMonitored && !p.silent && p.hasBeats() && e.unscored()),
            new Transition(
                    null,
                    AlarmState.CLEARED,
                    AlarmCause.FORGOTTEN,
                    Judged.WALL_CLOCK,
                    null,
                    r -> "every open episode, once the patient sent nothing for the retention time: the patient's"
                            + " last events, then its state is deleted",
                    (p, e) -> e.forget()));

    /** {@link #TRANSITIONS} as a Markdown table, in the order they are judged, with {@code rule}'s parameters. */
    public static String transitionsMarkdown(AlarmRule rule) {
        StringBuilder s = new StringBuilder("| # | judged when | type | transition | cause | priority | condition |\n");
        s.append("|---|---|---|---|---|---|---|\n");
        int row = 1;
        for (Transition t : TRANSITIONS) {
            s.append("| ")
                    .append(row++)
                    .append(" | ")
                    .append(t.judged().words())
                    .append(" | ")
                    .append(t.type() == null ? "every open one" : "`" + t.type() + "`")
                    .append(" | ")
                    .append(t.state())
                    .append(" | ")
                    .append(t.cause() == null ? "see condition" : "`" + t.cause() + "`")
                    .append(" | ")
                    .append(
                            t.priority() == null
                                    ? "priority table"
                                    : t.priority().name())
                    .append(" | ")
                    .append(t.when().apply(rule))
                    .append(" |\n");
        }
        return s.toString();
    }

    /** {@link #PRIORITY_STEPS} as a Markdown table. */
    public static String prioritiesMarkdown() {
        StringBuilder s = new StringBuilder("| priority | an open episode has it once it has (whichever first) |\n");
        s.append("|---|---|\n");
        s.append("| LOW | raised, and no row below holds |\n");
        for (PriorityStep step : PRIORITY_STEPS) {
            s.append("| ")
                    .append(step.priority())
                    .append(" | ")
                    .append(step.describe())
                    .append(" |\n");
        }
        return s.toString();
    }

    static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : number(ms / 1000.0) + " s";
    }

    static String number(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }
}
