package ecgdetector.trainer.data;

import ecgdetector.trainer.settings.Range;
import java.util.Arrays;
import java.util.Random;

/**
 * Splits heartbeats into two parts keeping the share of normal and abnormal beats in each, reproducibly
 * from a seed: within each class the rows are shuffled and the first {@code round(fraction * classSize)}
 * go to the held-out part. Both parts keep file order.
 */
public final class StratifiedSplit {

    /** @param kept the larger part; @param heldOut the {@code fraction} part */
    public record Parts(Heartbeats kept, Heartbeats heldOut) {}

    private StratifiedSplit() {}

    /** The shares a split accepts: each part keeps at least a share of the beats. */
    public static final Range FRACTION = Range.OPEN_UNIT;

    public static Parts split(Heartbeats all, double fraction, long seed) {
        FRACTION.require("split fraction", fraction);
        Random random = new Random(seed);
        boolean[] heldOut = new boolean[all.size()];
        for (boolean cls : new boolean[] {true, false}) {
            int[] rows = all.rowsWhere(cls);
            shuffle(rows, random);
            int take = (int) Math.round(fraction * rows.length);
            for (int i = 0; i < take; i++) {
                heldOut[rows[i]] = true;
            }
        }
        int[] keep = java.util.stream.IntStream.range(0, all.size())
                .filter(i -> !heldOut[i])
                .toArray();
        int[] hold = java.util.stream.IntStream.range(0, all.size())
                .filter(i -> heldOut[i])
                .toArray();
        Arrays.sort(keep);
        Arrays.sort(hold);
        return new Parts(all.select(keep), all.select(hold));
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
