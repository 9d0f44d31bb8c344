package ecgdetector.streamer.infer;

import ecgdetector.model.scoring.BeatScore;

/** The scores of one batch, in window order, and the model that gave them. */
public record ScoredBatch(ScoringModel model, BeatScore[] scores) {}
