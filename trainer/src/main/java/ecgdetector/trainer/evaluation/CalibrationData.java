package ecgdetector.trainer.evaluation;

import java.util.Optional;

/**
 * What a {@link ThresholdPolicy} may look at: reconstruction errors of the normal <em>training</em>
 * beats and, optionally, scored and labelled <em>validation</em> beats.
 *
 * <p>There is deliberately no slot for the test set: a threshold tuned on the beats it is then
 * evaluated on reports optimistic metrics.
 */
public final class CalibrationData {

    private final float[] normalTrainingErrors;
    private final float[] validationScores;
    private final boolean[] validationIsAnomaly;

    private CalibrationData(float[] normalTrainingErrors, float[] validationScores, boolean[] validationIsAnomaly) {
        this.normalTrainingErrors = normalTrainingErrors;
        this.validationScores = validationScores;
        this.validationIsAnomaly = validationIsAnomaly;
    }

    /** Enough for {@link ThresholdPolicy.MeanPlusStd} and {@link ThresholdPolicy.Percentile}. */
    public static CalibrationData of(float[] normalTrainingErrors) {
        Checks.finite(normalTrainingErrors, "normalTrainingErrors");
        return new CalibrationData(normalTrainingErrors.clone(), null, null);
    }

    /** Adds the labelled validation beats that {@link ThresholdPolicy.BestF1} needs. */
    public static CalibrationData of(
            float[] normalTrainingErrors, float[] validationScores, boolean[] validationIsAnomaly) {
        Checks.finite(normalTrainingErrors, "normalTrainingErrors");
        Checks.scoresAndLabels(validationScores, validationIsAnomaly);
        return new CalibrationData(normalTrainingErrors.clone(), validationScores.clone(), validationIsAnomaly.clone());
    }

    /** Reconstruction errors of the normal training beats. */
    public float[] normalTrainingErrors() {
        return normalTrainingErrors.clone();
    }

    /** Present only when built with validation beats. */
    public Optional<Validation> validation() {
        return validationScores == null
                ? Optional.empty()
                : Optional.of(new Validation(validationScores.clone(), validationIsAnomaly.clone()));
    }

    /** Scores of the validation beats and whether each is abnormal. */
    public record Validation(float[] scores, boolean[] isAnomaly) {}
}
