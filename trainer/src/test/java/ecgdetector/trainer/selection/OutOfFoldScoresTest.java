package ecgdetector.trainer.selection;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Out-of-fold scores of the synthetic release's training part, with its recipe: real training on every fold. */
public class OutOfFoldScoresTest {

    private static final int FOLDS = 3;
    private static OutOfFoldScores synthetic;
    private static Heartbeats trainingPart;

    /** The synthetic release's ({@link TestReleases#synthetic}) training part, scored out of fold; computed once. */
    public static synchronized OutOfFoldScores synthetic() {
        if (synthetic == null) {
            TrainingOptions options = TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), Path.of("unused"));
            trainingPart = StratifiedSplit.split(
                            TestReleases.syntheticDataset(42).beats(), options.testFraction(), options.seed())
                    .kept();
            List<String> progress = new ArrayList<>();
            synthetic = OutOfFoldScores.of(options, trainingPart, FOLDS, progress::add);
            assertThat(progress).hasSize(FOLDS).last().asString().startsWith("fold 3/3: trained in");
        }
        return synthetic;
    }

    @Test
    void everyBeatOfTheTrainingPartIsScoredOnceByAFoldThatHeldItOut() {
        OutOfFoldScores scores = synthetic();

        assertThat(scores.folds()).isEqualTo(FOLDS);
        assertThat(Arrays.stream(scores.thresholds()).allMatch(t -> t > 0 && Double.isFinite(t)))
                .as("every fold's threshold positive and finite")
                .isTrue();
        assertThat(scores.scores()).hasSize(trainingPart.size());
        for (float score : scores.scores()) {
            assertThat(score).as("every score positive and finite").isPositive().isFinite();
        }
        assertThat(sorted(scores.beats()))
                .as("the training part's beats, each exactly once, with its label")
                .isEqualTo(sorted(trainingPart));
    }

    @Test
    void theFoldsModelsTellTheClassesApartOnBeatsTheyDidNotTrainOn() {
        OutOfFoldScores scores = synthetic();
        double[] normal = scoresOf(scores, true);
        double[] abnormal = scoresOf(scores, false);
        double lowestThreshold = Arrays.stream(scores.thresholds()).min().orElseThrow();
        double highestThreshold = Arrays.stream(scores.thresholds()).max().orElseThrow();

        // The generated anomalies (a spike, a flattened half) are far from the normal wave: a fold's model that
        // did not see a beat still scores it by what it is, on either side of every fold's threshold.
        assertThat(median(abnormal)).isGreaterThan(highestThreshold);
        assertThat(median(normal)).isLessThan(lowestThreshold);
    }

    private static double[] scoresOf(OutOfFoldScores scores, boolean normal) {
        double[] out = new double[scores.scores().length];
        int n = 0;
        for (int i = 0; i < out.length; i++) {
            if (scores.beats().normal()[i] == normal) {
                out[n++] = scores.scores()[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The beats with their labels, in one canonical order. */
    private static List<String> sorted(Heartbeats beats) {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < beats.size(); i++) {
            rows.add(Arrays.toString(beats.beats()[i]) + beats.normal()[i]);
        }
        rows.sort(Comparator.naturalOrder());
        return rows;
    }
}
