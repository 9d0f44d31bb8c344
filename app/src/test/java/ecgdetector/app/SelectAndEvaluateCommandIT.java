package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.assessment.EvaluationRecord;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.testing.TestReleases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./ecg select} and {@code ./ecg evaluate} as a person runs them, on generated beats. */
class SelectAndEvaluateCommandIT {

    @TempDir
    Path tmp;

    /**
     * The generated beats as ecg.csv, and the same beats, written with the same digits, as the two UCR
     * files (the first 200 rows as TRAIN), abnormal beats given classes 2 and 3 in turn.
     */
    private Path writeData() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(5);
        List<String> csv = new ArrayList<>();
        List<String> ucrTrain = new ArrayList<>();
        List<String> ucrTest = new ArrayList<>();
        for (int i = 0; i < data.beats().size(); i++) {
            StringBuilder samples = new StringBuilder();
            for (float v : data.beats().beats()[i]) {
                samples.append(String.format(Locale.ROOT, "%16.7e", v));
            }
            boolean normal = data.beats().normal()[i];
            csv.add(samples.toString().strip().replaceAll("\\s+", ",") + (normal ? ",1.0" : ",0.0"));
            int ucrClass = normal ? 1 : 2 + i % 2;
            (i < 200 ? ucrTrain : ucrTest).add(String.format(Locale.ROOT, "%16.7e", (double) ucrClass) + samples);
        }
        Files.write(tmp.resolve("ECG5000_TRAIN.txt"), ucrTrain);
        Files.write(tmp.resolve("ECG5000_TEST.txt"), ucrTest);
        return Files.write(tmp.resolve("ecg.csv"), csv);
    }

    private static int run(ByteArrayOutputStream stdout, String... args) {
        PrintStream previous = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            return Main.commandLine().execute(args);
        } finally {
            System.setOut(previous);
        }
    }

    @Test
    void selectWritesItsRecordAndPlotAndSaysHowToAdoptIt() throws Exception {
        Path grid = Files.writeString(tmp.resolve("grid.json"), """
                {"folds": 2, "base": {"epochs": "2", "batch-size": "128"},
                 "variants": [{"name": "a", "settings": {}}, {"name": "b", "settings": {"dropout": "0"}}],
                 "errorMetrics": ["msle", "signal-mse"], "thresholds": ["best-f1", "recall>=0.99"]}""");
        Path out = tmp.resolve("select");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();

        int exit = run(
                stdout, "select", "--data", writeData().toString(), "--grid", grid.toString(), "--out", out.toString());

        assertThat(exit).isZero();
        SelectionRecord record = SelectionRecord.read(out.resolve("selection.json"));
        assertThat(record.candidates()).hasSize(8);
        assertThat(record.grid().folds()).isEqualTo(2);
        assertThat(out.resolve("selection.png")).isNotEmptyFile();
        assertThat(stdout.toString(StandardCharsets.UTF_8))
                .contains("[4/4] b, fold 2/2")
                .contains("Chosen (*): ")
                .contains("trainer/src/main/resources/ecgdetector/trainer/selection.json");
    }

    @Test
    void evaluateRunsEachSplitAndTheUcrSplitFoundBesideTheData() throws Exception {
        Path out = tmp.resolve("evaluate");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();

        int exit = run(
                stdout,
                "evaluate",
                "--data",
                writeData().toString(),
                "--recipe",
                "notebook",
                "--epochs",
                "2",
                "--split-seeds",
                "3,4",
                "--out",
                out.toString());

        assertThat(exit).isZero();
        EvaluationRecord record = EvaluationRecord.read(out.resolve("evaluation.json"));
        assertThat(record.recipe()).isEqualTo("notebook");
        assertThat(record.splits()).extracting(EvaluationRecord.SplitRun::seed).containsExactly(3L, 4L);
        assertThat(record.ucr().test().rows()).isEqualTo(400);
        assertThat(record.classesOverSplits())
                .extracting(EvaluationRecord.ClassOutcome::ucrClass)
                .containsExactly(1, 2, 3);
        assertThat(out.resolve("split-3").resolve("report.json")).isNotEmptyFile();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("mean", "UCR split", "R-on-T PVC");
    }

    @Test
    void aUcrFolderWithoutTheFilesIsAUsageError() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        Path empty = Files.createDirectory(tmp.resolve("empty"));

        int exit = cli.execute(
                "evaluate", "--data", writeData().toString(), "--ucr", empty.toString(), "--split-seeds", "1");

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("does not hold ECG5000_TRAIN.txt and ECG5000_TEST.txt");
    }

    @Test
    void bothCommandsHaveHelp() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setUsageHelpWidth(1000);
        assertThat(cli.execute("select", "--help")).isZero();
        assertThat(cli.execute("evaluate", "--help")).isZero();
        assertThat(out.toString())
                .contains("--grid", "--folds", "--seed", "--test-fraction")
                .contains("--split-seeds", "--ucr", "--error-metric", "--noise", "--ensemble");
    }
}
