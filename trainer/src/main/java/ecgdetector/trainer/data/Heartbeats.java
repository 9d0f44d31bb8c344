package ecgdetector.trainer.data;

import java.util.Arrays;

/**
 * Labelled heartbeats: {@code beats[i]} holds the samples of beat i, {@code normal[i]} its label
 * (ECG5000's 1 = normal, 0 = abnormal).
 */
public record Heartbeats(float[][] beats, boolean[] normal) {

    public Heartbeats {
        if (beats.length != normal.length) {
            throw new IllegalArgumentException(beats.length + " beats but " + normal.length + " labels");
        }
    }

    public int size() {
        return beats.length;
    }

    public int countNormal() {
        int n = 0;
        for (boolean b : normal) {
            n += b ? 1 : 0;
        }
        return n;
    }

    public Heartbeats select(int[] rows) {
        float[][] b = new float[rows.length][];
        boolean[] l = new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            b[i] = beats[rows[i]];
            l[i] = normal[rows[i]];
        }
        return new Heartbeats(b, l);
    }

    public Heartbeats onlyNormal() {
        return select(rowsWhere(true));
    }

    /** Anomaly labels, the positive class of every metric. */
    public boolean[] isAnomaly() {
        boolean[] anomaly = new boolean[normal.length];
        for (int i = 0; i < normal.length; i++) {
            anomaly[i] = !normal[i];
        }
        return anomaly;
    }

    int[] rowsWhere(boolean isNormal) {
        return java.util.stream.IntStream.range(0, normal.length)
                .filter(i -> normal[i] == isNormal)
                .toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Heartbeats h && Arrays.deepEquals(beats, h.beats) && Arrays.equals(normal, h.normal);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(beats) + Arrays.hashCode(normal);
    }

    @Override
    public String toString() {
        return "Heartbeats[" + size() + " beats, " + countNormal() + " normal]";
    }
}
