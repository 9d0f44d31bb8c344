package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseSigningKey;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void onFirstUseTheTrainerMakesTheDefaultKeyPairSaysSoAndUsesItAfterwards(@TempDir Path home) throws Exception {
        TrainCommand train = parsed();
        train.environment = Map.of("XDG_CONFIG_HOME", home.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ReleaseSigningKey first = train.signingKey(new PrintStream(out, true, StandardCharsets.UTF_8));
        ReleaseSigningKey again = train.signingKey(new PrintStream(OutputStream.nullOutputStream()));

        Path folder = home.resolve("ecg-detector");
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Created a release signing key pair, key " + first.keyId())
                .contains(folder.resolve("release.key").toString())
                .contains(folder.resolve("release.pub").toString());
        assertThat(again.keyId()).isEqualTo(first.keyId());
        assertThat(ReleaseKeyFiles.readPublicKey(folder.resolve("release.pub"))).isEqualTo(first.publicKey());
    }

    @Test
    void aNamedKeyFileMustExistAndBeTheOwnersAlone(@TempDir Path dir) throws Exception {
        TrainCommand missing =
                parsed("--signing-key-file", dir.resolve("none.key").toString());
        ReleaseKeyFiles.Pair pair = ReleaseKeyFiles.loadOrCreate(dir.resolve("k.key"), dir.resolve("k.pub"), false);
        Files.setPosixFilePermissions(pair.privateKey(), PosixFilePermissions.fromString("rw-r-----"));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

        assertThatThrownBy(() -> missing.signingKey(quiet)).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> parsed("--signing-key-file", pair.privateKey().toString())
                        .signingKey(quiet))
                .hasMessageContaining("readable by its group");
        assertThat(parsed("--signing-key-file", pair.privateKey().toString(), "--allow-readable-signing-key")
                        .signingKey(quiet)
                        .keyId())
                .isEqualTo(pair.key().keyId());
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
