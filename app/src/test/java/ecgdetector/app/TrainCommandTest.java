package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./ecg train}'s options, made from {@link TrainingSettings}; nothing is trained here. */
class TrainCommandTest {

    private static TrainCommand parsed(String... args) {
        CommandLine cli = Main.commandLine();
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        cli.parseArgs(all);
        return cli.getSubcommands().get("train").getCommand();
    }

    @Test
    void withoutOptionsItIsTheDefaultRecipesRun() {
        TrainCommand train = parsed();

        assertThat(train.options())
                .isEqualTo(TrainingOptions.of(Recipe.DEFAULT, Optional.empty(), Path.of("out", "train")));
        assertThat(train.modelsTopic).isEqualTo(EcgTopic.MODELS.defaultName());
    }

    @Test
    void eachOptionOverridesItsSettingAlone() {
        TrainingOptions options = parsed(
                        "--recipe", "notebook",
                        "--epochs", "7",
                        "--encoder", "32,16",
                        "--encoder", "8",
                        "--scaler", "GLOBAL",
                        "--threshold", "p99",
                        "--model-name", "ward-7")
                .options();

        TrainingOptions notebook = TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), Path.of("out", "train"));
        assertThat(options.recipe()).isEqualTo(Recipe.NOTEBOOK);
        assertThat(options.model().epochs()).isEqualTo(7);
        assertThat(options.model().encoderUnits()).isEqualTo(List.of(32, 16, 8));
        assertThat(options.model().batchSize()).isEqualTo(notebook.model().batchSize());
        assertThat(options.scaler()).isEqualTo(MinMaxScaler.GLOBAL);
        assertThat(options.threshold().describe()).isEqualTo("p99");
        assertThat(options.modelName()).isEqualTo("ward-7");
        assertThat(options.testFraction()).isEqualTo(notebook.testFraction());
    }

    @Test
    void aValueASettingRefusesIsAUsageErrorNamingTheOption() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("train", "--epochs", "0");

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).startsWith("--epochs must be > 0, got 0");
    }

    @Test
    void theHelpShowsEverySettingWithItsDefaults() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setUsageHelpWidth(1000);

        assertThat(cli.execute("train", "--help")).isZero();

        String help = out.toString();
        for (TrainingSetting<?> setting : TrainingSettings.ALL) {
            assertThat(help).contains(setting.flag() + "=" + setting.label()).contains(setting.help());
        }
        assertThat(help)
                .contains("Default: 150 (improved), 20 (notebook).")
                .contains("(default " + EcgTopic.MODELS.defaultName() + ")")
                .contains("--bootstrap-servers", "--signing-key-file", "-X");
    }
}
