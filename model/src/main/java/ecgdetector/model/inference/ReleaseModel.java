package ecgdetector.model.inference;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.ReleaseManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A release loaded into DJL's TensorFlow engine and proven to run: the one way the project turns raw beats
 * into scores, the trainer's evaluation and the streamer's alike. Loading first checks the SavedModel as data
 * ({@link SavedModelCheck}: one graph file of {@link InferenceOps allowed ops} only), then has TensorFlow load a
 * private copy of exactly the bytes checked, then runs a canary batch (the bundle itself is verified when it is
 * read, see {@link ReleaseBundle}); a release that fails is refused with {@link InvalidReleaseException}, so
 * whoever serves it can keep the previous one.
 *
 * <p>DJL's predictors are not thread-safe: {@link #score} uses the calling thread's own, and
 * {@link #newPredictor()} gives one to a caller that manages its own.
 */
public final class ReleaseModel implements ScoringModel {

    /** Runs of each shape when warming up. */
    private static final int WARM_UP_RUNS = 2;

    private final ReleaseManifest manifest;
    private final ZooModel<float[][], BeatScore[]> model;
    private final ThreadPredictors<Predictor<float[][], BeatScore[]>> predictors;

    private ReleaseModel(ReleaseManifest manifest, ZooModel<float[][], BeatScore[]> model) {
        this.manifest = manifest;
        this.model = model;
        this.predictors = new ThreadPredictors<>(model::newPredictor);
    }

    /** Loads a release whose graph uses only the ops of the trainer's dense autoencoders. */
    public static ReleaseModel load(ReleaseBundle bundle) throws InvalidReleaseException {
        return load(bundle, InferenceOps.DENSE_AUTOENCODER);
    }

    /** What the streamer loads releases with: {@link #load(ReleaseBundle)}, and the graph check alone. */
    public static ScoringModel.Loader loader() {
        return new ScoringModel.Loader() {
            @Override
            public ScoringModel load(ReleaseBundle release) throws InvalidReleaseException {
                return ReleaseModel.load(release);
            }

            @Override
            public void check(ReleaseBundle release) throws InvalidReleaseException {
                new SavedModelCheck(InferenceOps.DENSE_AUTOENCODER).check(release.modelFiles());
            }
        };
    }

    /**
     * Loads a release whose graph uses only {@code allowed} ops.
     *
     * @throws InvalidReleaseException if the graph holds anything else, or does not load, or fails its canary
     */
    public static ReleaseModel load(ReleaseBundle bundle, InferenceOps allowed) throws InvalidReleaseException {
        ReleaseManifest manifest = bundle.manifest();
        byte[] graph = new SavedModelCheck(allowed).check(bundle.modelFiles());
        MinMaxScaler scaler = MinMaxScaler.of(manifest.scaler());
        ErrorMetric metric = ErrorMetric.fromId(manifest.scoring().metric());
        TensorFlowRuntime.engine();
        Path dir = null;
        ZooModel<float[][], BeatScore[]> model = null;
        try {
            // TF reads a SavedModel from a folder only; it is fully in memory once loaded. The folder is this
            // process's alone, and holds exactly the bytes just checked.
            dir = privateFolder();
            Files.write(dir.resolve(SavedModelCheck.FILE), graph, StandardOpenOption.CREATE_NEW);
            model = Criteria.builder()
                    .setTypes(float[][].class, BeatScore[].class)
                    .optModelPath(dir)
                    .optEngine("TensorFlow")
                    .optOption("Tags", manifest.serving().tag())
                    .optOption("SignatureDefKey", manifest.serving().signature())
                    .optTranslator(new AutoencoderTranslator(
                            scaler, metric, manifest.serving().input()))
                    .build()
                    .loadModel();
            ReleaseModel loaded = new ReleaseModel(manifest, model);
            loaded.runCanary();
            return loaded;
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            if (model != null) {
                model.close();
            }
            throw new InvalidReleaseException("release " + bundle.version() + " does not load: " + e.getMessage(), e);
        } catch (InvalidReleaseException e) {
            if (model != null) {
                model.close();
            }
            throw e;
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * Scores a batch of beats at the scaler's midpoints and at its edges: the output must be finite and of
     * the right shape, or the release is not served.
     */
    private void runCanary() throws InvalidReleaseException {
        float[] min = manifest.scaler().min();
        float[] max = manifest.scaler().max();
        float[][] canary = new float[3][min.length];
        for (int i = 0; i < min.length; i++) {
            canary[0][i] = min[i];
            canary[1][i] = (min[i] + max[i]) / 2;
            canary[2][i] = max[i];
        }
        try (Predictor<float[][], BeatScore[]> predictor = newPredictor()) {
            BeatScore[] scores = predictor.predict(canary);
            if (scores.length != canary.length) {
                throw new InvalidReleaseException("canary batch of 3 returned " + scores.length + " scores");
            }
            for (BeatScore score : scores) {
                if (!Float.isFinite(score.error())) {
                    throw new InvalidReleaseException("canary batch gave a non-finite error (" + score.error()
                            + "): the model outputs NaN or infinity");
                }
            }
        } catch (TranslateException | RuntimeException e) {
            throw new InvalidReleaseException("canary batch failed: " + e.getMessage(), e);
        }
    }

    /**
     * Scores a tensor of the scaler's midpoints of each shape a batch of up to {@code largestBatch} beats runs as
     * ({@link AutoencoderTranslator#tensorShapes}), twice each (the second run of a shape is where TensorFlow caches
     * its kernels), on a predictor of its own that is closed after.
     */
    @Override
    public int warmUp(int largestBatch) {
        float[] min = manifest.scaler().min();
        float[] max = manifest.scaler().max();
        float[] mid = new float[min.length];
        for (int i = 0; i < min.length; i++) {
            mid[i] = (min[i] + max[i]) / 2;
        }
        List<Integer> shapes = AutoencoderTranslator.tensorShapes(largestBatch);
        try (Predictor<float[][], BeatScore[]> predictor = newPredictor()) {
            for (int rows : shapes) {
                float[][] batch = new float[rows][];
                Arrays.fill(batch, mid);
                for (int run = 0; run < WARM_UP_RUNS; run++) {
                    predictor.predict(batch);
                }
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("warming up release " + manifest.version() + " failed", e);
        }
        return shapes.size();
    }

    /** Scores a batch of any size, in tensors of {@link AutoencoderTranslator#TENSOR_ROWS} rows. */
    @Override
    public BeatScore[] score(float[][] rawWindows) {
        try {
            return inParts(predictors.get(), rawWindows);
        } catch (TranslateException | RuntimeException e) {
            predictors.discard();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("TensorFlow inference failed", e);
        }
    }

    private static BeatScore[] inParts(Predictor<float[][], BeatScore[]> predictor, float[][] beats)
            throws TranslateException {
        int rows = AutoencoderTranslator.TENSOR_ROWS;
        if (beats.length <= rows) {
            return predictor.predict(beats);
        }
        BeatScore[] out = new BeatScore[beats.length];
        for (int from = 0; from < beats.length; from += rows) {
            int to = Math.min(beats.length, from + rows);
            BeatScore[] part = predictor.predict(Arrays.copyOfRange(beats, from, to));
            System.arraycopy(part, 0, out, from, part.length);
        }
        return out;
    }

    /** A predictor of the caller's own, which it closes. */
    public Predictor<float[][], BeatScore[]> newPredictor() {
        return model.newPredictor();
    }

    /** Scores any number of beats, in batches of {@code batchSize}, on a predictor of its own. */
    public BeatScore[] scoreAll(float[][] beats, int batchSize) {
        BeatScore[] out = new BeatScore[beats.length];
        try (Predictor<float[][], BeatScore[]> predictor = newPredictor()) {
            for (int from = 0; from < beats.length; from += batchSize) {
                int to = Math.min(beats.length, from + batchSize);
                BeatScore[] batch = inParts(predictor, Arrays.copyOfRange(beats, from, to));
                System.arraycopy(batch, 0, out, from, batch.length);
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("scoring failed on release " + manifest.version(), e);
        }
        return out;
    }

    @Override
    public ReleaseManifest manifest() {
        return manifest;
    }

    @Override
    public void close() {
        predictors.close();
        model.close();
    }

    /** A new folder only this user may enter (0700 where the file system has POSIX permissions). */
    private static Path privateFolder() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempDirectory(
                    "ecg-release-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return Files.createTempDirectory("ecg-release-");
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp folder is harmless; the model is already in memory.
        }
    }
}
