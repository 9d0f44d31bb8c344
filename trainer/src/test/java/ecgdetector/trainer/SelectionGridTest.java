package ecgdetector.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectionGridTest {

    private static SelectionGrid grid(Map<String, String> base, List<SelectionGrid.Variant> variants) {
        return new SelectionGrid("test", 3, base, variants, List.of("msle", "mse"), List.of("best-f1", "p99"));
    }

    private static SelectionGrid.Variant variant(String name, Map<String, String> settings) {
        return new SelectionGrid.Variant(name, settings);
    }

    @Test
    void aCandidatesSettingsAreTheBaseTheVariantsAndItsScoringOverTheNotebookRecipe() {
        SelectionGrid grid = grid(
                Map.of("epochs", "150", "batch-size", "64"),
                List.of(variant("a", Map.of()), variant("b", Map.of("epochs", "300", "dropout", "0"))));

        assertThat(grid.candidates()).isEqualTo(2 * 2 * 2);
        Map<String, String> settings = grid.settings(grid.variants().get(1), "mse", "p99");
        assertThat(settings)
                .containsEntry("epochs", "300")
                .containsEntry("batch-size", "64")
                .containsEntry("dropout", "0")
                .containsEntry("error-metric", "mse")
                .containsEntry("threshold", "p99")
                .hasSize(5);
        TrainingOptions options = TrainingSettings.resolve(SelectionGrid.given(settings));
        assertThat(options.recipe()).isEqualTo(Recipe.NOTEBOOK);
        assertThat(options.model().epochs()).isEqualTo(300);
        assertThat(options.model().batchSize()).isEqualTo(64);
        assertThat(options.model().dropout()).isZero();
        assertThat(options.model().learningRate())
                .isEqualTo(Recipe.NOTEBOOK.model().learningRate());
        assertThat(options.errorMetric().id()).isEqualTo("mse");
    }

    @Test
    void readsJsonAndRefusesWhatIsNotAGrid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("grid.json");
        Files.writeString(file, """
                {"folds": 4, "base": {"epochs": 30}, "variants": [{"name": "x", "settings": {"loss": "mse"}}],
                 "errorMetrics": ["signal-mse"], "thresholds": ["recall>=0.99"]}""");
        SelectionGrid grid = SelectionGrid.read(file);
        assertThat(grid.folds()).isEqualTo(4);
        assertThat(grid.base()).containsEntry("epochs", "30");
        assertThat(grid.description()).isEmpty();

        Files.writeString(file, """
                {"folds": 4, "variant": [], "errorMetrics": ["msle"], "thresholds": ["p99"]}""");
        assertThatThrownBy(() -> SelectionGrid.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("variant");
    }

    @Test
    void refusesSettingsAGridCannotVary() {
        assertThatThrownBy(() -> grid(Map.of("epoch", "3"), List.of(variant("a", Map.of()))))
                .hasMessageContaining("base: unknown setting 'epoch'")
                .hasMessageContaining("epochs");
        assertThatThrownBy(() -> grid(Map.of(), List.of(variant("a", Map.of("seed", "3")))))
                .hasMessage("variant 'a': --seed is not a setting a grid may vary");
        assertThatThrownBy(() -> grid(Map.of(), List.of(variant("a", Map.of("error-metric", "mse")))))
                .hasMessageContaining("--error-metric goes in the grid's errorMetrics");
        assertThatThrownBy(() -> grid(Map.of(), List.of(variant("a", Map.of("epochs", "0")))))
                .hasMessage("variant 'a': --epochs must be > 0, got 0");
        assertThatThrownBy(() -> grid(Map.of(), List.of(variant("a", Map.of()), variant("a", Map.of()))))
                .hasMessage("two variants are called 'a'");
        assertThatThrownBy(() -> grid(Map.of(), List.of())).hasMessage("a grid needs at least one variant");
        assertThatThrownBy(() -> new SelectionGrid(
                        "", 1, Map.of(), List.of(variant("a", Map.of())), List.of("msle"), List.of("p99")))
                .hasMessage("folds must be >= 2, got 1");
        assertThatThrownBy(() -> new SelectionGrid(
                        "", 5, Map.of(), List.of(variant("a", Map.of())), List.of("rmse"), List.of("p99")))
                .hasMessageContaining("--error-metric must be");
    }

    @Test
    void theStandardGridReads() {
        SelectionGrid grid = SelectionGrid.standard();
        assertThat(grid.folds()).isEqualTo(5);
        assertThat(grid.variants()).isNotEmpty();
        assertThat(grid.withFolds(3).folds()).isEqualTo(3);
    }
}
