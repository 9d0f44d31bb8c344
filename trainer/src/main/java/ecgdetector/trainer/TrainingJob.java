package ecgdetector.trainer;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.trainer.data.DataFormatException;
import ecgdetector.trainer.data.DataSource;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.evaluation.BinaryMetrics;
import ecgdetector.trainer.evaluation.CalibrationData;
import ecgdetector.trainer.evaluation.Plots;
import ecgdetector.trainer.evaluation.RocCurve;
import ecgdetector.trainer.model.AutoencoderConfig;
import ecgdetector.trainer.model.AutoencoderTrainer;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.model.EpochStats;
import ecgdetector.trainer.model.TrainedAutoencoder;
import ecgdetector.trainer.release.ReleaseFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One training run, start to end: data -> split -> scaler -> autoencoder -> threshold -> evaluation
 * -> plots -> release. Every score here comes from the exported release run through DJL, the same
 * code the streamer scores with, so the threshold and the test figures are in exactly the units
 * live scores are.
 *
 * <p>All output is written to a staging folder and moved into {@code out} only when the run
 * succeeded, so a failed run leaves no half-written release behind.
 */
public final class TrainingJob {

    static final String REPORT = "report.json";
    static final String RELEASE = "release";

    /** Beats per engine call while scoring offline; any size gives the same scores. */
    private static final int SCORING_BATCH = 1024;

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final PrintStream console;
    private final EpochListener progress;

    public TrainingJob(PrintStream console, EpochListener progress) {
        this.console = console;
        this.progress = progress;
    }

    public TrainingResult run(TrainingOptions options)
            throws IOException, DataFormatException, InvalidReleaseException {
        Path file = DataSource.standard(console::println).resolve(options.data());
        return run(options, EcgCsv.read(file));
    }

    public TrainingResult run(TrainingOptions options, EcgDataset dataset) throws IOException, InvalidReleaseException {
        Stopwatch clock = new Stopwatch();

        StratifiedSplit.Parts trainTest =
                StratifiedSplit.split(dataset.beats(), options.testFraction(), options.seed());
        // A fold of the training part stands in for unseen data wherever a choice is made, so the
        // test part is looked at exactly once, for the final figures.
        StratifiedSplit.Parts trainValidation =
                StratifiedSplit.split(trainTest.kept(), options.validationFraction(), options.seed() + 1);
        Heartbeats trainNormal = trainValidation.kept().onlyNormal();
        Heartbeats validation = trainValidation.heldOut();
        Heartbeats test = trainTest.heldOut();
        if (trainNormal.size() == 0 || test.countNormal() == 0 || test.countNormal() == test.size()) {
            throw new IllegalArgumentException("the data needs normal and abnormal beats in both parts, got "
                    + dataset.beats()
                    + " split into "
                    + trainNormal.size()
                    + " normal training beats and test "
                    + test);
        }

        console.printf(
                java.util.Locale.ROOT,
                "Data %s: %d beats. Training on %d normal beats, validating on %d, testing on %d"
                        + " (%s recipe, seed %d)%n",
                dataset.source(),
                dataset.beats().size(),
                trainNormal.size(),
                validation.size(),
                test.size(),
                options.recipe().id(),
                options.seed());
        MinMaxScaler scaler = MinMaxScaler.PER_POSITION.equals(options.scaler())
                ? MinMaxScaler.fitPerPosition(trainNormal.beats())
                : MinMaxScaler.fitGlobal(trainNormal.beats());
        clock.lap("data");

        Path staging =
                Files.createTempDirectory(Files.createDirectories(options.out().toAbsolutePath()), ".staging-");
        try {
            AutoencoderConfig config = options.model().withSeed(options.seed());
            List<EpochStats> history;
            Path savedModel = Files.createTempDirectory(staging, "model-").resolve("saved_model");
            try (TrainedAutoencoder autoencoder = new AutoencoderTrainer()
                    .train(
                            scaler.transformAll(trainNormal.beats()),
                            scaler.transformAll(validation.onlyNormal().beats()),
                            config,
                            progress)) {
                history = autoencoder.history();
                autoencoder.exportSavedModel(savedModel);
            }
            clock.lap("train");

            // The threshold is part of the sealed manifest, but it is chosen from scores of this
            // very model: score with a provisional release first, then seal the final one around
            // the same files.
            ReleaseManifest provisional =
                    manifest(options, dataset, scaler, Double.MAX_VALUE, Map.of(), savedModel, Instant.now());
            float[] trainErrors;
            float[] validationScores;
            float[] testScores;
            BeatScore[] testDetail;
            try (ReleaseModel model = ReleaseModel.load(ReleaseBundle.seal(provisional, savedModel))) {
                trainErrors = errors(model.scoreAll(trainNormal.beats(), SCORING_BATCH));
                validationScores = errors(model.scoreAll(validation.beats(), SCORING_BATCH));
                testDetail = model.scoreAll(test.beats(), SCORING_BATCH);
                testScores = errors(testDetail);
            }
            double threshold = options.threshold()
                    .threshold(CalibrationData.of(trainErrors, validationScores, validation.isAnomaly()));
            // Validation figures are what recipe choices may be made on; the test figures are for
            // reporting.
            BinaryMetrics validationMetrics =
                    BinaryMetrics.evaluate(validationScores, validation.isAnomaly(), threshold);
            BinaryMetrics metrics = BinaryMetrics.evaluate(testScores, test.isAnomaly(), threshold);
            RocCurve roc = RocCurve.of(testScores, test.isAnomaly());
            clock.lap("evaluate");

            Map<String, String> files = plot(staging, history, test, testScores, testDetail, threshold, roc, scaler);
            clock.lap("plots");

            Map<String, Double> headline = new LinkedHashMap<>();
            headline.put("accuracy", metrics.accuracy());
            headline.put("precision", metrics.precision());
            headline.put("recall", metrics.recall());
            headline.put("f1", metrics.f1());
            headline.put("rocAuc", metrics.rocAuc());
            ReleaseManifest finalManifest = manifest(
                    options, dataset, scaler, threshold, headline, savedModel, Instant.parse(provisional.createdAt()));
            ReleaseBundle release = ReleaseBundle.seal(finalManifest, savedModel);
            release.writeTo(staging.resolve(RELEASE));
            files.put("release", RELEASE);
            clock.lap("release");

            TrainingReport report = new TrainingReport(
                    release.modelName(),
                    release.version(),
                    options.recipe().id(),
                    metrics.accuracy(),
                    metrics.precision(),
                    metrics.recall(),
                    metrics.f1(),
                    metrics.rocAuc(),
                    threshold,
                    options.threshold().describe(),
                    options.errorMetric().id(),
                    new TrainingReport.Confusion(
                            metrics.confusion().tp(),
                            metrics.confusion().fp(),
                            metrics.confusion().tn(),
                            metrics.confusion().fn()),
                    history.size(),
                    history.stream().map(EpochStats::loss).toList(),
                    history.stream().map(EpochStats::valLoss).toList(),
                    history.stream().map(EpochStats::mse).toList(),
                    history.stream().map(EpochStats::valMse).toList(),
                    clock.total(),
                    clock.laps(),
                    new TrainingReport.Data(
                            dataset.source(),
                            dataset.sha256(),
                            dataset.beats().size(),
                            trainNormal.size(),
                            validation.size(),
                            validation.countNormal(),
                            test.size(),
                            test.countNormal()),
                    recipeOf(options),
                    TrainingReport.Figures.of(validationMetrics),
                    files,
                    null);
            Files.write(
                    staging.resolve(REPORT),
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));

            List<String> outputs = new java.util.ArrayList<>(files.values());
            outputs.add(REPORT);
            ReleaseFolder.moveInto(staging, options.out(), outputs, RELEASE);
            return new TrainingResult(report, release, test, testScores);
        } finally {
            ReleaseFolder.deleteRecursively(staging);
        }
    }

    /**
     * The run already in {@code options.out()}, if it was trained from the same data with the same
     * settings: its release and report, with the test beats split off again and scored by the release
     * (the split is a pure function of the data and the seed). Empty if there is none, or it differs.
     */
    public Optional<TrainingResult> reuse(TrainingOptions options, EcgDataset dataset) throws IOException {
        Path release = options.out().resolve(RELEASE);
        Path reportFile = options.out().resolve(REPORT);
        if (!Files.isDirectory(release) || !Files.isRegularFile(reportFile)) {
            return Optional.empty();
        }
        ReleaseBundle bundle;
        try {
            bundle = ReleaseBundle.readFrom(release);
        } catch (InvalidReleaseException e) {
            console.println("Not reusing " + release + ": " + e.getMessage());
            return Optional.empty();
        }
        ReleaseManifest.Provenance provenance = bundle.manifest().provenance();
        // Compared as canonical JSON text: a seed read back is an int where the original is a long.
        boolean sameSettings = Json.canonical()
                .writeValueAsString(recipeOf(options))
                .equals(Json.canonical().writeValueAsString(provenance.recipe()));
        if (!dataset.sha256().equals(provenance.dataSha256())
                || !sameSettings
                || !options.modelName().equals(bundle.modelName())) {
            return Optional.empty();
        }
        TrainingReport report = Json.mapper().readValue(reportFile.toFile(), TrainingReport.class);
        Heartbeats test = StratifiedSplit.split(dataset.beats(), options.testFraction(), options.seed())
                .heldOut();
        try (ReleaseModel model = ReleaseModel.load(bundle)) {
            return Optional.of(
                    new TrainingResult(report, bundle, test, errors(model.scoreAll(test.beats(), SCORING_BATCH))));
        } catch (InvalidReleaseException e) {
            console.println("Not reusing " + release + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private ReleaseManifest manifest(
            TrainingOptions options,
            EcgDataset dataset,
            MinMaxScaler scaler,
            double threshold,
            Map<String, Double> metrics,
            Path savedModel,
            Instant created)
            throws IOException {
        Instant createdAt = created.truncatedTo(ChronoUnit.SECONDS);
        // Fingerprint of the weights alone: saved_model.pb differs byte-wise between identical
        // runs.
        Path variables = savedModel.resolve("variables");
        String weights = ReleaseFolder.contentHash(Files.isDirectory(variables) ? variables : savedModel)
                .substring(0, 8);
        return new ReleaseManifest(
                ReleaseManifest.FORMAT_VERSION,
                options.modelName(),
                VERSION_TIME.format(createdAt) + "-" + weights,
                createdAt.toString(),
                scaler.length(),
                ReleaseManifest.Serving.standard(),
                scaler.params(),
                options.errorMetric().id(),
                threshold,
                options.threshold().describe(),
                new ReleaseManifest.Provenance(
                        dataset.sha256(),
                        dataset.source(),
                        dataset.beats().size(),
                        options.seed(),
                        recipeOf(options),
                        metrics,
                        trainerVersion()),
                null,
                null);
    }

    /** The settings that decide the model, as recorded in the release and the report. */
    static Map<String, Object> recipeOf(TrainingOptions o) {
        AutoencoderConfig m = o.model();
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("recipe", o.recipe().id());
        recipe.put("scaler", o.scaler());
        recipe.put("encoderUnits", m.encoderUnits());
        recipe.put("decoderUnits", m.decoderUnits());
        recipe.put("dropout", m.dropout());
        recipe.put("loss", m.loss().name().toLowerCase(java.util.Locale.ROOT));
        recipe.put("optimizer", "adam");
        recipe.put("learningRate", m.learningRate());
        recipe.put("epochs", m.epochs());
        recipe.put("batchSize", m.batchSize());
        recipe.put("errorMetric", o.errorMetric().id());
        recipe.put("thresholdPolicy", o.threshold().describe());
        recipe.put("testFraction", o.testFraction());
        recipe.put("validationFraction", o.validationFraction());
        recipe.put("seed", o.seed());
        return recipe;
    }

    private Map<String, String> plot(
            Path dir,
            List<EpochStats> history,
            Heartbeats test,
            float[] testScores,
            BeatScore[] detail,
            double threshold,
            RocCurve roc,
            MinMaxScaler scaler)
            throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        Plots.lossCurve(
                history.stream().map(EpochStats::loss).toList(),
                history.stream().map(EpochStats::valLoss).toList(),
                dir.resolve("loss.png"));
        files.put("loss", "loss.png");

        int normals = test.countNormal();
        float[] normalErrors = new float[normals];
        float[] anomalyErrors = new float[test.size() - normals];
        int firstNormal = -1;
        int firstAnomaly = -1;
        for (int i = 0, n = 0, a = 0; i < test.size(); i++) {
            if (test.normal()[i]) {
                normalErrors[n++] = testScores[i];
                firstNormal = firstNormal < 0 ? i : firstNormal;
            } else {
                anomalyErrors[a++] = testScores[i];
                firstAnomaly = firstAnomaly < 0 ? i : firstAnomaly;
            }
        }
        Plots.errorHistogram(normalErrors, anomalyErrors, threshold, dir.resolve("error-histogram.png"));
        files.put("errorHistogram", "error-histogram.png");
        Plots.roc(roc, dir.resolve("roc.png"));
        files.put("roc", "roc.png");
        plotBeat("Normal", firstNormal, test, detail, threshold, scaler, dir);
        files.put("reconstructionNormal", "reconstruction-normal.png");
        plotBeat("Abnormal", firstAnomaly, test, detail, threshold, scaler, dir);
        files.put("reconstructionAnomaly", "reconstruction-anomaly.png");
        return files;
    }

    /** One test beat against its reconstruction, in the scaled units the model sees. */
    private static void plotBeat(
            String kind, int row, Heartbeats test, BeatScore[] detail, double threshold, MinMaxScaler scaler, Path dir)
            throws IOException {
        String file = kind.equals("Normal") ? "reconstruction-normal.png" : "reconstruction-anomaly.png";
        Plots.reconstruction(
                scaler.transform(test.beats()[row]),
                detail[row].reconstruction(),
                String.format(
                        java.util.Locale.ROOT,
                        "%s test beat: error %.5f (threshold %.5f)",
                        kind,
                        detail[row].error(),
                        threshold),
                dir.resolve(file));
    }

    private static float[] errors(BeatScore[] scores) {
        float[] errors = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            errors[i] = scores[i].error();
        }
        return errors;
    }

    static String trainerVersion() {
        String v = TrainingJob.class.getPackage().getImplementationVersion();
        return "ecg-detector " + (v != null ? v : "dev");
    }

    /** Wall time per stage, for report.json's trainSeconds and stageSeconds. */
    private static final class Stopwatch {
        private final long start = System.nanoTime();
        private long last = start;
        private final Map<String, Double> laps = new LinkedHashMap<>();

        void lap(String stage) {
            long now = System.nanoTime();
            laps.put(stage, (now - last) / 1e9);
            last = now;
        }

        double total() {
            return (last - start) / 1e9;
        }

        Map<String, Double> laps() {
            return laps;
        }
    }
}
