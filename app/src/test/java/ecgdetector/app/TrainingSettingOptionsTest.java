package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The options that commands other than train take from the training settings' one definition. */
class TrainingSettingOptionsTest {

    @Test
    void theDemoTakesDataAndRecipeAsTrainDeclaresThem() {
        DemoCommand demo = new DemoCommand();
        CommandLine cli = new CommandLine(demo);
        cli.parseArgs("--data", "beats.csv", "--recipe", "notebook", "--retrain");

        TrainingSettingOptions.ReleaseSource source = TrainingSettingOptions.releaseSource(demo.spec);

        assertThat(source)
                .isEqualTo(new TrainingSettingOptions.ReleaseSource(Optional.of("beats.csv"), Recipe.NOTEBOOK, true));
    }

    @Test
    void withoutThemTheDefaultsAreTheSettingsOwn() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs();

        TrainingSettingOptions.ReleaseSource source = TrainingSettingOptions.releaseSource(demo.spec);

        assertThat(source.recipe()).isEqualTo(TrainingSettings.RECIPE.defaultFor(Recipe.DEFAULT));
        assertThat(source.data()).isEmpty();
        assertThat(source.retrain()).isFalse();
    }

    @Test
    void theHelpIsTheSettingsOwn() {
        String help = new CommandLine(new DemoCommand()).getUsageMessage();

        assertThat(help).contains(TrainingSettings.RECIPE.flag()).contains("Default: " + Recipe.DEFAULT.id());
        assertThat(help).contains(TrainingSettings.DATA.flag()).contains(TrainingSettingOptions.RETRAIN);
    }

    @Test
    void aRecipeThatDoesNotExistIsAUsageError() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--recipe", "best");

        assertThatThrownBy(() -> TrainingSettingOptions.releaseSource(demo.spec))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--recipe");
    }
}
