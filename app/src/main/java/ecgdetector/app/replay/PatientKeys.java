package ecgdetector.app.replay;

import java.util.Locale;

/**
 * Which patient a replayed record belongs to: record {@code i} goes to patient {@code i mod n},
 * keys {@code patient-0001} to {@code patient-n}. The key picks the partition, so each patient's
 * records keep the order they were sent in, as one patient's monitor would produce them.
 */
public final class PatientKeys {

    private final int patients;

    private PatientKeys(int patients) {
        this.patients = patients;
    }

    /** Keys for {@code patients} patients; 0 means records go without a key. */
    public static PatientKeys of(int patients) {
        if (patients < 0) {
            throw new IllegalArgumentException("patients must be >= 0 (0 = no keys), got " + patients);
        }
        return new PatientKeys(patients);
    }

    public static PatientKeys none() {
        return new PatientKeys(0);
    }

    public int patients() {
        return patients;
    }

    /** The key of the {@code record}-th record sent (from 0), or null without keys. */
    public String keyFor(long record) {
        if (patients == 0) {
            return null;
        }
        return key((int) Math.floorMod(record, (long) patients));
    }

    /** The key of patient {@code index} (from 0): {@code patient-0001} for 0. */
    public static String key(int index) {
        return String.format(Locale.ROOT, "patient-%04d", index + 1);
    }

    /** {@code patient-0001..patient-0010}, for messages. */
    public String describe() {
        if (patients == 0) {
            return "no keys";
        }
        return patients == 1 ? key(0) : key(0) + ".." + key(patients - 1);
    }
}
