package ecgdetector.app;

import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.assessment.EvaluationRecord;
import ecgdetector.trainer.assessment.EvaluationTable;
import ecgdetector.trainer.assessment.SplitEvaluation;
import ecgdetector.trainer.data.DataSource;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.UcrFile;
import ecgdetector.trainer.model.EpochListener;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "evaluate",
        header = "Test figures of a recipe over several splits and on the UCR split.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = EvaluateCommand.SettingOptions.class,
        description = {
            "Trains once per split seed exactly as ./ecg train --seed N does, each run choosing",
            "its threshold on its own training part and scoring its test part once, and reports",
            "the mean and standard deviation of the test figures; then trains on the normal",
            "beats of UCR's ECG5000_TRAIN.txt and tests on all of ECG5000_TEST.txt, with the",
            "share of each UCR class flagged.",
            "",
            "Writes DIR/evaluation.json and each run's report, plots and release under DIR."
        })
final class EvaluateCommand implements Callable<Integer> {

    static final String UCR_TRAIN = "ECG5000_TRAIN.txt";
    static final String UCR_TEST = "ECG5000_TEST.txt";

    /** Every training setting but the output folder, which is the evaluation's. */
    static final List<TrainingSetting<?>> SETTINGS =
            TrainingSettings.ALL.stream().filter(s -> s != TrainingSettings.OUT).toList();

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "out/evaluate",
            description = "Where evaluation.json and every run's output go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--split-seeds",
            paramLabel = "N[,N...]",
            split = ",",
            defaultValue = "1,2,3,4,5",
            description = "One run per seed, each its own stratified split (default ${DEFAULT-VALUE}).")
    List<Long> splitSeeds;

    @Option(
            names = "--ucr",
            paramLabel = "DIR",
            description = "Folder holding " + UCR_TRAIN + " and " + UCR_TEST + " for the UCR split; default: the"
                    + " folder of --data, if it holds them.")
    Path ucr;

    @Option(names = "--no-ucr", description = "Skip the UCR split.")
    boolean noUcr;

    @Override
    public Integer call() throws Exception {
        PrintStream console = System.out;
        TrainingOptions options = TrainingSettingOptions.resolve(spec, TrainingSettingOptions.given(spec, SETTINGS))
                .withOut(out);
        Path file = DataSource.standard(console::println).resolve(options.data());
        EcgDataset dataset = EcgCsv.read(file);
        Optional<SplitEvaluation.UcrSplit> ucrSplit = ucrSplit(file, console);
        EvaluationRecord record =
                new SplitEvaluation(console, EpochListener.SILENT).run(options, dataset, splitSeeds, ucrSplit);
        Files.createDirectories(out);
        Path json = out.resolve("evaluation.json");
        record.write(json);
        console.print(EvaluationTable.console(record));
        console.printf(
                Locale.ROOT,
                "Evaluation took %.0f s on %s. Wrote %s.%n",
                record.wallSeconds(),
                record.machine().describe(),
                json);
        return 0;
    }

    private Optional<SplitEvaluation.UcrSplit> ucrSplit(Path data, PrintStream console) throws Exception {
        if (noUcr) {
            return Optional.empty();
        }
        Path dir = ucr != null ? ucr : data.toAbsolutePath().getParent();
        Path train = dir.resolve(UCR_TRAIN);
        Path test = dir.resolve(UCR_TEST);
        if (!Files.isRegularFile(train) || !Files.isRegularFile(test)) {
            if (ucr != null) {
                throw new ParameterException(
                        spec.commandLine(), "--ucr " + ucr + " does not hold " + UCR_TRAIN + " and " + UCR_TEST);
            }
            console.println("No UCR split: " + dir + " does not hold " + UCR_TRAIN + " and " + UCR_TEST
                    + " (--ucr DIR names the folder)");
            return Optional.empty();
        }
        return Optional.of(new SplitEvaluation.UcrSplit(UcrFile.read(train), UcrFile.read(test)));
    }

    /** Adds the training settings' options before the command's own. */
    static final class SettingOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return TrainingSettingOptions.addFirst(command, SETTINGS);
        }
    }
}
