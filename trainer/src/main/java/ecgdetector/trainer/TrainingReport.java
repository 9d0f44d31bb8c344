package ecgdetector.trainer;

import java.util.List;
import java.util.Map;

/**
 * {@code report.json}: what a training run did and how well the model does on the held-out test
 * part. Metrics take anomaly as the positive class; an anomaly is error > threshold.
 */
public record TrainingReport(
        String modelName,
        String modelVersion,
        String recipe,
        double accuracy,
        double precision,
        double recall,
        double f1,
        double rocAuc,
        double threshold,
        String thresholdPolicy,
        String errorMetric,
        Confusion confusion,
        int epochs,
        List<Double> trainLoss,
        List<Double> valLoss,
        List<Double> trainMse,
        List<Double> valMse,
        double trainSeconds,
        Map<String, Double> stageSeconds,
        Data data,
        Map<String, Object> settings,
        Figures validation,
        Map<String, String> files,
        Published published) {

    public record Confusion(int tp, int fp, int tn, int fn) {}

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

    /**
     * The same figures on the validation fold (part of the training part). Recipes and thresholds
     * are compared on these, never on the test figures.
     */
    public record Figures(double accuracy, double precision, double recall, double f1, double rocAuc) {
        static Figures of(ecgdetector.trainer.evaluation.BinaryMetrics m) {
            return new Figures(m.accuracy(), m.precision(), m.recall(), m.f1(), m.rocAuc());
        }
    }

    public record Published(String bootstrapServers, String topic, int partition, long offset) {}

    public TrainingReport withPublished(Published where) {
        return new TrainingReport(
                modelName,
                modelVersion,
                recipe,
                accuracy,
                precision,
                recall,
                f1,
                rocAuc,
                threshold,
                thresholdPolicy,
                errorMetric,
                confusion,
                epochs,
                trainLoss,
                valLoss,
                trainMse,
                valMse,
                trainSeconds,
                stageSeconds,
                data,
                settings,
                validation,
                files,
                where);
    }
}
