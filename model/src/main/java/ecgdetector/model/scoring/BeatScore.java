package ecgdetector.model.scoring;

/**
 * The outcome of scoring one beat.
 *
 * @param error          the beat's reconstruction error under the release's metric
 * @param worstPositions sample positions with the largest reconstruction error, largest first
 * @param reconstruction the model's reconstruction, in scaled units
 */
public record BeatScore(float error, int[] worstPositions, float[] reconstruction) {}
