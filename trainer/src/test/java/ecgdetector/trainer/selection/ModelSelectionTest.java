package ecgdetector.trainer.selection;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.trainer.SelectionGrid;
import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.SelectionRule;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.testing.TestReleases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small but real selection on generated beats. */
class ModelSelectionTest {

    private static final SelectionGrid GRID = new SelectionGrid(
            "test",
            3,
            Map.of("epochs", "3", "batch-size", "64"),
            List.of(
                    new SelectionGrid.Variant("as base", Map.of()),
                    new SelectionGrid.Variant("no dropout", Map.of("dropout", "0"))),
            List.of("msle", "signal-mse"),
            List.of("best-f1", "p99"));

    private static SelectionRecord select(EcgDataset data, ByteArrayOutputStream console) {
        return new ModelSelection(new PrintStream(console, true, StandardCharsets.UTF_8)).run(data, GRID, 42, 0.2);
    }

    @Test
    void everyCandidateIsScoredOnEveryFoldAndTheRuleChooses(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SelectionRecord record = select(TestReleases.syntheticDataset(42), console);

        assertThat(record.candidates()).hasSize(8);
        assertThat(record.candidates())
                .extracting(SelectionRecord.Candidate::variant, SelectionRecord.Candidate::errorMetric)
                .startsWith(
                        org.assertj.core.groups.Tuple.tuple("as base", "msle"),
                        org.assertj.core.groups.Tuple.tuple("as base", "msle"),
                        org.assertj.core.groups.Tuple.tuple("as base", "signal-mse"));
        for (SelectionRecord.Candidate c : record.candidates()) {
            assertThat(c.foldAccuracy())
                    .hasSize(3)
                    .allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
            assertThat(c.figures().accuracy().mean())
                    .isEqualTo(Arrays.stream(c.foldAccuracy().stream()
                                    .mapToDouble(Double::doubleValue)
                                    .toArray())
                            .average()
                            .orElseThrow());
            assertThat(c.trainingCost()).isPositive();
        }
        SelectionRecord.Candidate chosen = record.candidates().get(SelectionRule.choose(record.candidates(), 3));
        assertThat(record.choice().variant()).isEqualTo(chosen.variant());
        assertThat(record.choice().settings()).containsEntry("epochs", "3");
        // 600 beats, a fifth of each class the test part.
        assertThat(record.data().trainingPart()).isEqualTo(480);
        assertThat(record.data().testPart()).isEqualTo(120);
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("The test part (120 beats) is not looked at")
                .contains("[6/6] no dropout, fold 3/3");

        Path json = dir.resolve("selection.json");
        record.write(json);
        assertThat(SelectionRecord.read(json)).isEqualTo(record);
        SelectionPlot.draw(record, dir.resolve("selection.png"));
        assertThat(dir.resolve("selection.png")).isNotEmptyFile();
        assertThat(SelectionTable.markdown(record)).contains("| as base | signal-mse |");
    }

    @Test
    void theTestPartIsNeverRead() {
        SelectionRecord clean = select(TestReleases.syntheticDataset(42), new ByteArrayOutputStream());

        // The same data with every test-part beat ruined: NaN would fail any scaling, training or scoring.
        EcgDataset ruined = TestReleases.syntheticDataset(42);
        for (float[] beat :
                StratifiedSplit.split(ruined.beats(), 0.2, 42).heldOut().beats()) {
            Arrays.fill(beat, Float.NaN);
        }
        SelectionRecord again = select(ruined, new ByteArrayOutputStream());

        assertThat(again.candidates())
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("trainSeconds")
                .isEqualTo(clean.candidates());
        assertThat(again.choice()).isEqualTo(clean.choice());
    }
}
