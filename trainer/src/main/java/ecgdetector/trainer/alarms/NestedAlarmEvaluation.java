package ecgdetector.trainer.alarms;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.trainer.Machine;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.evaluation.Spread;
import ecgdetector.trainer.selection.OutOfFoldScores;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * The alarm rules' whole protocol repeated on several splits, so its figures say what the protocol gives rather
 * than what one split happened to give. For each split seed: the release as {@code ./ecg train --seed N} makes it,
 * the rule chosen on that split's training part alone ({@link AlarmSelection} on its out-of-fold scores), and the
 * choice measured on that split's test part, which neither the release nor the choice saw. The shipped default
 * (chosen for the release of its own split) is measured beside it on each split's release; on another split's
 * test part it is not held out, since most of those beats were in the part the default was chosen on.
 */
public final class NestedAlarmEvaluation {

    public static final int FORMAT_VERSION = 1;

    /** What one split gives the protocol to work on: its release and its training part scored out of fold. */
    public record Split(TrainingResult trained, OutOfFoldScores outOfFold) {}

    /** Trains (or reuses) the release of a split seed and scores its training part out of fold. */
    @FunctionalInterface
    public interface Splits {
        Split prepare(long splitSeed) throws IOException, InvalidReleaseException;
    }

    /**
     * One split.
     *
     * @param chosen              the rule chosen on this split's training part, e.g. {@code 3 of 5 > 1.2x, K 4}
     * @param chosenMarginInTraining its margin against the targets in its worst training fold
     * @param chosenOnTest        the chosen rule on this split's test part
     * @param chosenMetTargets    whether that meets every target
     * @param defaultOnTest       the shipped default on this split's test part (held out only for its own split)
     */
    public record SplitRun(
            long splitSeed,
            String model,
            double testNormalFlagged,
            double testAbnormalFlagged,
            String chosen,
            double chosenMarginInTraining,
            AlarmEvaluation.RuleFigures chosenOnTest,
            boolean chosenMetTargets,
            AlarmEvaluation.RuleFigures defaultOnTest) {}

    /**
     * Everything measured.
     *
     * @param falseAlarms       the chosen rules' false alarms per patient-hour on the test parts, over the splits
     * @param shortRun          their sensitivity for runs of the targets' short run
     * @param longRuns          their lowest sensitivity for runs of the targets' long run up to the longest measured
     * @param splitsMeetingTargets how many splits' choices met every target on their test part
     */
    public record Record(
            int formatVersion,
            String createdAt,
            Machine machine,
            String defaultRule,
            long seed,
            double patientHours,
            int trials,
            AlarmSelection.Targets targets,
            List<SplitRun> splits,
            Spread falseAlarms,
            Spread shortRun,
            Spread longRuns,
            int splitsMeetingTargets,
            double wallSeconds) {

        public Record {
            splits = List.copyOf(splits);
        }
    }

    private NestedAlarmEvaluation() {}

    /**
     * @param grid the candidates of each split's choice, as {@code ./ecg alarms --select} sweeps them
     * @param seed the scenario feeds' seed, the same for every split and every rule
     */
    public static Record run(
            List<Long> splitSeeds,
            Splits splits,
            AlarmSelection.Grid grid,
            AlarmSelection.Targets targets,
            long seed,
            double patientHours,
            int trials,
            Consumer<String> progress)
            throws IOException, InvalidReleaseException {
        if (splitSeeds.isEmpty()) {
            throw new IllegalArgumentException("no split seeds to evaluate");
        }
        long start = System.nanoTime();
        List<SplitRun> runs = new ArrayList<>();
        for (long splitSeed : splitSeeds) {
            Split split = splits.prepare(splitSeed);
            progress.accept(String.format(
                    Locale.ROOT,
                    "Split seed %d: choosing among %d rules",
                    splitSeed,
                    grid.rules().size()));
            AlarmSelectionRecord selection = AlarmSelection.run(
                    split.trained(), split.outOfFold(), grid, targets, seed, patientHours, trials, line -> {});
            SplitRun run = evaluate(splitSeed, split.trained(), selection, targets, seed, patientHours, trials);
            runs.add(run);
            progress.accept(String.format(
                    Locale.ROOT,
                    "Split seed %d: chose %s; on the test part %.2f false alarms / patient-hour, run %d %.3f%n",
                    splitSeed,
                    run.chosen(),
                    run.chosenOnTest().falseAlarmsPerPatientHour(),
                    targets.shortRun(),
                    run.chosenOnTest().sensitivity(targets.shortRun())));
        }
        return new Record(
                FORMAT_VERSION,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                Machine.current(),
                AlarmRule.DEFAULT.shortName() + ", K " + AlarmRule.DEFAULT.clearBeats(),
                seed,
                patientHours,
                trials,
                targets,
                runs,
                spread(runs, r -> r.chosenOnTest().falseAlarmsPerPatientHour()),
                spread(runs, r -> r.chosenOnTest().sensitivity(targets.shortRun())),
                spread(runs, r -> longRuns(r.chosenOnTest(), targets)),
                (int) runs.stream().filter(SplitRun::chosenMetTargets).count(),
                (System.nanoTime() - start) / 1e9);
    }

    private static SplitRun evaluate(
            long splitSeed,
            TrainingResult trained,
            AlarmSelectionRecord selection,
            AlarmSelection.Targets targets,
            long seed,
            double patientHours,
            int trials) {
        AlarmSelectionRecord.Choice c = selection.choice();
        AlarmRule chosen =
                AlarmRule.DEFAULT.withBeats(c.beats(), c.window(), c.ratio()).withClearBeats(c.clearBeats());
        AlarmEvaluation test = new AlarmEvaluation(trained, seed, patientHours, trials);
        AlarmEvaluation.Figures onTest = test.runRule(chosen);
        AlarmEvaluation.RuleFigures chosenOnTest = onTest.defaultRule();
        double margin = selection.candidates().stream()
                .filter(k -> k.beats() == c.beats()
                        && k.window() == c.window()
                        && k.ratio() == c.ratio()
                        && k.clearBeats() == c.clearBeats())
                .findFirst()
                .orElseThrow()
                .margin();
        return new SplitRun(
                splitSeed,
                onTest.model(),
                onTest.shareOfNormalBeatsFlagged(),
                onTest.shareOfAbnormalBeatsFlagged(),
                chosen.shortName() + ", K " + chosen.clearBeats(),
                margin,
                chosenOnTest,
                meets(chosenOnTest, targets),
                test.runRule(AlarmRule.DEFAULT).defaultRule());
    }

    /** Whether {@code f} meets every target, with every run from the long one to the longest measured. */
    static boolean meets(AlarmEvaluation.RuleFigures f, AlarmSelection.Targets targets) {
        return f.falseAlarmsPerPatientHour() <= targets.falseAlarmsPerPatientHour()
                && f.sensitivity(targets.shortRun()) >= targets.shortRunSensitivity()
                && longRuns(f, targets) >= targets.longRunSensitivity();
    }

    private static double longRuns(AlarmEvaluation.RuleFigures f, AlarmSelection.Targets targets) {
        return IntStream.rangeClosed(targets.longRun(), AlarmEvaluation.MAX_RUN)
                .mapToDouble(f::sensitivity)
                .min()
                .orElseThrow();
    }

    private static Spread spread(List<SplitRun> runs, ToDoubleFunction<SplitRun> f) {
        return Spread.of(runs.stream().mapToDouble(f).toArray());
    }

    /** The record as Markdown: one row per split, then the spread over them. */
    public static String markdown(Record r) {
        AlarmSelection.Targets t = r.targets();
        String longRuns = "runs " + t.longRun() + "-" + AlarmEvaluation.MAX_RUN + ", lowest";
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Seed %d: %.0f normal patient-hours and %d runs per run length for every rule, on every split; %.0f s"
                        + " in all. Each split's rule is chosen on its training part alone and measured on its test"
                        + " part, with that split's own release. The shipped default `%s`, chosen for the release's"
                        + " own split, is measured beside it on the same releases and beats; on any other split"
                        + " these beats are mostly ones it was chosen on, so its columns are not held-out figures.%n%n",
                r.seed(),
                r.patientHours(),
                r.trials(),
                r.wallSeconds(),
                r.defaultRule()));
        s.append("| split seed | release | test beats above the threshold, normal / abnormal | rule chosen on the"
                + " training part | margin, worst fold | false alarms / patient-hour | run " + t.shortRun() + " | "
                + longRuns + " | median ms to RAISED | meets the targets | the default: false alarms / patient-hour"
                + " | the default: run " + t.shortRun() + " | the default: " + longRuns + " |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SplitRun run : r.splits()) {
            AlarmEvaluation.RuleFigures c = run.chosenOnTest();
            AlarmEvaluation.RuleFigures d = run.defaultOnTest();
            s.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %.2f%% / %.2f%% | `%s` | %.2f | %.2f | %.3f | %.3f | %.0f | %s | %.2f | %.3f | %.3f |%n",
                    run.splitSeed(),
                    run.model(),
                    100 * run.testNormalFlagged(),
                    100 * run.testAbnormalFlagged(),
                    run.chosen(),
                    run.chosenMarginInTraining(),
                    c.falseAlarmsPerPatientHour(),
                    c.sensitivity(t.shortRun()),
                    longRuns(c, t),
                    c.medianMsToRaised(),
                    run.chosenMetTargets() ? "yes" : "no",
                    d.falseAlarmsPerPatientHour(),
                    d.sensitivity(t.shortRun()),
                    longRuns(d, t)));
        }
        s.append(String.format(
                Locale.ROOT,
                "| mean (sd) | | | | | %.2f (%.2f) | %.3f (%.3f) | %.3f (%.3f) | | %d of %d | | | |%n",
                r.falseAlarms().mean(),
                r.falseAlarms().sd(),
                r.shortRun().mean(),
                r.shortRun().sd(),
                r.longRuns().mean(),
                r.longRuns().sd(),
                r.splitsMeetingTargets(),
                r.splits().size()));
        return s.toString();
    }
}
