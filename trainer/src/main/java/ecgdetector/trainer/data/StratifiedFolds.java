package ecgdetector.trainer.data;

import ecgdetector.trainer.settings.Range;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A k-fold partition of heartbeats that keeps the share of normal and abnormal beats in every fold,
 * reproducibly from a seed: within each class the rows are shuffled and dealt to the folds in turn, so fold
 * sizes differ by at most one beat per class. Each fold is held out once; the other folds are its training
 * part.
 */
public final class StratifiedFolds {

    /** At least two folds, or nothing is held out. */
    public static final Range FOLDS = new Range(2, true, Double.POSITIVE_INFINITY, false);

    private final Heartbeats beats;
    private final int[] foldOf;
    private final int folds;

    private StratifiedFolds(Heartbeats beats, int[] foldOf, int folds) {
        this.beats = beats;
        this.foldOf = foldOf;
        this.folds = folds;
    }

    /**
     * @throws IllegalArgumentException if {@code folds} is below 2 or above the number of beats of either
     *     class (a fold would then miss it)
     */
    public static StratifiedFolds of(Heartbeats beats, int folds, long seed) {
        FOLDS.require("folds", folds);
        Random random = new Random(seed);
        int[] foldOf = new int[beats.size()];
        for (boolean cls : new boolean[] {true, false}) {
            int[] rows = beats.rowsWhere(cls);
            if (rows.length < folds) {
                throw new IllegalArgumentException(folds + " folds need at least " + folds + " "
                        + (cls ? "normal" : "abnormal") + " beats, got " + rows.length);
            }
            shuffle(rows, random);
            for (int i = 0; i < rows.length; i++) {
                foldOf[rows[i]] = i % folds;
            }
        }
        return new StratifiedFolds(beats, foldOf, folds);
    }

    public int folds() {
        return folds;
    }

    /** Fold {@code fold} held out, the others kept as its training part; both in the beats' order. */
    public StratifiedSplit.Parts fold(int fold) {
        if (fold < 0 || fold >= folds) {
            throw new IndexOutOfBoundsException("fold " + fold + " of " + folds);
        }
        int[] kept =
                IntStream.range(0, beats.size()).filter(i -> foldOf[i] != fold).toArray();
        int[] heldOut =
                IntStream.range(0, beats.size()).filter(i -> foldOf[i] == fold).toArray();
        return new StratifiedSplit.Parts(beats.select(kept), beats.select(heldOut));
    }

    /** Which fold each beat is held out in, in the beats' order. */
    public int[] assignment() {
        return Arrays.copyOf(foldOf, foldOf.length);
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
