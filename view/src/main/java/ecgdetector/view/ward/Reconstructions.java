package ecgdetector.view.ward;

/**
 * Draws a scored window as the streamer scored it: its samples scaled and reconstructed by the release that
 * scored it. There is one implementation, the model module's release model ({@code ecgdetector.view.beats}); the
 * view never scales or scores by itself.
 */
public interface Reconstructions {

    /**
     * @param modelVersion the release that scored the window
     * @param raw          the window's raw samples
     * @param score        the streamer's score of it: a picture that does not reproduce it is not drawn
     */
    Drawn draw(String modelVersion, float[] raw, float score);

    /**
     * A picture, or why there is none.
     *
     * @param scaled         the samples in the model's units, or null
     * @param reconstruction the model's reconstruction of them, or null
     * @param note           why not drawn; null when drawn
     * @param retry          not drawn yet, but it may be soon (the release is loading)
     */
    record Drawn(float[] scaled, float[] reconstruction, String note, boolean retry) {
        public static Drawn of(float[] scaled, float[] reconstruction) {
            return new Drawn(scaled, reconstruction, null, false);
        }

        /** Not drawn, and it will not be. */
        public static Drawn not(String why) {
            return new Drawn(null, null, why, false);
        }

        /** Not drawn yet. */
        public static Drawn later(String why) {
            return new Drawn(null, null, why, true);
        }
    }
}
