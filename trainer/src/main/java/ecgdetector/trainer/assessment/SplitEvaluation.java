package ecgdetector.trainer.assessment;

import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.trainer.Machine;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.UcrClass;
import ecgdetector.trainer.data.UcrClasses;
import ecgdetector.trainer.data.UcrFile;
import ecgdetector.trainer.evaluation.Spread;
import ecgdetector.trainer.model.EpochListener;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * A recipe's test figures over several splits: one full training run per split seed (exactly {@code ./ecg
 * train --seed N}: split, validation fold, training, threshold, release, evaluation through the release),
 * then one on the UCR archive's own split (trained on the normal beats of {@code ECG5000_TRAIN.txt}, every
 * figure from all of {@code ECG5000_TEST.txt}). Every choice inside a run is made on its training part;
 * each test part is scored once.
 */
public final class SplitEvaluation {

    /** The UCR archive's files: train on one, test on the other. */
    public record UcrSplit(UcrFile.Labelled train, UcrFile.Labelled test) {}

    private final PrintStream console;
    private final EpochListener progress;

    public SplitEvaluation(PrintStream console, EpochListener progress) {
        this.console = console;
        this.progress = progress;
    }

    /**
     * @param options the run for every split, its seed replaced by each split seed in turn (the UCR run
     *     keeps it); each run writes to a folder of its own under {@code options.out()}
     */
    public EvaluationRecord run(
            TrainingOptions options, EcgDataset dataset, List<Long> splitSeeds, Optional<UcrSplit> ucr)
            throws IOException, InvalidReleaseException {
        if (splitSeeds.isEmpty()) {
            throw new IllegalArgumentException("no split seeds to evaluate");
        }
        long started = System.nanoTime();
        TrainingJob job = new TrainingJob(console, progress);
        Optional<UcrClasses> classes = ucr.map(u -> new UcrClasses(List.of(u.train(), u.test())));
        List<EvaluationRecord.SplitRun> splits = new ArrayList<>();
        Map<UcrClass, int[]> overSplits = new EnumMap<>(UcrClass.class);
        for (long seed : splitSeeds) {
            TrainingOptions run = options.withSeed(seed).withOut(options.out().resolve("split-" + seed));
            TrainingResult result = job.run(run, dataset);
            TrainingReport report = result.report();
            splits.add(new EvaluationRecord.SplitRun(
                    seed,
                    report.test(),
                    report.rule().threshold(),
                    report.timings().trainSeconds()));
            console.printf(
                    "Split seed %d: accuracy %.4f, ROC-AUC %.4f%n%n",
                    seed, report.test().accuracy(), report.test().rocAuc());
            classes.ifPresent(c -> count(overSplits, classesOf(c, result.test()), result, report));
        }
        Optional<EvaluationRecord.UcrRun> ucrRun =
                ucr.isPresent() ? Optional.of(ucr(job, options, ucr.get())) : Optional.empty();
        return new EvaluationRecord(
                EvaluationRecord.FORMAT_VERSION,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                Machine.current(),
                options.recipe().id(),
                withoutSeed(options),
                new EvaluationRecord.Source(
                        dataset.source(), dataset.sha256(), dataset.beats().size()),
                splits,
                summary(splits),
                outcomes(overSplits),
                ucrRun.orElse(null),
                (System.nanoTime() - started) / 1e9);
    }

    private EvaluationRecord.UcrRun ucr(TrainingJob job, TrainingOptions options, UcrSplit ucr)
            throws IOException, InvalidReleaseException {
        EcgDataset train = ucr.train().data();
        Heartbeats test = ucr.test().data().beats();
        TrainingResult result = job.run(options.withOut(options.out().resolve("ucr")), train, train.beats(), test);
        TrainingReport report = result.report();
        Map<UcrClass, int[]> counts = new EnumMap<>(UcrClass.class);
        count(counts, ucr.test().classes(), result, report);
        console.printf(
                "UCR split: accuracy %.4f, ROC-AUC %.4f%n%n",
                report.test().accuracy(), report.test().rocAuc());
        return new EvaluationRecord.UcrRun(
                source(train),
                source(ucr.test().data()),
                options.seed(),
                report.test(),
                report.rule().threshold(),
                outcomes(counts),
                report.timings().trainSeconds());
    }

    private static EvaluationRecord.Source source(EcgDataset data) {
        return new EvaluationRecord.Source(
                data.source(), data.sha256(), data.beats().size());
    }

    /** The UCR class of every test beat; a beat the UCR files do not hold is a mismatch of files. */
    private static List<UcrClass> classesOf(UcrClasses classes, Heartbeats test) {
        List<UcrClass> of = new ArrayList<>(test.size());
        for (float[] beat : test.beats()) {
            of.add(classes.of(beat)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "a test beat is in neither UCR file: are they the files ecg.csv was made from?")));
        }
        return of;
    }

    /** Adds each test beat to its class's count, and to its flagged count if it scored above the threshold. */
    private static void count(
            Map<UcrClass, int[]> counts, List<UcrClass> classes, TrainingResult result, TrainingReport report) {
        float[] scores = result.testScores();
        for (int i = 0; i < scores.length; i++) {
            int[] c = counts.computeIfAbsent(classes.get(i), k -> new int[2]);
            c[0]++;
            if (ecgdetector.model.scoring.AnomalyRule.isAnomaly(
                    scores[i], report.rule().threshold())) {
                c[1]++;
            }
        }
    }

    private static List<EvaluationRecord.ClassOutcome> outcomes(Map<UcrClass, int[]> counts) {
        List<EvaluationRecord.ClassOutcome> outcomes = new ArrayList<>();
        counts.forEach(
                (c, n) -> outcomes.add(new EvaluationRecord.ClassOutcome(c.label(), c.description(), n[0], n[1])));
        return outcomes;
    }

    private static EvaluationRecord.Summary summary(List<EvaluationRecord.SplitRun> splits) {
        return new EvaluationRecord.Summary(
                spread(splits, TrainingReport.Figures::accuracy),
                spread(splits, TrainingReport.Figures::precision),
                spread(splits, TrainingReport.Figures::recall),
                spread(splits, TrainingReport.Figures::f1),
                spread(splits, TrainingReport.Figures::rocAuc),
                spread(splits, TrainingReport.Figures::prAuc));
    }

    private static Spread spread(List<EvaluationRecord.SplitRun> splits, ToDoubleFunction<TrainingReport.Figures> f) {
        return Spread.of(splits.stream()
                .map(EvaluationRecord.SplitRun::test)
                .mapToDouble(f)
                .toArray());
    }

    private static Map<String, Object> withoutSeed(TrainingOptions options) {
        Map<String, Object> settings = TrainingSettings.recorded(options);
        settings.remove("seed");
        return settings;
    }
}
