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
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A release loaded into DJL's TensorFlow engine and proven to run: the one way the project turns raw beats
 * into scores, the trainer's evaluation and the streamer's alike. Loading runs a canary batch (the bundle itself
 * is verified when it is read, see {@link ReleaseBundle}); a release that fails is refused with
 * {@link InvalidReleaseException}, so whoever serves it can keep the previous one.
 *
 * <p>DJL's predictors are not thread-safe: {@link #score} uses the calling thread's own, and
 * {@link #newPredictor()} gives one to a caller that manages its own.
 */
public final class ReleaseModel implements ScoringModel {

    private final ReleaseManifest manifest;
    private final ZooModel<float[][], BeatScore[]> model;
    private final ThreadPredictors<Predictor<float[][], BeatScore[]>> predictors;

    private ReleaseModel(ReleaseManifest manifest, ZooModel<float[][], BeatScore[]> model) {
        this.manifest = manifest;
        this.model = model;
        this.predictors = new ThreadPredictors<>(model::newPredictor);
    }

    public static ReleaseModel load(ReleaseBundle bundle) throws InvalidReleaseException {
        ReleaseManifest manifest = bundle.manifest();
        MinMaxScaler scaler = MinMaxScaler.of(manifest.scaler());
        ErrorMetric metric = ErrorMetric.fromId(manifest.errorMetric());
        TensorFlowRuntime.engine();
        Path dir = null;
        ZooModel<float[][], BeatScore[]> model = null;
        try {
            // TF reads a SavedModel from a folder only; it is fully in memory once loaded.
            dir = Files.createTempDirectory("ecg-release-");
            for (var file : bundle.modelFiles().entrySet()) {
                Path target = dir.resolve(file.getKey()).normalize();
                if (!target.startsWith(dir)) {
                    throw new InvalidReleaseException("release file path escapes the model folder: " + file.getKey());
                }
                Files.createDirectories(target.getParent());
                Files.write(target, file.getValue());
            }
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

    @Override
    public BeatScore[] score(float[][] rawWindows) {
        try {
            return predictors.get().predict(rawWindows);
        } catch (TranslateException | RuntimeException e) {
            predictors.discard();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("TensorFlow inference failed", e);
        }
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
                BeatScore[] batch = predictor.predict(Arrays.copyOfRange(beats, from, to));
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
