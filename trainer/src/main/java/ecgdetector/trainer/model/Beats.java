package ecgdetector.trainer.model;

import java.util.Objects;

/**
 * Beats packed row after row into one array: batches are then plain array copies, and TensorFlow
 * tensors are filled from a single buffer.
 */
record Beats(float[] values, int rows, int length) {

    /**
     * Checks and packs beats.
     *
     * @throws IllegalArgumentException naming {@code what} and the row, if a beat is missing, has
     *     the wrong length or holds NaN or infinity (one such value would poison every weight)
     */
    static Beats of(String what, float[][] beats, int length) {
        Objects.requireNonNull(beats, what);
        float[] values = new float[Math.multiplyExact(beats.length, length)];
        for (int r = 0; r < beats.length; r++) {
            float[] beat = beats[r];
            if (beat == null || beat.length != length) {
                throw new IllegalArgumentException(String.format(
                        "%s beat %d has %s values, expected %d",
                        what, r, beat == null ? "no" : String.valueOf(beat.length), length));
            }
            for (int c = 0; c < length; c++) {
                if (!Float.isFinite(beat[c])) {
                    throw new IllegalArgumentException(
                            String.format("%s beat %d holds %s at index %d", what, r, beat[c], c));
                }
            }
            System.arraycopy(beat, 0, values, r * length, length);
        }
        return new Beats(values, beats.length, length);
    }
}
