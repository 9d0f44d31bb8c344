package ecgdetector.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The default recipe is the committed selection's choice, and that choice is what its own figures say. */
class DefaultRecipeTest {

    private static final SelectionRecord COMMITTED = SelectionRecord.committed();

    @Test
    void theCommittedChoiceIsTheRulesChoiceAmongItsCandidates() {
        SelectionRecord.Candidate chosen = COMMITTED
                .candidates()
                .get(SelectionRule.choose(
                        COMMITTED.candidates(), COMMITTED.grid().folds()));
        SelectionRecord.Choice choice = COMMITTED.choice();

        assertThat(choice.variant()).isEqualTo(chosen.variant());
        assertThat(choice.errorMetric()).isEqualTo(chosen.errorMetric());
        assertThat(choice.threshold()).isEqualTo(chosen.threshold());
        SelectionGrid.Variant variant = COMMITTED.grid().variants().stream()
                .filter(v -> v.name().equals(chosen.variant()))
                .findFirst()
                .orElseThrow();
        assertThat(choice.settings())
                .isEqualTo(COMMITTED.grid().settings(variant, chosen.errorMetric(), chosen.threshold()));
        assertThat(COMMITTED.rule()).isEqualTo(SelectionRule.DESCRIPTION);
    }

    @Test
    void theCommittedSelectionRanTheCommittedGridWhole() {
        assertThat(COMMITTED.grid()).isEqualTo(SelectionGrid.standard());
        assertThat(COMMITTED.candidates()).hasSize(COMMITTED.grid().candidates());
        assertThat(COMMITTED.candidates())
                .allSatisfy(c ->
                        assertThat(c.foldAccuracy()).hasSize(COMMITTED.grid().folds()));
        assertThat(COMMITTED.formatVersion()).isEqualTo(SelectionRecord.FORMAT_VERSION);
    }

    @Test
    void theDefaultRecipeIsTheChoiceAndNothingElse() {
        TrainingOptions chosen = TrainingSettings.resolve(
                SelectionGrid.given(COMMITTED.choice().settings()).set(TrainingSettings.RECIPE, Recipe.NOTEBOOK));
        TrainingOptions byDefault = TrainingOptions.of(Recipe.DEFAULT, Optional.empty(), Path.of("x"));

        assertThat(Recipe.DEFAULT).isEqualTo(Recipe.IMPROVED);
        Map<String, Object> expected = TrainingSettings.recorded(chosen);
        Map<String, Object> actual = TrainingSettings.recorded(byDefault);
        expected.remove("recipe");
        actual.remove("recipe");
        assertThat(actual).isEqualTo(expected);
        assertThat(byDefault.model()).isEqualTo(chosen.model());
    }
}
