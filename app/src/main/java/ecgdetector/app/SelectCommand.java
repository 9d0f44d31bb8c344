package ecgdetector.app;

import ecgdetector.trainer.SelectionGrid;
import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.data.DataSource;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.selection.ModelSelection;
import ecgdetector.trainer.selection.SelectionPlot;
import ecgdetector.trainer.selection.SelectionTable;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "select",
        header = "Choose the default recipe by cross-validation on the training part.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = SelectCommand.SettingOptions.class,
        description = {
            "Splits the data as ./ecg train does with the same seed and sets the test part",
            "aside unread, then trains every candidate of a grid on each fold of the training",
            "part and scores it on the held-out fold; the out-of-fold figures decide the choice.",
            "",
            "Writes DIR/selection.json and DIR/selection.png. The default recipe is the choice",
            "of the selection.json in the trainer's resources: copy a new one there to adopt it."
        })
final class SelectCommand implements Callable<Integer> {

    /** The run settings a selection takes; the grid decides all the others. */
    static final List<TrainingSetting<?>> SETTINGS =
            List.of(TrainingSettings.DATA, TrainingSettings.SEED, TrainingSettings.TEST_FRACTION);

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "out/select",
            description = "Where selection.json and selection.png are written (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--grid",
            paramLabel = "FILE",
            description = "The candidates, as JSON (see docs/model-selection.md); default: the grid the"
                    + " committed selection was run with.")
    Path grid;

    @Option(
            names = "--folds",
            paramLabel = "N",
            description = "Cross-validation folds, at least 2; default: the grid's (5).")
    Integer folds;

    @Override
    public Integer call() throws Exception {
        PrintStream console = System.out;
        TrainingOptions options = TrainingSettingOptions.resolve(spec, TrainingSettingOptions.given(spec, SETTINGS));
        SelectionGrid candidates = grid != null ? SelectionGrid.read(grid) : SelectionGrid.standard();
        if (folds != null) {
            candidates = candidates.withFolds(folds);
        }
        EcgDataset dataset = EcgCsv.read(DataSource.standard(console::println).resolve(options.data()));
        SelectionRecord record =
                new ModelSelection(console).run(dataset, candidates, options.seed(), options.testFraction());

        Files.createDirectories(out);
        Path json = out.resolve("selection.json");
        Path png = out.resolve("selection.png");
        record.write(json);
        SelectionPlot.draw(record, png);
        console.print(SelectionTable.console(record, 10));
        console.printf(
                Locale.ROOT,
                "Selection took %.0f s on %s. Wrote %s and %s.%n"
                        + "To make it the default recipe: cp %s trainer/src/main/resources%s%n",
                record.wallSeconds(),
                record.machine().describe(),
                json,
                png,
                json,
                SelectionRecord.COMMITTED_RESOURCE);
        return 0;
    }

    /** Adds the run settings' options before the command's own. */
    static final class SettingOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return TrainingSettingOptions.addFirst(command, SETTINGS);
        }
    }
}
