package ecgdetector.streamer.testing;

import ecgdetector.model.inference.AutoencoderTranslator;
import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.inference.ThreadPredictors;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.ReleaseManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Releases and a model loader that need no TensorFlow: a fake model scores a window by the mean absolute
 * value of its raw samples, so a window of all 2.0 scores 2.0. Its "SavedModel" is one small file; a file
 * whose content is {@code NaN} makes the canary fail, as a model that outputs NaN would. Models that pass the
 * canary but fail at run time on windows scoring above a limit: {@link #failingAbove}.
 */
public final class FakeModels implements ScoringModel.Loader {

    public static final String MODEL = "ecg-autoencoder";
    public static final int LENGTH = 140;

    /** Sizes of every batch scored, in order, by any fake model of this loader. */
    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    public final List<FakeModel> loaded = new CopyOnWriteArrayList<>();
    public final AtomicInteger predictorsCreated = new AtomicInteger();

    @Override
    public ScoringModel load(ReleaseBundle bundle) throws InvalidReleaseException {
        String content = new String(bundle.modelFiles().values().iterator().next(), StandardCharsets.UTF_8);
        if (content.contains("NaN")) {
            throw new InvalidReleaseException(
                    "canary batch gave a non-finite error (NaN): the model outputs NaN or infinity");
        }
        FakeModel model = new FakeModel(bundle.manifest(), content);
        loaded.add(model);
        return model;
    }

    /** A "SavedModel" whose content names a file op stands for a graph the real check refuses, op by name. */
    @Override
    public void check(ReleaseBundle bundle) throws InvalidReleaseException {
        String content = new String(bundle.modelFiles().values().iterator().next(), StandardCharsets.UTF_8);
        if (content.contains("ReadFile")) {
            throw new InvalidReleaseException("graph holds ops a release may not use: ReadFile (node read)");
        }
    }

    /** A release whose graph the check refuses, as one that reads a file would be. */
    public static ReleaseBundle readsFile(String version) {
        return release(MODEL, version, 1.0, LENGTH, "ReadFile");
    }

    /** The fake score of a window: the mean of |x|, as a float. */
    public static float score(float[] samples) {
        double sum = 0;
        for (float v : samples) {
            sum += Math.abs(v);
        }
        return (float) (sum / samples.length);
    }

    public static float[] constant(float value) {
        float[] w = new float[LENGTH];
        Arrays.fill(w, value);
        return w;
    }

    /** A sealed release of the fake model with the given threshold. */
    public static ReleaseBundle release(String version, double threshold) {
        return release(MODEL, version, threshold, LENGTH, "weights-" + version);
    }

    /** A release whose canary batch gives NaN. */
    public static ReleaseBundle nanRelease(String version) {
        return release(MODEL, version, 1.0, LENGTH, "NaN");
    }

    /** How a release of {@link #failingAbove} fails on a window whose fake score is above its limit. */
    public enum RuntimeFailure {
        /** The whole inference call throws. */
        THROWS,
        /** That window's score is NaN. */
        NAN_SCORE
    }

    /**
     * A release that loads and passes its canary but, at run time, fails as {@code failure} says on windows
     * whose fake score is above {@code limit}; other windows score as usual.
     */
    public static ReleaseBundle failingAbove(String version, double threshold, RuntimeFailure failure, float limit) {
        return release(MODEL, version, threshold, LENGTH, failure.name() + " above " + limit);
    }

    /**
     * A release that loads and passes its canary but whose every inference call then throws an {@link Error}, as
     * a failing native library does: not an exception the scoring step handles, so the stream thread dies.
     */
    public static ReleaseBundle crashing(String version) {
        return release(MODEL, version, 1.0, LENGTH, CRASH);
    }

    private static final String CRASH = "CRASH";

    /** 2025-01-01 plus as many seconds as the version's digits say: "v2" is created after "v1". */
    static String createdAt(String version) {
        String digits = version.replaceAll("[^0-9]", "");
        long seconds = digits.isEmpty() ? 0 : Long.parseLong(digits.substring(0, Math.min(9, digits.length())));
        return Instant.parse("2025-01-01T00:00:00Z").plusSeconds(seconds).toString();
    }

    public static ReleaseBundle release(
            String modelName, String version, double threshold, int inputLength, String modelFileContent) {
        try {
            Path dir = Files.createTempDirectory("fake-saved-model");
            Files.writeString(dir.resolve("saved_model.pb"), modelFileContent);
            ReleaseManifest draft = TestManifests.draft(
                    modelName,
                    version,
                    createdAt(version),
                    TestManifests.globalScaler(inputLength, -5f, 5f),
                    ReleaseManifest.Scoring.of("mae", threshold));
            ReleaseBundle bundle = ReleaseBundle.seal(draft, dir);
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            return bundle;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The release signed with the trusted test key, as the trainer publishes it. */
    public static ReleaseRecord signed(ReleaseBundle bundle) {
        return ReleaseRecord.signed(bundle, TestKeys.trainer().key());
    }

    /** The signed record with its threshold changed after signing: the signature no longer matches. */
    public static ReleaseRecord tampered(ReleaseBundle bundle) {
        ReleaseRecord record = signed(bundle);
        String json = new String(record.value(), StandardCharsets.UTF_8);
        String changed = json.replace(
                "\"threshold\":" + bundle.manifest().threshold(),
                "\"threshold\":" + bundle.manifest().threshold() * 10);
        return new ReleaseRecord(record.key(), changed.getBytes(StandardCharsets.UTF_8), record.headers());
    }

    /**
     * A fake loaded model, with one predictor per thread as the real one has; records whether it was closed and
     * how many of its predictors are open.
     */
    public final class FakeModel implements ScoringModel {
        private final ReleaseManifest manifest;
        private final RuntimeFailure failure;
        private final float failureLimit;
        private final boolean crashes;
        private final ThreadPredictors<FakePredictor> predictors = new ThreadPredictors<>(FakePredictor::new);
        public volatile boolean closed;
        public final AtomicInteger openPredictors = new AtomicInteger();
        /** The padded batch shapes {@link #warmUp} ran, in order; the stream's batches are not counted here. */
        public final List<Integer> warmedShapes = new CopyOnWriteArrayList<>();

        FakeModel(ReleaseManifest manifest, String content) {
            this.manifest = manifest;
            String[] parts = content.split(" above ");
            this.failure = parts.length == 2 ? RuntimeFailure.valueOf(parts[0]) : null;
            this.failureLimit = parts.length == 2 ? Float.parseFloat(parts[1]) : Float.POSITIVE_INFINITY;
            this.crashes = content.equals(CRASH);
        }

        @Override
        public ReleaseManifest manifest() {
            return manifest;
        }

        @Override
        public BeatScore[] score(float[][] rawWindows) {
            if (closed) {
                throw new IllegalStateException("scoring with a closed model " + manifest.version());
            }
            if (crashes) {
                throw new UnsatisfiedLinkError("fake: the native inference library failed on " + manifest.version());
            }
            try {
                return predictors.get().predict(rawWindows);
            } catch (RuntimeException e) {
                predictors.discard();
                throw e;
            }
        }

        /** Scores a tensor of each shape the real model warms, on no thread's predictor. */
        @Override
        public int warmUp(int largestBatch) {
            if (closed) {
                throw new IllegalStateException("warming a closed model " + manifest.version());
            }
            List<Integer> shapes = AutoencoderTranslator.tensorShapes(largestBatch);
            for (int rows : shapes) {
                float[][] batch = new float[rows][LENGTH];
                for (float[] window : batch) {
                    if (!Float.isFinite(FakeModels.score(window))) {
                        throw new IllegalStateException("warm-up gave a non-finite error");
                    }
                }
                warmedShapes.add(rows);
            }
            return shapes.size();
        }

        @Override
        public void close() {
            closed = true;
            predictors.close();
        }

        public String version() {
            return manifest.version();
        }

        private final class FakePredictor implements AutoCloseable {
            private boolean predictorClosed;

            FakePredictor() {
                predictorsCreated.incrementAndGet();
                openPredictors.incrementAndGet();
            }

            BeatScore[] predict(float[][] rawWindows) {
                if (predictorClosed) {
                    throw new IllegalStateException("predicting with a closed predictor of " + manifest.version());
                }
                batchSizes.add(rawWindows.length);
                BeatScore[] out = new BeatScore[rawWindows.length];
                for (int i = 0; i < rawWindows.length; i++) {
                    float score = FakeModels.score(rawWindows[i]);
                    if (score > failureLimit && failure == RuntimeFailure.THROWS) {
                        throw new IllegalStateException("fake inference failure on a window scoring " + score);
                    }
                    if (score > failureLimit && failure == RuntimeFailure.NAN_SCORE) {
                        score = Float.NaN;
                    }
                    out[i] = new BeatScore(score, worst(rawWindows[i]), rawWindows[i]);
                }
                return out;
            }

            @Override
            public void close() {
                if (!predictorClosed) {
                    predictorClosed = true;
                    openPredictors.decrementAndGet();
                }
            }
        }
    }

    /** Positions of the 5 largest |x|, largest first, ties to the earlier position. */
    static int[] worst(float[] w) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            idx.add(i);
        }
        idx.sort((a, b) -> {
            int c = Float.compare(Math.abs(w[b]), Math.abs(w[a]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        return idx.subList(0, 5).stream().mapToInt(Integer::intValue).toArray();
    }
}
