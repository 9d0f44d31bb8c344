package ecgdetector.trainer.alarms;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.trainer.Machine;
import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.selection.OutOfFoldScores;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The choice of the alarm rules' defaults (N of M beats above a ratio of the threshold, K beats to clear) on
 * scenario feeds of the training part only, each beat scored as unseen data ({@link OutOfFoldScores}), pooled and
 * fold by fold: the rule family swept over {@link Grid}, each
 * candidate measured by {@link AlarmEvaluation} as the test part's figures are, and the one with the widest
 * margin against the issue's {@link Targets} chosen ({@link #choose}). The test part stays for the held-out
 * evaluation of the choice.
 */
public final class AlarmSelection {

    /** The run lengths inserted: the targets' 3 and 5-or-more, and the shorter and longer runs around them. */
    public static final List<Integer> RUNS = List.of(1, 2, 3, 5, 8);

    public static final String RULE = "the candidate whose worst fold has the widest margin against the targets:"
            + " on each fold's beats alone, the smallest of (1 - false alarms / the allowed), (sensitivity for the"
            + " short run - its target) / (1 - that target) and (the lowest sensitivity for the long runs - their"
            + " target) / (1 - that target); the candidate's margin is the smallest over the folds; then the earlier"
            + " in the grid";

    /**
     * The rule family compared: every N of M for M up to {@code maxWindow}, at each ratio, with each K; the quiet
     * time and the silence stay the defaults'.
     */
    public record Grid(List<Double> ratios, int maxWindow, List<Integer> clearBeats, long quietMs) {
        public Grid {
            ratios = List.copyOf(ratios);
            clearBeats = List.copyOf(clearBeats);
        }

        public static Grid standard() {
            return new Grid(List.of(1.0, 1.2, 1.5, 2.0, 3.0), 5, List.of(4, 8, 16), AlarmRule.DEFAULT_QUIET_MS);
        }

        /** The candidates in the grid's order: by ratio, then M, then N, then K. */
        public List<AlarmRule> rules() {
            List<AlarmRule> rules = new ArrayList<>();
            for (double ratio : ratios) {
                for (int m = 1; m <= maxWindow; m++) {
                    for (int n = 1; n <= m; n++) {
                        for (int k : clearBeats) {
                            rules.add(new AlarmRule(n, m, ratio, k, quietMs, AlarmRule.DEFAULT_SILENCE_MS));
                        }
                    }
                }
            }
            return rules;
        }
    }

    /**
     * The issue's targets: at most {@code falseAlarmsPerPatientHour} on normal patients, sensitivity at least
     * {@code shortRunSensitivity} for runs of {@code shortRun} abnormal beats and {@code longRunSensitivity} for
     * runs of {@code longRun} or more.
     */
    public record Targets(
            double falseAlarmsPerPatientHour,
            int shortRun,
            double shortRunSensitivity,
            int longRun,
            double longRunSensitivity) {

        public static Targets issue() {
            return new Targets(1.0, 3, 0.95, 5, 0.99);
        }

        /** The smallest slack against the targets, each as a share of what the target allows; below 0: missed. */
        public double margin(double falseAlarms, List<Integer> runs, List<Double> sensitivity) {
            double alarms = (falseAlarmsPerPatientHour - falseAlarms) / falseAlarmsPerPatientHour;
            double shortRunSlack =
                    (sensitivity.get(runs.indexOf(shortRun)) - shortRunSensitivity) / (1 - shortRunSensitivity);
            double longest = IntStream.range(0, runs.size())
                    .filter(i -> runs.get(i) >= longRun)
                    .mapToDouble(sensitivity::get)
                    .min()
                    .orElseThrow(() -> new IllegalArgumentException("no run of " + longRun + " or more beats"));
            double longRunSlack = (longest - longRunSensitivity) / (1 - longRunSensitivity);
            return Math.min(alarms, Math.min(shortRunSlack, longRunSlack));
        }
    }

    private AlarmSelection() {}

    /**
     * @return the index of the candidate {@link #RULE} picks
     * @throws IllegalArgumentException if there are none
     */
    public static int choose(List<AlarmSelectionRecord.Candidate> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates to choose from");
        }
        int chosen = 0;
        for (int i = 1; i < candidates.size(); i++) {
            // Strictly wider only: an equal candidate later in the grid does not displace an earlier one.
            if (candidates.get(i).margin() > candidates.get(chosen).margin()) {
                chosen = i;
            }
        }
        return chosen;
    }

    /**
     * Every candidate of {@code grid} on scenario feeds of the training part's out-of-fold scores, seeded, and the
     * choice; {@code progress} hears of each candidate as it is measured.
     *
     * @param trained the release the rules are chosen for (its name, recipe and scaler)
     * @param outOfFold its training part scored fold by fold with its recipe ({@link OutOfFoldScores})
     */
    public static AlarmSelectionRecord run(
            TrainingResult trained,
            OutOfFoldScores outOfFold,
            Grid grid,
            Targets targets,
            long seed,
            double patientHours,
            int trials,
            Consumer<String> progress) {
        long start = System.nanoTime();
        AlarmEvaluation evaluation = evaluation(trained, outOfFold, seed, patientHours, trials);
        List<AlarmEvaluation> folds = new ArrayList<>();
        for (int f = 0; f < outOfFold.folds(); f++) {
            folds.add(evaluation(trained, outOfFold.ofFold(f), seed, patientHours, trials));
        }
        List<AlarmSelectionRecord.Candidate> candidates = measureAll(evaluation, folds, grid, targets, progress);
        AlarmSelectionRecord.Candidate c = candidates.get(choose(candidates));
        TrainingReport report = trained.report();
        TrainingReport.Data data = report.data();
        return new AlarmSelectionRecord(
                AlarmSelectionRecord.FORMAT_VERSION,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                Machine.current(),
                new SelectionRecord.DataUsed(
                        data.source(),
                        data.sha256(),
                        data.rows(),
                        number(report, "testFraction"),
                        data.rows() - data.test(),
                        data.test()),
                new AlarmSelectionRecord.Release(
                        report.model().modelName() + " " + report.model().modelVersion(),
                        report.rule().errorMetric(),
                        report.rule().thresholdPolicy(),
                        (long) number(report, "seed")),
                new AlarmSelectionRecord.Folds(
                        outOfFold.folds(),
                        Arrays.stream(outOfFold.thresholds()).boxed().toList(),
                        outOfFold.seconds()),
                new AlarmSelectionRecord.Beats(
                        evaluation.normalBeats(),
                        evaluation.abnormalBeats(),
                        evaluation.shareFlagged(true),
                        evaluation.shareFlagged(false)),
                seed,
                patientHours,
                trials,
                RUNS,
                grid,
                targets,
                RULE,
                candidates,
                new AlarmSelectionRecord.Choice(c.beats(), c.window(), c.ratio(), c.clearBeats(), c.margin() >= 0),
                (System.nanoTime() - start) / 1e9 + outOfFold.seconds());
    }

    private static AlarmEvaluation evaluation(
            TrainingResult trained, OutOfFoldScores scores, long seed, double patientHours, int trials) {
        return new AlarmEvaluation(trained, scores.beats(), scores.scores(), seed, patientHours, trials);
    }

    /**
     * Each rule on the pooled beats (the figures shown) and on each fold's beats alone (the margin: a rule is only
     * as good as on its worst part of the data, and the test part is one more such part).
     */
    private static List<AlarmSelectionRecord.Candidate> measureAll(
            AlarmEvaluation pooled,
            List<AlarmEvaluation> folds,
            Grid grid,
            Targets targets,
            Consumer<String> progress) {
        int[] runs = RUNS.stream().mapToInt(Integer::intValue).toArray();
        List<AlarmSelectionRecord.Candidate> candidates = new ArrayList<>();
        List<AlarmRule> rules = grid.rules();
        for (AlarmRule rule : rules) {
            AlarmEvaluation.Measured m = pooled.measure(rule, runs);
            List<AlarmSelectionRecord.FoldFigures> ofFolds = new ArrayList<>();
            for (AlarmEvaluation fold : folds) {
                AlarmEvaluation.Measured f = fold.measure(rule, runs);
                List<Double> sensitivity =
                        Arrays.stream(f.sensitivity()).boxed().toList();
                ofFolds.add(new AlarmSelectionRecord.FoldFigures(
                        f.falseAlarmsPerPatientHour(),
                        sensitivity,
                        targets.margin(f.falseAlarmsPerPatientHour(), RUNS, sensitivity)));
            }
            AlarmSelectionRecord.Candidate c = new AlarmSelectionRecord.Candidate(
                    rule.beats(),
                    rule.window(),
                    rule.ratio(),
                    rule.clearBeats(),
                    m.falseAlarmsPerPatientHour(),
                    Arrays.stream(m.sensitivity()).boxed().toList(),
                    m.medianMsToRaised(),
                    m.p95MsToRaised(),
                    ofFolds,
                    AlarmSelectionRecord.FoldFigures.worstMargin(ofFolds));
            candidates.add(c);
            progress.accept(String.format(Locale.ROOT, "%d/%d %s", candidates.size(), rules.size(), row(c)));
        }
        return candidates;
    }

    private static double number(TrainingReport report, String setting) {
        Object value = report.settings().get(setting);
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("the training report has no numeric setting " + setting);
        }
        return n.doubleValue();
    }

    /** {@code 3 of 4 > 1.2x, K 8}: a candidate in short. */
    public static String name(AlarmSelectionRecord.Candidate c) {
        return new AlarmRule(c.beats(), c.window(), c.ratio(), c.clearBeats(), 1, 1).shortName() + ", K "
                + c.clearBeats();
    }

    private static String row(AlarmSelectionRecord.Candidate c) {
        StringBuilder s =
                new StringBuilder(String.format(Locale.ROOT, "| %s | %.2f |", name(c), c.falseAlarmsPerPatientHour()));
        c.sensitivity().forEach(v -> s.append(String.format(Locale.ROOT, " %.3f |", v)));
        double worstFalseAlarms = c.folds().stream()
                .mapToDouble(AlarmSelectionRecord.FoldFigures::falseAlarmsPerPatientHour)
                .max()
                .orElse(Double.NaN);
        s.append(String.format(
                Locale.ROOT, " %.0f | %.2f | %.2f |", c.medianMsToRaised(), worstFalseAlarms, c.margin()));
        return s.toString();
    }

    /**
     * The record as Markdown: what it was based on, the choice, then the {@code top} candidates by margin (all of
     * them if {@code top} is 0 or more than there are).
     */
    public static String markdown(AlarmSelectionRecord r, int top) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Seed %d, release %s (error metric `%s`, threshold `%s`): the %d beats of its training part (split"
                        + " seed %d), each scored by the model of the one of %d folds that was trained without it"
                        + " (%.0f s) and judged against the release's threshold: %d normal and %d abnormal beats,"
                        + " %.2f%% of normal and %.2f%% of abnormal above it. %.0f normal patient-hours and %d runs"
                        + " per run length for each of %d candidates, on all the beats and on each fold's alone;"
                        + " %.0f s in all.%n%n",
                r.seed(),
                r.release().model(),
                r.release().errorMetric(),
                r.release().thresholdPolicy(),
                r.data().trainingPart(),
                r.release().splitSeed(),
                r.folds().folds(),
                r.folds().seconds(),
                r.beats().normal(),
                r.beats().abnormal(),
                100 * r.beats().normalFlagged(),
                100 * r.beats().abnormalFlagged(),
                r.patientHours(),
                r.trials(),
                r.candidates().size(),
                r.wallSeconds()));
        AlarmSelectionRecord.Choice c = r.choice();
        s.append(String.format(
                Locale.ROOT,
                "Chosen: `%d of %d > %sx`, K %d (%s).%n%n",
                c.beats(),
                c.window(),
                new AlarmRule(c.beats(), c.window(), c.ratio(), c.clearBeats(), 1, 1).ratioText(),
                c.clearBeats(),
                c.metTargets() ? "meets every target" : "no candidate meets every target; the closest"));
        s.append("| rule | false alarms / patient-hour |");
        r.runs().forEach(run -> s.append(" run ").append(run).append(" |"));
        s.append(
                " median ms to RAISED | false alarms / patient-hour, most in a fold | margin, worst fold |\n|---|---|");
        s.append("---|".repeat(r.runs().size()));
        s.append("---|---|---|\n");
        List<AlarmSelectionRecord.Candidate> rows = new ArrayList<>(r.candidates());
        rows.sort(Comparator.comparingDouble(AlarmSelectionRecord.Candidate::margin)
                .reversed());
        int shown = top <= 0 ? rows.size() : Math.min(top, rows.size());
        rows.subList(0, shown).forEach(row -> s.append(row(row)).append('\n'));
        return s.toString();
    }
}
