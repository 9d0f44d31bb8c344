package ecgdetector.trainer;

import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.ModelName;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import ecgdetector.trainer.model.AutoencoderConfig;
import ecgdetector.trainer.model.AutoencoderTrainer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting of a training run, each declared once: type and range, meaning, default under each recipe.
 * {@code ./ecg train}'s options, its help and the docs' settings table are made from {@link #ALL}, and
 * {@link #resolve} turns the values given into a run.
 */
public final class TrainingSettings {

    public static final TrainingSetting<Optional<String>> DATA = new TrainingSetting<>(
            "data",
            SettingType.text(
                    "PATH|URL",
                    "a path or URL",
                    Optional::of,
                    data -> data.orElse("$ECG_DATA, else the cached download of TensorFlow's copy")),
            "ecg.csv: 140 samples then the label (1 = normal) a line",
            r -> Optional.empty(),
            TrainingOptions::data,
            null);

    public static final TrainingSetting<Path> OUT = new TrainingSetting<>(
            "out",
            SettingType.text("DIR", "a folder", Path::of, Path::toString),
            "Where report.json, the plots and release/ are written",
            r -> Path.of("out", "train"),
            TrainingOptions::out,
            null);

    public static final TrainingSetting<Recipe> RECIPE = new TrainingSetting<>(
            "recipe",
            SettingType.choice(List.of(Recipe.values()), Recipe::id),
            "Where every other setting's default comes from; each option given overrides its own",
            r -> Recipe.DEFAULT,
            TrainingOptions::recipe,
            "recipe");

    public static final TrainingSetting<Long> SEED = new TrainingSetting<>(
            "seed",
            SettingType.seed(),
            "Seed for the split, the initial weights, shuffling and dropout",
            r -> r.model().seed(),
            TrainingOptions::seed,
            "seed");

    public static final TrainingSetting<Integer> EPOCHS = new TrainingSetting<>(
            "epochs",
            SettingType.count(AutoencoderConfig.COUNT),
            "Passes over the training beats",
            r -> r.model().epochs(),
            o -> o.model().epochs(),
            "epochs");

    public static final TrainingSetting<Integer> BATCH_SIZE = new TrainingSetting<>(
            "batch-size",
            SettingType.count(AutoencoderConfig.COUNT),
            "Beats per Adam step",
            r -> r.model().batchSize(),
            o -> o.model().batchSize(),
            "batchSize");

    public static final TrainingSetting<Double> LEARNING_RATE = new TrainingSetting<>(
            "learning-rate",
            SettingType.decimal("RATE", AutoencoderConfig.STEP),
            "Adam's learning rate",
            r -> r.model().learningRate(),
            o -> o.model().learningRate(),
            "learningRate");

    public static final TrainingSetting<Double> DROPOUT = new TrainingSetting<>(
            "dropout",
            SettingType.decimal("RATE", AutoencoderConfig.RATE),
            "Share of hidden activations dropped after each hidden layer while training",
            r -> r.model().dropout(),
            o -> o.model().dropout(),
            "dropout");

    public static final TrainingSetting<List<Integer>> ENCODER = new TrainingSetting<>(
            "encoder",
            SettingType.units(AutoencoderConfig.COUNT),
            "Encoder layer widths, down to the bottleneck",
            r -> r.model().encoderUnits(),
            o -> o.model().encoderUnits(),
            "encoderUnits");

    public static final TrainingSetting<List<Integer>> DECODER = new TrainingSetting<>(
            "decoder",
            SettingType.units(AutoencoderConfig.COUNT),
            "Decoder hidden layer widths, before the output layer as wide as a beat; empty for none",
            r -> r.model().decoderUnits(),
            o -> o.model().decoderUnits(),
            "decoderUnits");

    public static final TrainingSetting<Double> NOISE = new TrainingSetting<>(
            "noise",
            SettingType.decimal("SD", AutoencoderConfig.SPREAD),
            "Standard deviation of Gaussian noise added to every scaled sample while training, the target"
                    + " staying the clean beat (denoising); 0 for none",
            r -> r.model().noise(),
            o -> o.model().noise(),
            "noise",
            0.0);

    public static final TrainingSetting<Integer> ENSEMBLE = new TrainingSetting<>(
            "ensemble",
            SettingType.count(AutoencoderConfig.COUNT),
            "Autoencoders trained with consecutive seeds, their reconstructions averaged in the one served graph",
            r -> r.model().members(),
            o -> o.model().members(),
            "ensemble",
            1);

    public static final TrainingSetting<AutoencoderConfig.Loss> LOSS = new TrainingSetting<>(
            "loss",
            SettingType.choice(List.of(AutoencoderConfig.Loss.values()), AutoencoderConfig.Loss::id),
            "Training loss, with Keras' definitions",
            r -> r.model().loss(),
            o -> o.model().loss(),
            "loss");

    public static final TrainingSetting<ErrorMetric> ERROR_METRIC = new TrainingSetting<>(
            "error-metric",
            SettingType.choice(List.of(ErrorMetric.values()), ErrorMetric::id),
            "Per-beat score the threshold applies to",
            Recipe::errorMetric,
            TrainingOptions::errorMetric,
            "errorMetric");

    public static final TrainingSetting<String> SCALER = new TrainingSetting<>(
            "scaler",
            SettingType.choice(List.of(MinMaxScaler.PER_POSITION, MinMaxScaler.GLOBAL), kind -> kind),
            "MinMax scaling: a min and max per sample position, or one for all positions",
            Recipe::scaler,
            TrainingOptions::scaler,
            "scaler");

    public static final TrainingSetting<ThresholdPolicy> THRESHOLD = new TrainingSetting<>(
            "threshold",
            SettingType.text("POLICY", ThresholdPolicy.FORMS, ThresholdPolicy::parse, ThresholdPolicy::describe),
            "How the anomaly threshold is chosen, from training and validation beats only",
            Recipe::threshold,
            TrainingOptions::threshold,
            "thresholdPolicy");

    public static final TrainingSetting<Double> TEST_FRACTION = new TrainingSetting<>(
            "test-fraction",
            SettingType.decimal("SHARE", StratifiedSplit.FRACTION),
            "Share of each class held out for the final evaluation, looked at for nothing else",
            r -> 0.2,
            TrainingOptions::testFraction,
            "testFraction");

    public static final TrainingSetting<Double> VALIDATION_FRACTION = new TrainingSetting<>(
            "validation-fraction",
            SettingType.decimal("SHARE", StratifiedSplit.FRACTION),
            "Share of the training part held out for val_loss and the threshold",
            Recipe::validationFraction,
            TrainingOptions::validationFraction,
            "validationFraction");

    public static final TrainingSetting<String> MODEL_NAME = new TrainingSetting<>(
            "model-name",
            SettingType.text("NAME", "a model name", ModelName::require, name -> name),
            "Release name, the models topic's record key",
            r -> ModelName.DEFAULT,
            TrainingOptions::modelName,
            null);

    /** In the order the help and the docs list them. */
    public static final List<TrainingSetting<?>> ALL = List.of(
            DATA,
            OUT,
            RECIPE,
            SEED,
            EPOCHS,
            BATCH_SIZE,
            LEARNING_RATE,
            DROPOUT,
            ENCODER,
            DECODER,
            NOISE,
            ENSEMBLE,
            LOSS,
            ERROR_METRIC,
            SCALER,
            THRESHOLD,
            TEST_FRACTION,
            VALIDATION_FRACTION,
            MODEL_NAME);

    /**
     * The settings a model-selection grid may vary: every one that decides the model. The data, the
     * output folder, the seed, the test share and the name come from the selection run itself, and the
     * recipe is what a selection produces.
     */
    public static final List<TrainingSetting<?>> SELECTABLE = ALL.stream()
            .filter(s ->
                    !List.of(DATA, OUT, RECIPE, SEED, TEST_FRACTION, MODEL_NAME).contains(s))
            .toList();

    /**
     * The settings that change how a trained network's reconstructions are scored and thresholded, not the
     * network: a selection tries each of their values on the same trained models.
     */
    public static final List<TrainingSetting<?>> SCORING = List.of(ERROR_METRIC, THRESHOLD);

    private TrainingSettings() {}

    /**
     * The setting called {@code name} (its option without the dashes).
     *
     * @throws IllegalArgumentException naming the settings there are
     */
    public static TrainingSetting<?> named(String name) {
        return ALL.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown setting '" + name + "'; the settings are "
                        + String.join(
                                ", ", ALL.stream().map(TrainingSetting::name).toList())));
    }

    /**
     * The run the given values describe: each setting not given takes its default under the recipe given
     * (or the default recipe).
     *
     * @throws IllegalArgumentException if the values do not make a valid run together
     */
    public static TrainingOptions resolve(Given given) {
        Recipe recipe = given.valueOf(RECIPE, Recipe.DEFAULT);
        long seed = given.valueOf(SEED, recipe);
        AutoencoderConfig model = recipe.model()
                .withEpochs(given.valueOf(EPOCHS, recipe))
                .withBatchSize(given.valueOf(BATCH_SIZE, recipe))
                .withLearningRate(given.valueOf(LEARNING_RATE, recipe))
                .withDropout(given.valueOf(DROPOUT, recipe))
                .withLoss(given.valueOf(LOSS, recipe))
                .withNoise(given.valueOf(NOISE, recipe))
                .withMembers(given.valueOf(ENSEMBLE, recipe))
                .withLayers(
                        recipe.model().inputLength(), given.valueOf(ENCODER, recipe), given.valueOf(DECODER, recipe))
                .withSeed(seed);
        return new TrainingOptions(
                given.valueOf(DATA, recipe),
                given.valueOf(OUT, recipe),
                seed,
                given.valueOf(TEST_FRACTION, recipe),
                given.valueOf(VALIDATION_FRACTION, recipe),
                given.valueOf(SCALER, recipe),
                model,
                given.valueOf(ERROR_METRIC, recipe),
                given.valueOf(THRESHOLD, recipe),
                given.valueOf(MODEL_NAME, recipe),
                recipe);
    }

    /** The settings that decide the model, as a release's provenance and report.json record them. */
    public static Map<String, Object> recorded(TrainingOptions options) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        ALL.forEach(setting -> setting.record(options, provenance));
        provenance.put("optimizer", AutoencoderTrainer.OPTIMIZER);
        return provenance;
    }

    /** Values given for some settings, instead of the recipe's. */
    public static final class Given {

        private final Map<TrainingSetting<?>, Object> values = new HashMap<>();

        public <T> Given set(TrainingSetting<T> setting, T value) {
            values.put(setting, Objects.requireNonNull(value, setting.flag()));
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option and what it accepts
         */
        public Given parse(TrainingSetting<?> setting, String text) {
            values.put(setting, setting.parse(text));
            return this;
        }

        /** The value given for {@code setting}, else its default under {@code recipe}. */
        public <T> T valueOf(TrainingSetting<T> setting, Recipe recipe) {
            // set() and parse() only ever store a T under a TrainingSetting<T>.
            @SuppressWarnings("unchecked")
            T value = (T) values.get(setting);
            return value != null ? value : setting.defaultFor(recipe);
        }
    }
}
