package ecgdetector.trainer;

import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.trainer.data.Heartbeats;

/**
 * A finished training run: its report, the sealed release, and the held-out test beats with the scores
 * the release gave them offline (so live scoring can be checked against them).
 */
public record TrainingResult(TrainingReport report, ReleaseBundle release, Heartbeats test, float[] testScores) {}
