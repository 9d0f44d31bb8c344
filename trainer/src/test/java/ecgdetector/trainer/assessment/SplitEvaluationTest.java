package ecgdetector.trainer.assessment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.UcrClass;
import ecgdetector.trainer.data.UcrFile;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small but real runs on generated beats, the UCR split made of the same beats. */
class SplitEvaluationTest {

    @TempDir
    Path out;

    /** The generated beats split in two "UCR files", abnormal beats given classes 2 and 4 in turn. */
    private static SplitEvaluation.UcrSplit ucr(EcgDataset data) {
        Heartbeats beats = data.beats();
        int cut = beats.size() / 3;
        return new SplitEvaluation.UcrSplit(part(data, 0, cut), part(data, cut, beats.size()));
    }

    private static UcrFile.Labelled part(EcgDataset data, int from, int to) {
        int[] rows = java.util.stream.IntStream.range(from, to).toArray();
        Heartbeats beats = data.beats().select(rows);
        List<UcrClass> classes = new ArrayList<>();
        for (int i = 0; i < beats.size(); i++) {
            classes.add(beats.normal()[i] ? UcrClass.NORMAL : i % 2 == 0 ? UcrClass.R_ON_T_PVC : UcrClass.SP_EB);
        }
        return new UcrFile.Labelled(new EcgDataset(beats, data.sha256(), "part " + from), classes);
    }

    @Test
    void eachSplitIsATrainingRunAndTheUcrSplitTestsOnItsWholeTestFile() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(42);
        TrainingOptions options = TrainingSettings.resolve(new TrainingSettings.Given()
                        .set(TrainingSettings.RECIPE, Recipe.NOTEBOOK)
                        .parse(TrainingSettings.EPOCHS, "3"))
                .withOut(out);
        SplitEvaluation.UcrSplit ucr = ucr(data);

        EvaluationRecord record = new SplitEvaluation(
                        new PrintStream(PrintStream.nullOutputStream()), EpochListener.SILENT)
                .run(options, data, List.of(1L, 2L), Optional.of(ucr));

        assertThat(record.splits()).extracting(EvaluationRecord.SplitRun::seed).containsExactly(1L, 2L);
        assertThat(Files.isRegularFile(out.resolve("split-1").resolve("report.json")))
                .isTrue();
        assertThat(Files.isDirectory(out.resolve("ucr").resolve("release"))).isTrue();
        double[] accuracy =
                record.splits().stream().mapToDouble(s -> s.test().accuracy()).toArray();
        assertThat(record.overSplits().accuracy().mean())
                .isCloseTo(Arrays.stream(accuracy).average().orElseThrow(), within(1e-12));
        assertThat(record.overSplits().accuracy().sd())
                .isCloseTo(Math.abs(accuracy[0] - accuracy[1]) / Math.sqrt(2), within(1e-12));
        assertThat(record.settings()).doesNotContainKey("seed").containsEntry("epochs", 3);

        // Two splits' test parts of 120 beats, each beat counted under its class.
        assertThat(record.classesOverSplits().stream()
                        .mapToInt(EvaluationRecord.ClassOutcome::beats)
                        .sum())
                .isEqualTo(240);
        EvaluationRecord.UcrRun run = record.ucr();
        assertThat(run.test().rows()).isEqualTo(ucr.test().classes().size());
        for (EvaluationRecord.ClassOutcome c : run.classes()) {
            assertThat(c.beats()).isEqualTo((int) ucr.test().classes().stream()
                    .filter(k -> k.label() == c.ucrClass())
                    .count());
        }
        // Flagged abnormal beats over all abnormal ones is the recall; with the flagged normal ones, the precision.
        int abnormal = 0;
        int caught = 0;
        int falseAlarms = 0;
        for (EvaluationRecord.ClassOutcome c : run.classes()) {
            if (c.ucrClass() == 1) {
                falseAlarms = c.flagged();
            } else {
                abnormal += c.beats();
                caught += c.flagged();
            }
        }
        assertThat(run.figures().recall()).isCloseTo((double) caught / abnormal, within(1e-12));
        assertThat(run.figures().precision()).isCloseTo((double) caught / (caught + falseAlarms), within(1e-12));

        Path json = out.resolve("evaluation.json");
        record.write(json);
        assertThat(EvaluationRecord.read(json)).isEqualTo(record);
        assertThat(EvaluationTable.markdownSplits(record)).contains("| seed 1 |", "**mean ± sd**", "| UCR split |");
        assertThat(EvaluationTable.markdownClasses(record)).contains("| 4 SP/EB |", "(false alarms)");
    }
}
