package ecgdetector.trainer.evaluation;

import java.util.Objects;

/** Argument checks shared by the evaluation classes, so every entry point fails the same way. */
final class Checks {

    private Checks() {}

    /**
     * A NaN or infinite reconstruction error means the model or the data is broken. Comparisons
     * with NaN are always false, so letting one through would silently count the beat as normal,
     * and an infinity cannot be separated from its neighbours by any finite threshold.
     */
    static void finite(float[] values, String what) {
        Objects.requireNonNull(values, what);
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + values[i]);
            }
        }
    }

    static void scoresAndLabels(float[] scores, boolean[] isAnomaly) {
        finite(scores, "scores");
        Objects.requireNonNull(isAnomaly, "isAnomaly");
        if (scores.length != isAnomaly.length) {
            throw new IllegalArgumentException("scores and labels differ in length: "
                    + scores.length
                    + " scores, "
                    + isAnomaly.length
                    + " labels");
        }
    }

    static void notNaN(double value, String what) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException(what + " is NaN");
        }
    }

    static int countTrue(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            if (f) {
                n++;
            }
        }
        return n;
    }
}
