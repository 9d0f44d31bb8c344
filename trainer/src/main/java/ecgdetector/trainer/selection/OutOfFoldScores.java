package ecgdetector.trainer.selection;

import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedFolds;
import ecgdetector.trainer.data.StratifiedSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Every beat of a training part scored as unseen data: the part cut into stratified folds (the folds of the model
 * selection, {@link ModelSelection}), a training run of one recipe on each fold's rest (validation fold, scaler,
 * autoencoder and threshold, as the release's own run), and each held-out fold's beats scored by its fold's model.
 * A choice made after training (the alarm rules') is made on these scores: they stand for the scores the release's
 * model gives beats it was not fitted on, which the release's own validation fold cannot (its threshold was chosen
 * on those beats, so their normal ones are the ones least often above it, which flatters every rule).
 *
 * @param beats the training part's beats, fold after fold
 * @param scores each beat's score by the model of the fold that held it out, in the order of {@code beats}
 * @param fold the fold that held each beat out, in the order of {@code beats}
 * @param thresholds each fold's own threshold, in fold order: how much a threshold moves with the beats it is
 *     chosen on
 * @param seconds wall time of the folds' training and scoring
 */
public record OutOfFoldScores(Heartbeats beats, float[] scores, int[] fold, double[] thresholds, double seconds) {

    public static final int DEFAULT_FOLDS = 5;

    /**
     * @param options the recipe, error metric and threshold policy of the release whose rules are chosen
     * @param training the training part of {@code options}' split
     * @param progress hears of each fold as it is done
     */
    public static OutOfFoldScores of(
            TrainingOptions options, Heartbeats training, int folds, Consumer<String> progress) {
        long started = System.nanoTime();
        StratifiedFolds cut = StratifiedFolds.of(training, folds, options.seed() + ModelSelection.FOLD_SEED_OFFSET);
        List<float[]> beats = new ArrayList<>();
        List<Boolean> normal = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> foldOf = new ArrayList<>();
        double[] thresholds = new double[folds];
        for (int f = 0; f < folds; f++) {
            StratifiedSplit.Parts fold = cut.fold(f);
            FoldRun.Result result = FoldRun.run(options, fold, List.of(options.errorMetric()));
            thresholds[f] = result.threshold(options.errorMetric(), options.threshold());
            float[] heldOutScores = result.scores().get(options.errorMetric()).heldOut();
            Heartbeats heldOut = fold.heldOut();
            for (int i = 0; i < heldOut.size(); i++) {
                beats.add(heldOut.beats()[i]);
                normal.add(heldOut.normal()[i]);
                scores.add(heldOutScores[i]);
                foldOf.add(f);
            }
            progress.accept(String.format(
                    Locale.ROOT,
                    "fold %d/%d: trained in %.1f s, threshold %.6g, %d held-out beats scored",
                    f + 1,
                    folds,
                    result.trainSeconds(),
                    thresholds[f],
                    heldOut.size()));
        }
        boolean[] labels = new boolean[normal.size()];
        float[] all = new float[scores.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = normal.get(i);
            all[i] = scores.get(i);
        }
        return new OutOfFoldScores(
                new Heartbeats(beats.toArray(float[][]::new), labels),
                all,
                foldOf.stream().mapToInt(Integer::intValue).toArray(),
                thresholds,
                (System.nanoTime() - started) / 1e9);
    }

    public int folds() {
        return thresholds.length;
    }

    /** The beats fold {@code f} held out, with their scores: one part of the training part, as if unseen. */
    public OutOfFoldScores ofFold(int f) {
        int[] rows = IntStream.range(0, fold.length).filter(i -> fold[i] == f).toArray();
        float[] s = new float[rows.length];
        int[] of = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            s[i] = scores[rows[i]];
            of[i] = f;
        }
        return new OutOfFoldScores(beats.select(rows), s, of, thresholds, seconds);
    }
}
