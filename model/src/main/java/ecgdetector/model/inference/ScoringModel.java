package ecgdetector.model.inference;

import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.ReleaseManifest;

/**
 * A release loaded and proven to run, scoring raw windows: what the streamer serves. {@link ReleaseModel} (DJL on
 * TensorFlow) is the one implementation; the streamer's tests plug in fakes that need no TensorFlow.
 */
public interface ScoringModel extends AutoCloseable {

    ReleaseManifest manifest();

    /**
     * Scales, reconstructs and scores {@code rawWindows} (each of the release's input length) in one engine call,
     * on the calling thread's own predictor ({@link ThreadPredictors}), so several threads may score at once. If
     * the call throws, that predictor is discarded: the thread's next call starts on a fresh one.
     *
     * @return one score per window, in order
     */
    BeatScore[] score(float[][] rawWindows);

    /**
     * Runs the engine on every input shape a batch of 1 to {@code largestBatch} windows takes, off the threads that
     * score, before the model serves: TensorFlow optimises its graph on a session's first run and oneDNN builds a
     * kernel per input shape on its first use, which made the first batches after a start or a swap ten times
     * slower than the rest. A model without such first-call costs (a test's fake) does nothing.
     *
     * @return how many shapes were run
     */
    default int warmUp(int largestBatch) {
        return 0;
    }

    /** Frees the model and every predictor of it; call once no thread scores with it any more. */
    @Override
    void close();

    /** Loads a release (its bundle is verified: see {@link ReleaseBundle}) into a model that may serve. */
    @FunctionalInterface
    interface Loader {

        /** @throws InvalidReleaseException if the release must not serve: it does not load, or fails its canary */
        ScoringModel load(ReleaseBundle release) throws InvalidReleaseException;

        /**
         * Checks what can be checked of a release without loading it (its graph, for TensorFlow), so a release that
         * would be refused on load is refused before anyone counts on it; {@link #load} checks it again. None here.
         *
         * @throws InvalidReleaseException if the release must not serve
         */
        default void check(ReleaseBundle release) throws InvalidReleaseException {}
    }
}
