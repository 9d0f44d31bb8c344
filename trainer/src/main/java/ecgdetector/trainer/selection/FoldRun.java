package ecgdetector.trainer.selection;

import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingPart;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.evaluation.BinaryMetrics;
import ecgdetector.trainer.evaluation.CalibrationData;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.model.TrainedAutoencoder;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One fold of one training variant: a training run's procedure ({@link TrainingPart}: validation fold,
 * scaler, autoencoder) on the fold's training part, then the reconstructions of the normal training beats,
 * the validation fold and the held-out fold scored with every error metric of the grid. Threshold policies
 * are applied afterwards, to these scores.
 *
 * <p>Reconstructions come from the training session's dropout-free forward pass, which is op for op the
 * exported graph and gives the same numbers (SavedModelExportTest), without a round trip through a release.
 */
final class FoldRun {

    /** One metric's scores of the three sets. */
    record Scores(float[] trainNormal, float[] validation, float[] heldOut) {}

    /**
     * @param scores by error metric
     * @param validationIsAnomaly labels of the validation fold
     * @param heldOutIsAnomaly labels of the held-out fold
     * @param trainSeconds wall time of the training
     * @param trainingCost weight updates of the training, in millions
     */
    record Result(
            Map<ErrorMetric, Scores> scores,
            boolean[] validationIsAnomaly,
            boolean[] heldOutIsAnomaly,
            double trainSeconds,
            double trainingCost) {

        /** The held-out fold's figures under one metric and one threshold policy. */
        BinaryMetrics evaluate(ErrorMetric metric, ThresholdPolicy policy) {
            return BinaryMetrics.evaluate(scores.get(metric).heldOut(), heldOutIsAnomaly, threshold(metric, policy));
        }

        /** The threshold the fold's own training run would have released under one metric and policy. */
        double threshold(ErrorMetric metric, ThresholdPolicy policy) {
            Scores s = scores.get(metric);
            return policy.threshold(CalibrationData.of(s.trainNormal(), s.validation(), validationIsAnomaly));
        }
    }

    private FoldRun() {}

    static Result run(TrainingOptions options, StratifiedSplit.Parts fold, List<ErrorMetric> metrics) {
        TrainingPart part = TrainingPart.of(fold.kept(), options.validationFraction(), options.seed());
        MinMaxScaler scaler = part.fitScaler(options.scaler());
        float[][] trainNormal = scaler.transformAll(part.trainNormal().beats());
        float[][] validation = scaler.transformAll(part.validation().beats());
        float[][] heldOut = scaler.transformAll(fold.heldOut().beats());
        long started = System.nanoTime();
        float[][][] reconstructions;
        double cost;
        try (TrainedAutoencoder model = part.train(options, scaler, EpochListener.SILENT)) {
            cost = model.weightUpdates() / 1e6;
            reconstructions = new float[][][] {
                model.reconstruct(trainNormal), model.reconstruct(validation), model.reconstruct(heldOut)
            };
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<ErrorMetric, Scores> scores = new EnumMap<>(ErrorMetric.class);
        for (ErrorMetric metric : metrics) {
            scores.put(
                    metric,
                    new Scores(
                            errors(metric, scaler, trainNormal, reconstructions[0]),
                            errors(metric, scaler, validation, reconstructions[1]),
                            errors(metric, scaler, heldOut, reconstructions[2])));
        }
        return new Result(scores, part.validation().isAnomaly(), fold.heldOut().isAnomaly(), seconds, cost);
    }

    private static float[] errors(ErrorMetric metric, MinMaxScaler scaler, float[][] scaled, float[][] reconstructed) {
        float[] errors = new float[scaled.length];
        for (int i = 0; i < scaled.length; i++) {
            errors[i] = metric.score(scaler, scaled[i], reconstructed[i], 0);
        }
        return errors;
    }
}
