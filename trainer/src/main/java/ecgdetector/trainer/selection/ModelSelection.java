package ecgdetector.trainer.selection;

import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.trainer.Machine;
import ecgdetector.trainer.SelectionGrid;
import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.SelectionRule;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedFolds;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.evaluation.BinaryMetrics;
import ecgdetector.trainer.evaluation.Spread;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Model selection by stratified k-fold cross-validation inside the training part of a split: every
 * training variant of a grid is trained on each fold's training part exactly as a training run would
 * train on its own (validation fold, scaler, autoencoder, threshold), and scored on the held-out fold;
 * every error metric and threshold policy is applied to the same reconstructions. The candidates'
 * out-of-fold figures and the {@link SelectionRule}'s choice make a {@link SelectionRecord}.
 *
 * <p>The split's test part is set aside before anything else and never read, so the figures a training
 * run later reports on it stay an honest estimate of the chosen settings.
 */
public final class ModelSelection {

    /** The folds are drawn with the seed plus this; the seed itself draws the split, plus one its validation fold. */
    static final long FOLD_SEED_OFFSET = 2;

    private final PrintStream console;

    public ModelSelection(PrintStream console) {
        this.console = console;
    }

    /**
     * @param seed draws the train/test split (as {@code ./ecg train --seed} does), the folds, and seeds every
     *     fold's training
     * @param testFraction the share of each class set aside as the test part
     */
    public SelectionRecord run(EcgDataset dataset, SelectionGrid grid, long seed, double testFraction) {
        long started = System.nanoTime();
        StratifiedSplit.Parts trainTest = StratifiedSplit.split(dataset.beats(), testFraction, seed);
        Heartbeats training = trainTest.kept();
        StratifiedFolds folds = StratifiedFolds.of(training, grid.folds(), seed + FOLD_SEED_OFFSET);
        List<ErrorMetric> metrics =
                grid.errorMetrics().stream().map(ErrorMetric::fromId).toList();
        List<ThresholdPolicy> policies =
                grid.thresholds().stream().map(ThresholdPolicy::parse).toList();
        announce(dataset, grid, training, trainTest.heldOut(), seed);

        Progress progress = new Progress(console, grid.variants().size() * grid.folds(), started);
        List<SelectionRecord.Candidate> candidates = new ArrayList<>();
        for (SelectionGrid.Variant variant : grid.variants()) {
            TrainingOptions options = TrainingSettings.resolve(grid.given(variant)
                    .set(TrainingSettings.SEED, seed)
                    .set(TrainingSettings.TEST_FRACTION, testFraction));
            List<SelectionRecord.Candidate> ofVariant =
                    crossValidate(variant, options, folds, metrics, policies, progress);
            summarize(variant, ofVariant);
            candidates.addAll(ofVariant);
        }
        SelectionRecord.Choice choice = choose(grid, candidates);
        return new SelectionRecord(
                SelectionRecord.FORMAT_VERSION,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                Machine.current(),
                new SelectionRecord.DataUsed(
                        dataset.source(),
                        dataset.sha256(),
                        dataset.beats().size(),
                        testFraction,
                        training.size(),
                        trainTest.heldOut().size()),
                seed,
                grid,
                SelectionRule.DESCRIPTION,
                candidates,
                choice,
                (System.nanoTime() - started) / 1e9);
    }

    /** One variant trained on every fold; its candidates, one per metric and policy. */
    private static List<SelectionRecord.Candidate> crossValidate(
            SelectionGrid.Variant variant,
            TrainingOptions options,
            StratifiedFolds folds,
            List<ErrorMetric> metrics,
            List<ThresholdPolicy> policies,
            Progress progress) {
        List<FoldRun.Result> results = new ArrayList<>();
        for (int f = 0; f < folds.folds(); f++) {
            FoldRun.Result result = FoldRun.run(options, folds.fold(f), metrics);
            results.add(result);
            progress.foldDone(variant.name(), f + 1, folds.folds(), result.trainSeconds());
        }
        List<SelectionRecord.Candidate> candidates = new ArrayList<>();
        for (ErrorMetric metric : metrics) {
            for (ThresholdPolicy policy : policies) {
                candidates.add(candidate(variant, metric, policy, results));
            }
        }
        return candidates;
    }

    /** The rule's pick, with every setting it stands for. */
    private static SelectionRecord.Choice choose(SelectionGrid grid, List<SelectionRecord.Candidate> candidates) {
        SelectionRecord.Candidate chosen = candidates.get(SelectionRule.choose(candidates, grid.folds()));
        SelectionGrid.Variant variant = grid.variants().stream()
                .filter(v -> v.name().equals(chosen.variant()))
                .findFirst()
                .orElseThrow();
        return new SelectionRecord.Choice(
                chosen.variant(),
                chosen.errorMetric(),
                chosen.threshold(),
                grid.settings(variant, chosen.errorMetric(), chosen.threshold()));
    }

    private void announce(EcgDataset dataset, SelectionGrid grid, Heartbeats training, Heartbeats test, long seed) {
        console.printf(
                Locale.ROOT,
                "Data %s: %d beats. Selecting among %d candidates (%d training variants x %d error metrics x %d"
                        + " threshold policies) by %d-fold cross-validation on the training part of split seed"
                        + " %d: %d beats (%d normal). The test part (%d beats) is not looked at.%n",
                dataset.source(),
                dataset.beats().size(),
                grid.candidates(),
                grid.variants().size(),
                grid.errorMetrics().size(),
                grid.thresholds().size(),
                grid.folds(),
                seed,
                training.size(),
                training.countNormal(),
                test.size());
    }

    private void summarize(SelectionGrid.Variant variant, List<SelectionRecord.Candidate> ofVariant) {
        SelectionRecord.Candidate best = ofVariant.get(0);
        for (SelectionRecord.Candidate c : ofVariant) {
            if (c.figures().accuracy().mean() > best.figures().accuracy().mean()) {
                best = c;
            }
        }
        console.printf(
                Locale.ROOT,
                "  %s: best out-of-fold accuracy %.4f (sd %.4f) with %s and %s, ROC-AUC %.4f%n",
                variant.name(),
                best.figures().accuracy().mean(),
                best.figures().accuracy().sd(),
                best.errorMetric(),
                best.threshold(),
                best.figures().rocAuc().mean());
    }

    private static SelectionRecord.Candidate candidate(
            SelectionGrid.Variant variant, ErrorMetric metric, ThresholdPolicy policy, List<FoldRun.Result> results) {
        List<BinaryMetrics> perFold =
                results.stream().map(r -> r.evaluate(metric, policy)).toList();
        return new SelectionRecord.Candidate(
                variant.name(),
                metric.id(),
                policy.describe(),
                new SelectionRecord.Figures(
                        spread(perFold, BinaryMetrics::accuracy),
                        spread(perFold, BinaryMetrics::precision),
                        spread(perFold, BinaryMetrics::recall),
                        spread(perFold, BinaryMetrics::f1),
                        spread(perFold, BinaryMetrics::rocAuc),
                        spread(perFold, BinaryMetrics::prAuc)),
                perFold.stream().map(BinaryMetrics::accuracy).toList(),
                results.stream()
                        .mapToDouble(FoldRun.Result::trainSeconds)
                        .average()
                        .orElseThrow(),
                results.stream()
                        .mapToDouble(FoldRun.Result::trainingCost)
                        .average()
                        .orElseThrow());
    }

    private static Spread spread(List<BinaryMetrics> perFold, ToDoubleFunction<BinaryMetrics> figure) {
        return Spread.of(perFold.stream().mapToDouble(figure).toArray());
    }

    /** One line per trained fold, with an estimate of the time left. */
    private static final class Progress {
        private final PrintStream console;
        private final int total;
        private final long started;
        private int done;

        Progress(PrintStream console, int total, long started) {
            this.console = console;
            this.total = total;
            this.started = started;
        }

        void foldDone(String variant, int fold, int folds, double seconds) {
            done++;
            double elapsed = (System.nanoTime() - started) / 1e9;
            console.printf(
                    Locale.ROOT,
                    "[%d/%d] %s, fold %d/%d trained in %.1f s; %.0f s so far, about %.0f s to go%n",
                    done,
                    total,
                    variant,
                    fold,
                    folds,
                    seconds,
                    elapsed,
                    elapsed / done * (total - done));
        }
    }
}
