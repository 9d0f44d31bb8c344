package ecgdetector.trainer.model;

import java.util.Random;

/** Smooth, beat-like rows in [0, 1] that a small autoencoder can learn within a few epochs. */
final class SyntheticBeats {

    private SyntheticBeats() {}

    static float[][] generate(int rows, int length, long seed) {
        Random random = new Random(seed);
        float[][] beats = new float[rows][length];
        for (int r = 0; r < rows; r++) {
            double phase = random.nextDouble() * 0.6;
            double amplitude = 0.25 + 0.1 * random.nextDouble();
            for (int c = 0; c < length; c++) {
                double t = 2 * Math.PI * c / length;
                double value =
                        0.5 + amplitude * Math.sin(t + phase) + 0.1 * Math.sin(3 * t) + 0.01 * random.nextGaussian();
                beats[r][c] = (float) Math.min(1, Math.max(0, value));
            }
        }
        return beats;
    }

    /** Default architecture, trimmed so a test trains in well under a second. */
    static AutoencoderConfig smallConfig(int epochs) {
        return AutoencoderConfig.defaults().withEpochs(epochs).withBatchSize(32);
    }
}
