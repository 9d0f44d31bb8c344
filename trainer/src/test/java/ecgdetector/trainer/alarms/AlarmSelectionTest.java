package ecgdetector.trainer.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.selection.OutOfFoldScores;
import ecgdetector.trainer.selection.OutOfFoldScoresTest;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlarmSelectionTest {

    private static final AlarmSelection.Targets TARGETS = AlarmSelection.Targets.issue();

    private static AlarmSelectionRecord.Candidate candidate(int beats, double falseAlarms, double... sensitivity) {
        List<Double> s = new ArrayList<>();
        for (double v : sensitivity) {
            s.add(v);
        }
        double margin = TARGETS.margin(falseAlarms, AlarmSelection.RUNS, s);
        return new AlarmSelectionRecord.Candidate(
                beats,
                4,
                1.2,
                8,
                falseAlarms,
                s,
                0,
                0,
                List.of(new AlarmSelectionRecord.FoldFigures(falseAlarms, s, margin)),
                margin);
    }

    @Test
    void theMarginIsTheTightestTargetAsAShareOfWhatItAllows() {
        // Runs 1, 2, 3, 5, 8: the short run is the third, the long ones the last two.
        assertThat(TARGETS.margin(0.5, AlarmSelection.RUNS, List.of(0.0, 0.0, 0.99, 1.0, 1.0)))
                .isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(TARGETS.margin(0.0, AlarmSelection.RUNS, List.of(0.0, 0.0, 0.96, 1.0, 1.0)))
                .isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(TARGETS.margin(0.0, AlarmSelection.RUNS, List.of(0.0, 0.0, 1.0, 1.0, 0.995)))
                .as("the lowest of the long runs")
                .isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(TARGETS.margin(2.0, AlarmSelection.RUNS, List.of(1.0, 1.0, 1.0, 1.0, 1.0)))
                .as("twice the allowed false alarms")
                .isCloseTo(-1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theWidestMarginWinsAndATieKeepsTheEarlier() {
        List<AlarmSelectionRecord.Candidate> candidates = List.of(
                candidate(1, 5.0, 1, 1, 1, 1, 1), // misses the false alarms
                candidate(2, 0.5, 0, 0, 0.99, 1, 1), // margin 0.5
                candidate(3, 0.1, 0, 0, 0.96, 1, 1), // margin 0.2: fewer false alarms, closer to missing runs of 3
                candidate(4, 0.5, 0, 0, 1.0, 1, 1)); // margin 0.5 too, later

        assertThat(AlarmSelection.choose(candidates)).isEqualTo(1);
        assertThatThrownBy(() -> AlarmSelection.choose(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSelectionIsReproducibleFromItsSeedAndWritesTheRecordItReads(@TempDir Path tmp) throws Exception {
        TrainingResult trained = TestReleases.synthetic();
        OutOfFoldScores outOfFold = OutOfFoldScoresTest.synthetic();
        AlarmSelection.Grid grid = new AlarmSelection.Grid(List.of(1.0, 2.0), 3, List.of(4, 8), 30_000);

        AlarmSelectionRecord one = AlarmSelection.run(trained, outOfFold, grid, TARGETS, 13, 1, 20, line -> {});
        AlarmSelectionRecord two = AlarmSelection.run(trained, outOfFold, grid, TARGETS, 13, 1, 20, line -> {});

        assertThat(one.candidates()).hasSize(grid.rules().size()).isEqualTo(two.candidates());
        assertThat(one.choice()).isEqualTo(two.choice());
        assertThat(one.beats().normal() + one.beats().abnormal())
                .as("the training part's beats, not the test part's")
                .isEqualTo(outOfFold.beats().size())
                .isEqualTo(trained.report().data().rows() - trained.test().size());
        assertThat(one.folds().thresholds()).hasSize(outOfFold.folds());
        for (AlarmSelectionRecord.Candidate c : one.candidates()) {
            assertThat(c.folds()).hasSize(outOfFold.folds());
            assertThat(c.margin())
                    .as("the worst fold's margin")
                    .isEqualTo(c.folds().stream()
                            .mapToDouble(AlarmSelectionRecord.FoldFigures::margin)
                            .min()
                            .orElseThrow());
        }
        Path file = tmp.resolve("alarm-selection.json");
        one.write(file);
        assertThat(AlarmSelectionRecord.read(file)).isEqualTo(one);
        assertThat(AlarmSelection.markdown(one, 3).lines().filter(l -> l.startsWith("| ") && l.contains(" of ")))
                .hasSize(3);
    }
}
