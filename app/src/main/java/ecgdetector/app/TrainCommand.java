package ecgdetector.app;

import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseSigningKey;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import ecgdetector.trainer.model.AutoencoderConfig;
import ecgdetector.trainer.model.KerasStyleProgress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        header = "Train the autoencoder, evaluate it, write (and optionally publish) a release.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Fits the heartbeat autoencoder on the normal beats of ECG5000, picks the anomaly" + " threshold,",
            "evaluates on the held-out test beats, draws the plots and writes a versioned release",
            "(SavedModel + scaler + threshold). With --bootstrap-servers it also publishes the" + " release",
            "to the compacted models topic.",
            "",
            "Writes DIR/report.json, DIR/*.png and DIR/release/."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--data",
            paramLabel = "PATH|URL",
            description = "ecg.csv (140 samples + label a line). Default: $ECG_DATA, else the cached "
                    + "download of TensorFlow's copy.")
    String data;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "out/train",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--recipe",
            paramLabel = "NAME",
            defaultValue = "improved",
            description = "improved (150 epochs at batch 64, threshold = best F1 on a validation fold of"
                    + " the training part) or notebook (the Keras notebooks' recipe: 20 epochs"
                    + " at batch 512, threshold = mean + 1 std). Default: ${DEFAULT-VALUE}."
                    + " Flags below override it.")
    String recipe;

    @Option(names = "--seed", description = "Seed for split, weights, shuffling, dropout (default 42).")
    Long seed;

    @Option(names = "--epochs", description = "Passes over the training beats (recipe: 150, notebook 20).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Beats per Adam step (recipe: 64, notebook 512).")
    Integer batchSize;

    @Option(names = "--learning-rate", description = "Adam's learning rate (default 0.001).")
    Double learningRate;

    @Option(names = "--dropout", description = "Dropout after each hidden layer while training.")
    Double dropout;

    @Option(
            names = "--encoder",
            split = ",",
            paramLabel = "UNITS",
            description = "Encoder layer sizes (default 64,32,16,8).")
    List<Integer> encoder;

    @Option(
            names = "--decoder",
            split = ",",
            paramLabel = "UNITS",
            description = "Decoder hidden layer sizes before the 140-wide output (default 16,32,64).")
    List<Integer> decoder;

    @Option(names = "--loss", paramLabel = "msle|mse|mae", description = "Training loss (default msle).")
    AutoencoderConfig.Loss loss;

    @Option(
            names = "--error-metric",
            paramLabel = "msle|mse|mae",
            description = "Per-beat score the threshold applies to.")
    String errorMetric;

    @Option(
            names = "--scaler",
            paramLabel = "per-position|global",
            description = "MinMax per sample position (default) or one min/max for all.")
    String scaler;

    @Option(
            names = "--threshold",
            paramLabel = "POLICY",
            description = "mean+Kstd (e.g. mean+1std), pNN (e.g. p99) or best-f1.")
    String threshold;

    @Option(
            names = "--test-fraction",
            defaultValue = "0.2",
            description = "Share of each class held out for evaluation (default ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(
            names = "--validation-fraction",
            defaultValue = "0.1",
            description = "Share of the training part held out for val_loss and the threshold "
                    + "(default ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(
            names = "--model-name",
            defaultValue = TrainingOptions.DEFAULT_MODEL_NAME,
            description = "Release name, the models topic's key (default ${DEFAULT-VALUE}).")
    String modelName;

    @Option(
            names = "--models-topic",
            defaultValue = ReleaseTopic.DEFAULT_TOPIC,
            description = "Compacted topic for releases (default ${DEFAULT-VALUE}).")
    String modelsTopic;

    @Option(
            names = "--signing-key-file",
            paramLabel = "FILE",
            description = "Sign the release with this key (HMAC-SHA256; the file holds the secret, e.g."
                    + " openssl rand -base64 32); streamers given the same key serve only"
                    + " releases it signed (env: ECG_RELEASE_SIGNING_KEY_FILE).")
    Path signingKeyFile;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        TrainingOptions options = options();
        PrintStream console = System.out;
        // Read before anything slow, so a missing or weak key fails at once.
        Optional<ReleaseSigningKey> signingKey = signingKey();
        signingKey.ifPresent(k -> console.println("Will sign the release with key " + k));
        if (options.kafka().isPresent()) {
            new ReleaseTopic(options.kafka().get(), options.modelsTopic())
                    .checkReachable(java.time.Duration.ofSeconds(15));
            console.println("Will publish to " + options.modelsTopic() + " on " + kafka.bootstrapServers());
        }
        TrainingJob job = new TrainingJob(console, KerasStyleProgress.toStandardOutput());
        TrainingResult result = job.run(options);
        TrainingReport report = result.report();
        ReleaseBundle release = result.release();
        if (signingKey.isPresent()) {
            release = release.signedWith(signingKey.get());
            release.writeTo(options.out().resolve("release"));
            console.println("Signed release "
                    + release.version()
                    + " with key "
                    + signingKey.get().keyId()
                    + " ("
                    + options.out().resolve("release").resolve(ReleaseBundle.SIGNATURE_FILE)
                    + ")");
        }

        if (options.kafka().isPresent()) {
            ReleaseTopic.Published published =
                    new ReleaseTopic(options.kafka().get(), options.modelsTopic()).publish(release);
            report = report.withPublished(new TrainingReport.Published(
                    kafka.bootstrapServers(), published.topic(), published.partition(), published.offset()));
            Files.write(
                    options.out().resolve("report.json"),
                    ecgdetector.schemas.Json.mapper()
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsBytes(report));
        }
        console.println(summary(report, options.out()));
        return 0;
    }

    /** The key from --signing-key-file, else the file $ECG_RELEASE_SIGNING_KEY_FILE names. */
    Optional<ReleaseSigningKey> signingKey() {
        Path file = signingKeyFile;
        if (file == null) {
            String env = System.getenv("ECG_RELEASE_SIGNING_KEY_FILE");
            file = env != null && !env.isBlank() ? Path.of(env) : null;
        }
        return file == null ? Optional.empty() : Optional.of(ReleaseSigningKey.fromFile(file));
    }

    TrainingOptions options() throws java.io.IOException {
        Recipe base = Recipe.fromId(recipe);
        AutoencoderConfig model = base.model();
        if (epochs != null) {
            model = model.withEpochs(epochs);
        }
        if (batchSize != null) {
            model = model.withBatchSize(batchSize);
        }
        if (learningRate != null) {
            model = model.withLearningRate(learningRate);
        }
        if (dropout != null) {
            model = model.withDropout(dropout);
        }
        if (loss != null) {
            model = model.withLoss(loss);
        }
        if (encoder != null || decoder != null) {
            model = model.withLayers(
                    model.inputLength(),
                    encoder != null ? encoder : model.encoderUnits(),
                    decoder != null ? decoder : model.decoderUnits());
        }
        long s = seed != null ? seed : model.seed();
        String scalerKind = scaler != null ? scaler.toLowerCase(Locale.ROOT) : base.scaler();
        if (!scalerKind.equals(MinMaxScaler.PER_POSITION) && !scalerKind.equals(MinMaxScaler.GLOBAL)) {
            throw new IllegalArgumentException("--scaler must be per-position or global, got " + scaler);
        }
        TrainingOptions options = new TrainingOptions(
                Optional.ofNullable(data),
                out,
                s,
                testFraction,
                validationFraction,
                scalerKind,
                model.withSeed(s),
                errorMetric != null ? ErrorMetric.fromId(errorMetric) : base.errorMetric(),
                threshold != null ? ThresholdPolicy.parse(threshold) : base.threshold(),
                modelName,
                base,
                Optional.empty(),
                modelsTopic);
        if (kafka.bootstrapServers() != null) {
            Properties props = kafka.clientProperties();
            options = options.withPublishing(props, modelsTopic);
        }
        return options;
    }

    static String summary(TrainingReport r, Path out) {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(Locale.ROOT, "%nModel %s %s (recipe %s)%n", r.modelName(), r.modelVersion(), r.recipe()));
        s.append(String.format(
                Locale.ROOT,
                "  test beats %d (%d normal): accuracy %.4f  precision %.4f  recall %.4f " + " F1 %.4f  ROC-AUC %.4f%n",
                r.data().test(),
                r.data().testNormal(),
                r.accuracy(),
                r.precision(),
                r.recall(),
                r.f1(),
                r.rocAuc()));
        s.append(String.format(
                Locale.ROOT,
                "  validation beats %d: accuracy %.4f  F1 %.4f  ROC-AUC %.4f (what recipe" + " choices are made on)%n",
                r.data().validation(),
                r.validation().accuracy(),
                r.validation().f1(),
                r.validation().rocAuc()));
        s.append(String.format(
                Locale.ROOT,
                "  confusion (anomaly = positive): tp %d  fp %d  tn %d  fn %d%n",
                r.confusion().tp(),
                r.confusion().fp(),
                r.confusion().tn(),
                r.confusion().fn()));
        s.append(String.format(
                Locale.ROOT, "  threshold %.6f %s (%s)%n", r.threshold(), r.errorMetric(), r.thresholdPolicy()));
        s.append(String.format(Locale.ROOT, "  %.2f s for training, evaluation and plots%n", r.trainSeconds()));
        s.append("  report ")
                .append(out.resolve("report.json"))
                .append(", plots ")
                .append(out.resolve("*.png"))
                .append(", release ")
                .append(out.resolve("release"))
                .append(System.lineSeparator());
        if (r.published() != null) {
            s.append(String.format(
                    Locale.ROOT,
                    "  published version %s to %s (partition %d, offset %d) on %s%n",
                    r.modelVersion(),
                    r.published().topic(),
                    r.published().partition(),
                    r.published().offset(),
                    r.published().bootstrapServers()));
        }
        return s.toString();
    }
}
