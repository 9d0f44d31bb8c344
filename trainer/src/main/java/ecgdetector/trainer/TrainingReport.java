package ecgdetector.trainer;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import ecgdetector.trainer.evaluation.BinaryMetrics;
import ecgdetector.trainer.evaluation.ConfusionMatrix;
import ecgdetector.trainer.model.EpochStats;
import java.util.List;
import java.util.Map;

/**
 * {@code report.json}: what a training run did and how well the model does on the held-out test part.
 * Metrics take anomaly as the positive class; an anomaly is error > threshold.
 *
 * <p>Built from named parts; the unwrapped ones keep report.json flat, its fields in this order, as
 * people, tests and the demo read it.
 *
 * @param model which release the run made
 * @param test the figures on the held-out test part
 * @param rule the threshold the release carries, how it was chosen, what it applies to
 * @param confusion the test part's confusion matrix at that threshold
 * @param curves loss and MSE per epoch
 * @param timings wall time of the run and its stages
 * @param data where the beats came from and how they were split
 * @param settings the settings that decide the model, as the release's provenance records them
 * @param validation the same figures on the validation fold
 * @param files the plots and the release, relative to the report's folder
 * @param published where the release was published; null if it was not
 */
public record TrainingReport(
        @JsonUnwrapped Model model,
        @JsonUnwrapped Figures test,
        @JsonUnwrapped AnomalyRule rule,
        Confusion confusion,
        @JsonUnwrapped LearningCurves curves,
        @JsonUnwrapped Timings timings,
        Data data,
        Map<String, Object> settings,
        Figures validation,
        Map<String, String> files,
        Published published) {

    /** The release: its name (the models topic's key), version and the recipe it was trained from. */
    public record Model(String modelName, String modelVersion, String recipe) {}

    /**
     * Accuracy, precision, recall, F1, ROC-AUC and PR-AUC (average precision) on one part of the data. Recipes and thresholds are
     * compared on the validation fold's, never on the test part's.
     */
    public record Figures(double accuracy, double precision, double recall, double f1, double rocAuc, double prAuc) {
        public static Figures of(BinaryMetrics m) {
            return new Figures(m.accuracy(), m.precision(), m.recall(), m.f1(), m.rocAuc(), m.prAuc());
        }
    }

    /**
     * @param threshold a beat whose error is above it is an anomaly
     * @param thresholdPolicy how it was chosen, e.g. {@code best-f1}
     * @param errorMetric the per-beat error it applies to
     */
    public record AnomalyRule(double threshold, String thresholdPolicy, String errorMetric) {}

    public record Confusion(int tp, int fp, int tn, int fn) {
        static Confusion of(ConfusionMatrix m) {
            return new Confusion(m.tp(), m.fp(), m.tn(), m.fn());
        }
    }

    /** Per epoch: the training loss and MSE, and the same on the validation fold's normal beats. */
    public record LearningCurves(
            int epochs, List<Double> trainLoss, List<Double> valLoss, List<Double> trainMse, List<Double> valMse) {
        static LearningCurves of(List<EpochStats> history) {
            return new LearningCurves(
                    history.size(),
                    history.stream().map(EpochStats::loss).toList(),
                    history.stream().map(EpochStats::valLoss).toList(),
                    history.stream().map(EpochStats::mse).toList(),
                    history.stream().map(EpochStats::valMse).toList());
        }
    }

    /**
     * @param trainSeconds wall time of the whole run up to the release
     * @param stageSeconds the same per stage: data, train, evaluate, plots, release
     */
    public record Timings(double trainSeconds, Map<String, Double> stageSeconds) {}

    /**
     * @param trainNormal beats the autoencoder and scaler were fitted on
     * @param validation training-part beats held out for val_loss and threshold policies
     * @param test held-out beats, both classes, used only for the figures in this report
     */
    public record Data(
            String source,
            String sha256,
            int rows,
            int trainNormal,
            int validation,
            int validationNormal,
            int test,
            int testNormal) {}

    public record Published(String bootstrapServers, String topic, int partition, long offset) {}

    public TrainingReport withPublished(Published where) {
        return new TrainingReport(
                model, test, rule, confusion, curves, timings, data, settings, validation, files, where);
    }
}
