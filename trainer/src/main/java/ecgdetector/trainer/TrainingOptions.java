package ecgdetector.trainer;

import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import ecgdetector.trainer.model.AutoencoderConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Everything a training run needs, already resolved from a recipe and its overrides.
 *
 * @param data path or URL of ecg.csv; empty = {@code ECG_DATA}, then the cache/download
 * @param out folder for report.json, plots and release/
 * @param seed split, weight initialisation, shuffling and dropout all derive from it
 * @param testFraction share of each class held out for the final evaluation only
 * @param validationFraction share of the training part held out for val_loss and threshold policies
 * @param scaler {@code per-position} or {@code global}
 * @param model the network and optimiser settings
 * @param errorMetric per-beat score the threshold applies to
 * @param threshold how the threshold is chosen
 * @param modelName release name, the models topic's record key
 * @param recipe the recipe these settings started from, recorded in the release
 * @param kafka client properties for publishing; empty = do not publish
 * @param modelsTopic the compacted topic releases go to
 */
public record TrainingOptions(
        Optional<String> data,
        Path out,
        long seed,
        double testFraction,
        double validationFraction,
        String scaler,
        AutoencoderConfig model,
        ErrorMetric errorMetric,
        ThresholdPolicy threshold,
        String modelName,
        Recipe recipe,
        Optional<Properties> kafka,
        String modelsTopic) {

    public static final String DEFAULT_MODEL_NAME = "ecg-autoencoder";

    public TrainingOptions {
        Objects.requireNonNull(out, "out");
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be between 0 and 1, got " + testFraction);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException(
                    "validation fraction must be between 0 and 1, got " + validationFraction);
        }
        if (!modelName.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException(
                    "model name '" + modelName + "' must be 1-100 letters, digits, '.', '_' or '-'");
        }
    }

    /** The recipe's settings with the project's defaults for everything else. */
    public static TrainingOptions of(Recipe recipe, Optional<String> data, Path out) {
        return new TrainingOptions(
                data,
                out,
                recipe.model().seed(),
                0.2,
                0.1,
                recipe.scaler(),
                recipe.model(),
                recipe.errorMetric(),
                recipe.threshold(),
                DEFAULT_MODEL_NAME,
                recipe,
                Optional.empty(),
                "ecg.models");
    }

    public TrainingOptions withModel(AutoencoderConfig newModel) {
        return new TrainingOptions(
                data,
                out,
                seed,
                testFraction,
                validationFraction,
                scaler,
                newModel,
                errorMetric,
                threshold,
                modelName,
                recipe,
                kafka,
                modelsTopic);
    }

    public TrainingOptions withSeed(long newSeed) {
        return new TrainingOptions(
                data,
                out,
                newSeed,
                testFraction,
                validationFraction,
                scaler,
                model.withSeed(newSeed),
                errorMetric,
                threshold,
                modelName,
                recipe,
                kafka,
                modelsTopic);
    }

    public TrainingOptions withThreshold(ThresholdPolicy newThreshold) {
        return new TrainingOptions(
                data,
                out,
                seed,
                testFraction,
                validationFraction,
                scaler,
                model,
                errorMetric,
                newThreshold,
                modelName,
                recipe,
                kafka,
                modelsTopic);
    }

    public TrainingOptions withPublishing(Properties clientProperties, String topic) {
        return new TrainingOptions(
                data,
                out,
                seed,
                testFraction,
                validationFraction,
                scaler,
                model,
                errorMetric,
                threshold,
                modelName,
                recipe,
                Optional.of(clientProperties),
                topic);
    }
}
