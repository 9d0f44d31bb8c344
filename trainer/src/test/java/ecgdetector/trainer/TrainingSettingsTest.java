package ecgdetector.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingSettingsTest {

    /** A value other than every recipe's default, as typed on the command line, for each setting. */
    private static final Map<TrainingSetting<?>, String> EXAMPLES = Map.ofEntries(
            Map.entry(TrainingSettings.DATA, "/data/ecg.csv"),
            Map.entry(TrainingSettings.OUT, "elsewhere"),
            Map.entry(TrainingSettings.RECIPE, "notebook"),
            Map.entry(TrainingSettings.SEED, "-7"),
            Map.entry(TrainingSettings.EPOCHS, "3"),
            Map.entry(TrainingSettings.BATCH_SIZE, "33"),
            Map.entry(TrainingSettings.LEARNING_RATE, "0.01"),
            Map.entry(TrainingSettings.DROPOUT, "0.3"),
            Map.entry(TrainingSettings.ENCODER, "32,4"),
            Map.entry(TrainingSettings.DECODER, ""),
            Map.entry(TrainingSettings.NOISE, "0.05"),
            Map.entry(TrainingSettings.ENSEMBLE, "3"),
            Map.entry(TrainingSettings.LOSS, "MAE"),
            Map.entry(TrainingSettings.ERROR_METRIC, "mse"),
            Map.entry(TrainingSettings.SCALER, "global"),
            Map.entry(TrainingSettings.THRESHOLD, "p99.5"),
            Map.entry(TrainingSettings.TEST_FRACTION, "0.25"),
            Map.entry(TrainingSettings.VALIDATION_FRACTION, "0.3"),
            Map.entry(TrainingSettings.MODEL_NAME, "ward-7"));

    static Stream<TrainingSetting<?>> settings() {
        return TrainingSettings.ALL.stream();
    }

    @ParameterizedTest
    @EnumSource(Recipe.class)
    void eachDefaultIsWhatARunFromThatRecipeHas(Recipe recipe) {
        TrainingOptions options =
                TrainingSettings.resolve(new TrainingSettings.Given().set(TrainingSettings.RECIPE, recipe));

        assertThat(options.recipe()).isEqualTo(recipe);
        for (TrainingSetting<?> setting : TrainingSettings.ALL) {
            if (setting != TrainingSettings.RECIPE) {
                assertThat((Object) setting.read(options)).as(setting.flag()).isEqualTo(setting.defaultFor(recipe));
            }
        }
        assertThat(options.model()).isEqualTo(recipe.model());
        assertThat(options).isEqualTo(TrainingOptions.of(recipe, Optional.empty(), Path.of("out", "train")));
    }

    @ParameterizedTest
    @MethodSource("settings")
    void aValueGivenSetsThatSettingAndNoOther(TrainingSetting<?> changed) {
        assertThat(EXAMPLES).as("an example for %s", changed).containsKey(changed);
        TrainingOptions options =
                TrainingSettings.resolve(new TrainingSettings.Given().parse(changed, EXAMPLES.get(changed)));
        Recipe recipe = options.recipe();

        assertThat((Object) changed.read(options)).isEqualTo(changed.parse(EXAMPLES.get(changed)));
        assertThat((Object) changed.read(options)).isNotEqualTo(changed.defaultFor(Recipe.DEFAULT));
        for (TrainingSetting<?> other : TrainingSettings.ALL) {
            if (other != changed) {
                assertThat((Object) other.read(options)).as(other.flag()).isEqualTo(other.defaultFor(recipe));
            }
        }
    }

    @Test
    void theSeedAlsoSeedsTheNetwork() {
        TrainingOptions options = TrainingSettings.resolve(new TrainingSettings.Given().set(TrainingSettings.SEED, 7L));
        assertThat(options.model().seed()).isEqualTo(7L);
        assertThat(options.withSeed(9).model().seed()).isEqualTo(9L);
    }

    @Test
    void aReleaseRecordsTheSettingsThatDecideTheModelUnderTheirProvenanceNames() {
        Map<String, Object> recorded =
                TrainingSettings.recorded(TrainingOptions.of(Recipe.NOTEBOOK, Optional.of("ecg.csv"), Path.of("x")));

        // The keys and values releases already carry: changing them would make every earlier
        // release look trained with other settings.
        assertThat(recorded)
                .containsOnly(
                        Map.entry("recipe", "notebook"),
                        Map.entry("scaler", "per-position"),
                        Map.entry("encoderUnits", List.of(64, 32, 16, 8)),
                        Map.entry("decoderUnits", List.of(16, 32, 64)),
                        Map.entry("dropout", 0.1),
                        Map.entry("loss", "msle"),
                        Map.entry("optimizer", "adam"),
                        Map.entry("learningRate", 0.001),
                        Map.entry("epochs", 20),
                        Map.entry("batchSize", 512),
                        Map.entry("errorMetric", "msle"),
                        Map.entry("thresholdPolicy", "mean+1std"),
                        Map.entry("testFraction", 0.2),
                        Map.entry("validationFraction", 0.1),
                        Map.entry("seed", 42L));
    }

    @Test
    void settingsAddedLaterAreRecordedOnlyAwayFromTheValueEarlierReleasesHad() {
        TrainingOptions denoisingEnsemble = TrainingSettings.resolve(new TrainingSettings.Given()
                .set(TrainingSettings.RECIPE, Recipe.NOTEBOOK)
                .parse(TrainingSettings.NOISE, "0.05")
                .parse(TrainingSettings.ENSEMBLE, "3"));
        assertThat(TrainingSettings.recorded(denoisingEnsemble))
                .containsEntry("noise", 0.05)
                .containsEntry("ensemble", 3);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(TrainingSettings.EPOCHS, "0", "--epochs must be > 0, got 0"),
                Arguments.of(TrainingSettings.EPOCHS, "1.5", "--epochs must be a whole number, got '1.5'"),
                Arguments.of(TrainingSettings.SEED, "x", "--seed must be a whole number, got 'x'"),
                Arguments.of(TrainingSettings.DROPOUT, "1", "--dropout must be in [0, 1), got 1.0"),
                Arguments.of(TrainingSettings.LEARNING_RATE, "NaN", "--learning-rate must be > 0, got NaN"),
                Arguments.of(TrainingSettings.TEST_FRACTION, "0", "--test-fraction must be in (0, 1), got 0.0"),
                Arguments.of(TrainingSettings.ENCODER, "64,-1", "--encoder must be > 0, got -1"),
                Arguments.of(TrainingSettings.LOSS, "l2", "--loss must be msle, mse or mae, got 'l2'"),
                Arguments.of(TrainingSettings.RECIPE, "best", "--recipe must be notebook or improved, got 'best'"),
                Arguments.of(TrainingSettings.THRESHOLD, "p101", "--threshold: percentile must be between 0 and 100"),
                Arguments.of(TrainingSettings.MODEL_NAME, "a b", "--model-name: model name 'a b' must be"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void aValueOutsideWhatASettingAcceptsIsRefusedNamingTheOption(
            TrainingSetting<?> setting, String text, String message) {
        assertThatThrownBy(() -> setting.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void anEncoderWithoutABottleneckIsRefused() {
        assertThatThrownBy(() ->
                        TrainingSettings.resolve(new TrainingSettings.Given().parse(TrainingSettings.ENCODER, "")))
                .hasMessageContaining("encoderUnits must name at least the bottleneck layer");
    }

    @Test
    void defaultsThatDependOnTheRecipeShowEachTheDefaultRecipesFirst() {
        // The improved recipe's values are the committed selection's choice, whatever it is.
        String epochs = TrainingSettings.EPOCHS.format(Recipe.IMPROVED.model().epochs()) + " (improved), 20 (notebook)";
        assertThat(TrainingSettings.EPOCHS.defaults()).isEqualTo(epochs);
        assertThat(TrainingSettings.THRESHOLD.defaults())
                .isEqualTo(Recipe.IMPROVED.threshold().describe() + " (improved), mean+1std (notebook)");
        assertThat(TrainingSettings.LEARNING_RATE.defaults()).isEqualTo("0.001");
        assertThat(TrainingSettings.MODEL_NAME.defaults()).isEqualTo("ecg-autoencoder");
        assertThat(TrainingSettings.EPOCHS.help())
                .isEqualTo("Passes over the training beats; a whole number > 0. Default: " + epochs + ".");
    }

    @Test
    void everySettingHasItsOwnOption() {
        assertThat(TrainingSettings.ALL.stream().map(TrainingSetting::flag))
                .doesNotHaveDuplicates()
                .allMatch(flag -> flag.matches("--[a-z]+(-[a-z]+)*"));
    }
}
