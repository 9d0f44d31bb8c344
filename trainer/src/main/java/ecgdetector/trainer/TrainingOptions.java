package ecgdetector.trainer;

import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.schemas.ModelName;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import ecgdetector.trainer.model.AutoencoderConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a training run needs, already resolved from a recipe and its overrides
 * ({@link TrainingSettings#resolve}); each field's meaning and default is declared there.
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
        Recipe recipe) {

    public TrainingOptions {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        StratifiedSplit.FRACTION.require("test fraction", testFraction);
        StratifiedSplit.FRACTION.require("validation fraction", validationFraction);
        ModelName.require(modelName);
    }

    /** The recipe's settings with the defaults for everything else. */
    public static TrainingOptions of(Recipe recipe, Optional<String> data, Path out) {
        return TrainingSettings.resolve(new TrainingSettings.Given()
                .set(TrainingSettings.RECIPE, recipe)
                .set(TrainingSettings.DATA, data)
                .set(TrainingSettings.OUT, out));
    }

    /** The same run writing to another folder. */
    public TrainingOptions withOut(Path newOut) {
        return new TrainingOptions(
                data,
                newOut,
                seed,
                testFraction,
                validationFraction,
                scaler,
                model,
                errorMetric,
                threshold,
                modelName,
                recipe);
    }

    /** The same run with another seed, for the split, the weights and everything else random. */
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
                recipe);
    }
}
