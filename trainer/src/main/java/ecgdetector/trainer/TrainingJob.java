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
import ecgdetector.trainer.evaluation.RocCurve;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One training run, start to end: data -> stratified split -> scaler -> training -> threshold -> evaluation
 * -> plots -> release -> report, one method each. Every score here comes from the exported release run
 * through DJL, the same code the streamer scores with, so the threshold and the test figures are in
 * exactly the units live scores are.
 *
 * <p>All output is written to a staging folder and moved into {@code out} only when the run succeeded, so
 * a failed run leaves no half-written release behind.
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

    /** A run on {@code dataset}, split into training and test parts by the run's seed. */
    public TrainingResult run(TrainingOptions options, EcgDataset dataset) throws IOException, InvalidReleaseException {
        StratifiedSplit.Parts trainTest =
                StratifiedSplit.split(dataset.beats(), options.testFraction(), options.seed());
        return run(options, dataset, trainTest.kept(), trainTest.heldOut());
    }

    /**
     * A run on a split made elsewhere (UCR's official one): trained and calibrated on {@code training}, its
     * figures from {@code test}, which nothing else looks at.
     *
     * @param dataset where the beats came from, as the release's provenance records it
     */
    public TrainingResult run(TrainingOptions options, EcgDataset dataset, Heartbeats training, Heartbeats test)
            throws IOException, InvalidReleaseException {
        Stopwatch clock = new Stopwatch();
        // A fold of the training part stands in for unseen data wherever a choice is made, so the
        // test part is looked at exactly once, for the final figures.
        Split split = new Split(TrainingPart.of(training, options.validationFraction(), options.seed()), test);
        announce(dataset, split, options);
        MinMaxScaler scaler = split.part().fitScaler(options.scaler());
        clock.lap("data");

        Path staging =
                Files.createTempDirectory(Files.createDirectories(options.out().toAbsolutePath()), ".staging-");
        try {
            Fitted fitted = train(options, split, scaler, staging);
            clock.lap("train");
            Sealer sealer = new Sealer(options, dataset, scaler, fitted);
            Scores scores = score(sealer, split);
            double threshold = threshold(options, scores, split);
            Evaluation evaluation = evaluate(scores, split, threshold);
            clock.lap("evaluate");
            Map<String, String> files = TrainingPlots.draw(
                    staging,
                    fitted.curves(),
                    split.test(),
                    scores.testDetail(),
                    evaluation.threshold(),
                    evaluation.roc(),
                    scaler);
            clock.lap("plots");
            ReleaseBundle release = release(sealer, evaluation, staging);
            files.put("release", RELEASE);
            clock.lap("release");
            TrainingReport report = report(options, dataset, split, fitted, evaluation, release, clock, files);
            writeOutputs(staging, report, files, options.out());
            return new TrainingResult(report, release, split.test(), scores.test());
        } finally {
            ReleaseFolder.deleteRecursively(staging);
        }
    }

    /**
     * The run already in {@code options.out()}, if it was trained from the same data with the same
     * settings: its release and report, with the test beats split off again and scored by the release (the split
     * is a pure function of the data and the seed). Empty if there is none, or it
     * differs.
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
        if (!trainedWith(bundle, options, dataset)) {
            return Optional.empty();
        }
        TrainingReport report = Json.mapper().readValue(reportFile.toFile(), TrainingReport.class);
        StratifiedSplit.Parts trainTest =
                StratifiedSplit.split(dataset.beats(), options.testFraction(), options.seed());
        Heartbeats test = trainTest.heldOut();
        try (ReleaseModel model = ReleaseModel.load(bundle)) {
            return Optional.of(
                    new TrainingResult(report, bundle, test, errors(model.scoreAll(test.beats(), SCORING_BATCH))));
        } catch (InvalidReleaseException e) {
            console.println("Not reusing " + release + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    // --- the stages, in the order a run goes through them ---

    private void announce(EcgDataset dataset, Split split, TrainingOptions options) {
        Heartbeats test = split.test();
        if (split.trainNormal().size() == 0 || test.countNormal() == 0 || test.countNormal() == test.size()) {
            throw new IllegalArgumentException("the data needs normal and abnormal beats in both parts, got "
                    + dataset.beats()
                    + " split into "
                    + split.trainNormal().size()
                    + " normal training beats and test "
                    + test);
        }
        console.printf(
                Locale.ROOT,
                "Data %s: %d beats. Training on %d normal beats, validating on %d, testing on %d"
                        + " (%s recipe, seed %d)%n",
                dataset.source(),
                dataset.beats().size(),
                split.trainNormal().size(),
                split.validation().size(),
                test.size(),
                options.recipe().id(),
                options.seed());
    }

    private Fitted train(TrainingOptions options, Split split, MinMaxScaler scaler, Path staging) throws IOException {
        Path savedModel = Files.createTempDirectory(staging, "model-").resolve("saved_model");
        try (TrainedAutoencoder autoencoder = split.part().train(options, scaler, progress)) {
            List<EpochStats> history = autoencoder.history();
            autoencoder.exportSavedModel(savedModel);
            return new Fitted(TrainingReport.LearningCurves.of(history), savedModel, Instant.now());
        }
    }

    /**
     * Every part scored by the release itself. The threshold is part of the sealed manifest, but it is
     * chosen from scores of this very model: score with a provisional release first, then seal the final
     * one around the same files.
     */
    private static Scores score(Sealer sealer, Split split) throws IOException, InvalidReleaseException {
        try (ReleaseModel model = ReleaseModel.load(sealer.seal(Double.MAX_VALUE, Map.of()))) {
            float[] trainNormal = errors(model.scoreAll(split.trainNormal().beats(), SCORING_BATCH));
            float[] validation = errors(model.scoreAll(split.validation().beats(), SCORING_BATCH));
            BeatScore[] testDetail = model.scoreAll(split.test().beats(), SCORING_BATCH);
            return new Scores(trainNormal, validation, testDetail, errors(testDetail));
        }
    }

    /** Chosen on the training part (its normal beats' errors, the validation fold), never the test part. */
    private static double threshold(TrainingOptions options, Scores scores, Split split) {
        return options.threshold()
                .threshold(CalibrationData.of(
                        scores.trainNormal(),
                        scores.validation(),
                        split.validation().isAnomaly()));
    }

    /**
     * Validation figures are what recipe choices may be made on; the test figures are for reporting.
     */
    private static Evaluation evaluate(Scores scores, Split split, double threshold) {
        return new Evaluation(
                threshold,
                BinaryMetrics.evaluate(scores.validation(), split.validation().isAnomaly(), threshold),
                BinaryMetrics.evaluate(scores.test(), split.test().isAnomaly(), threshold),
                RocCurve.of(scores.test(), split.test().isAnomaly()));
    }

    /** The final release: the threshold and the test figures sealed into it, written to the staging folder. */
    private static ReleaseBundle release(Sealer sealer, Evaluation evaluation, Path staging) throws IOException {
        BinaryMetrics test = evaluation.test();
        Map<String, Double> headline = new LinkedHashMap<>();
        headline.put("accuracy", test.accuracy());
        headline.put("precision", test.precision());
        headline.put("recall", test.recall());
        headline.put("f1", test.f1());
        headline.put("rocAuc", test.rocAuc());
        ReleaseBundle release = sealer.seal(evaluation.threshold(), headline);
        release.writeTo(staging.resolve(RELEASE));
        return release;
    }

    private static TrainingReport report(
            TrainingOptions options,
            EcgDataset dataset,
            Split split,
            Fitted fitted,
            Evaluation evaluation,
            ReleaseBundle release,
            Stopwatch clock,
            Map<String, String> files) {
        return new TrainingReport(
                new TrainingReport.Model(
                        release.modelName(), release.version(), options.recipe().id()),
                TrainingReport.Figures.of(evaluation.test()),
                new TrainingReport.AnomalyRule(
                        evaluation.threshold(),
                        options.threshold().describe(),
                        options.errorMetric().id()),
                TrainingReport.Confusion.of(evaluation.test().confusion()),
                fitted.curves(),
                clock.timings(),
                split.counts(dataset),
                TrainingSettings.recorded(options),
                TrainingReport.Figures.of(evaluation.validation()),
                files,
                null);
    }

    private static void writeOutputs(Path staging, TrainingReport report, Map<String, String> files, Path out)
            throws IOException {
        Files.write(
                staging.resolve(REPORT),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        List<String> outputs = new ArrayList<>(files.values());
        outputs.add(REPORT);
        ReleaseFolder.moveInto(staging, out, outputs, RELEASE);
    }

    // --- what the stages hand on ---

    /** The beats the model is fitted on, the fold choices are made on, and the part it is reported on. */
    private record Split(TrainingPart part, Heartbeats test) {
        Heartbeats trainNormal() {
            return part.trainNormal();
        }

        Heartbeats validation() {
            return part.validation();
        }

        TrainingReport.Data counts(EcgDataset dataset) {
            return new TrainingReport.Data(
                    dataset.source(),
                    dataset.sha256(),
                    dataset.beats().size(),
                    trainNormal().size(),
                    validation().size(),
                    validation().countNormal(),
                    test.size(),
                    test.countNormal());
        }
    }

    /** The trained network as a SavedModel, its learning curves and when it was made. */
    private record Fitted(TrainingReport.LearningCurves curves, Path savedModel, Instant createdAt) {}

    /** Reconstruction errors per part; the test part's with its reconstructions, for the plots. */
    private record Scores(float[] trainNormal, float[] validation, BeatScore[] testDetail, float[] test) {}

    private record Evaluation(double threshold, BinaryMetrics validation, BinaryMetrics test, RocCurve roc) {}

    /** Seals releases of one fitted model, which differ only in the threshold and figures they carry. */
    private record Sealer(TrainingOptions options, EcgDataset dataset, MinMaxScaler scaler, Fitted fitted) {

        ReleaseBundle seal(double threshold, Map<String, Double> metrics) throws IOException {
            return ReleaseBundle.seal(manifest(threshold, metrics), fitted.savedModel());
        }

        private ReleaseManifest manifest(double threshold, Map<String, Double> metrics) throws IOException {
            Instant createdAt = fitted.createdAt().truncatedTo(ChronoUnit.SECONDS);
            return new ReleaseManifest(
                    ReleaseManifest.FORMAT_VERSION,
                    options.modelName(),
                    VERSION_TIME.format(createdAt) + "-" + weightsFingerprint(fitted.savedModel()),
                    createdAt.toString(),
                    scaler.length(),
                    ReleaseManifest.Serving.standard(),
                    scaler.params(),
                    ReleaseManifest.Scoring.of(options.errorMetric().id(), threshold),
                    options.threshold().describe(),
                    new ReleaseManifest.Provenance(
                            dataset.sha256(),
                            dataset.source(),
                            dataset.beats().size(),
                            options.seed(),
                            TrainingSettings.recorded(options),
                            metrics,
                            trainerVersion()),
                    null,
                    null);
        }
    }

    /** Fingerprint of the exported model: its one graph file, weights included, is the same for the same weights. */
    private static String weightsFingerprint(Path savedModel) throws IOException {
        return ReleaseFolder.contentHash(savedModel).substring(0, 8);
    }

    /** Whether {@code bundle} was trained from this data with these settings, under this name. */
    private static boolean trainedWith(ReleaseBundle bundle, TrainingOptions options, EcgDataset dataset)
            throws IOException {
        ReleaseManifest.Provenance provenance = bundle.manifest().provenance();
        // Compared as canonical JSON text: a seed read back is an int where the original is a long.
        boolean sameSettings = Json.canonical()
                .writeValueAsString(TrainingSettings.recorded(options))
                .equals(Json.canonical().writeValueAsString(provenance.recipe()));
        return dataset.sha256().equals(provenance.dataSha256())
                && sameSettings
                && options.modelName().equals(bundle.modelName());
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

        TrainingReport.Timings timings() {
            return new TrainingReport.Timings((last - start) / 1e9, laps);
        }
    }
}
