package ecgdetector.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.trainer.evaluation.Spread;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionRuleTest {

    /** A candidate with these mean figures; sd 0.01 over 4 folds makes the standard error 0.005. */
    private static SelectionRecord.Candidate candidate(String name, double accuracy, double rocAuc, double cost) {
        Spread some = new Spread(0.5, 0.01);
        return new SelectionRecord.Candidate(
                name,
                "msle",
                "best-f1",
                new SelectionRecord.Figures(
                        new Spread(accuracy, 0.01), some, some, some, new Spread(rocAuc, 0.001), some),
                List.of(accuracy),
                1,
                cost);
    }

    @Test
    void withinOneStandardErrorOfTheBestAccuracyTheBestRankingWins() {
        List<SelectionRecord.Candidate> candidates = List.of(
                candidate("best accuracy", 0.980, 0.990, 10),
                candidate("close, ranks better", 0.976, 0.995, 10),
                candidate("too far, ranks best", 0.974, 0.999, 1));
        assertThat(SelectionRule.choose(candidates, 4)).isEqualTo(1);
    }

    @Test
    void atTheSameRankingTheMoreAccurateThenTheCheaperWins() {
        assertThat(SelectionRule.choose(List.of(candidate("a", 0.978, 0.995, 10), candidate("b", 0.980, 0.995, 10)), 4))
                .isEqualTo(1);
        assertThat(SelectionRule.choose(List.of(candidate("a", 0.980, 0.995, 10), candidate("b", 0.980, 0.995, 5)), 4))
                .isEqualTo(1);
        // Equal in everything: the earlier in the grid stays.
        assertThat(SelectionRule.choose(List.of(candidate("a", 0.980, 0.995, 5), candidate("b", 0.980, 0.995, 5)), 4))
                .isZero();
    }

    @Test
    void aSingleCandidateIsChosenAndNoneIsRefused() {
        assertThat(SelectionRule.choose(List.of(candidate("only", 0.5, 0.5, 1)), 5))
                .isZero();
        assertThatThrownBy(() -> SelectionRule.choose(List.of(), 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
