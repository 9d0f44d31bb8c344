package ecgdetector.streamer.infer;

import ecgdetector.model.scoring.BeatScore;

/** Scores batches of raw windows with one model: one engine call per batch. Not thread-safe. */
public interface Scorer extends AutoCloseable {

    /**
     * Scales, reconstructs and scores {@code rawWindows} (each of the release's input length) in one call.
     *
     * @return one score per window, in order
     */
    BeatScore[] score(float[][] rawWindows);

    @Override
    void close();
}
