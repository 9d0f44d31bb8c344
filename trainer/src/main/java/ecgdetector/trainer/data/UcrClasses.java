package ecgdetector.trainer.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The UCR class of a beat, looked up by its samples: {@code ecg.csv} holds the UCR files' beats with only a
 * normal/abnormal label, and this gives any of its beats back its class (R-on-T PVC, PVC, ...).
 */
public final class UcrClasses {

    private final Map<Samples, UcrClass> classes = new HashMap<>();

    /** The beats of the given files; a beat found twice keeps the class it had first. */
    public UcrClasses(List<UcrFile.Labelled> files) {
        for (UcrFile.Labelled file : files) {
            float[][] beats = file.data().beats().beats();
            for (int i = 0; i < beats.length; i++) {
                classes.putIfAbsent(new Samples(beats[i]), file.classes().get(i));
            }
        }
    }

    /** Empty for a beat none of the files holds. */
    public Optional<UcrClass> of(float[] beat) {
        return Optional.ofNullable(classes.get(new Samples(beat)));
    }

    /** A beat's samples as a map key, compared by value. */
    private record Samples(float[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Samples s && Arrays.equals(values, s.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return values.length + " samples";
        }
    }
}
