package ecgdetector.trainer.alarms;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.trainer.selection.OutOfFoldScores;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alarm rules' defaults are the committed alarm selection's choice, that choice is what its own figures say,
 * and it was made on the training part's out-of-fold scores, over the whole grid.
 */
class AlarmDefaultsTest {

    private static final AlarmSelectionRecord COMMITTED = AlarmSelectionRecord.committed();

    @Test
    void theDefaultsAreTheCommittedChoice() {
        AlarmSelectionRecord.Choice choice = COMMITTED.choice();

        assertThat(AlarmRule.DEFAULT.beats()).isEqualTo(choice.beats());
        assertThat(AlarmRule.DEFAULT.window()).isEqualTo(choice.window());
        assertThat(AlarmRule.DEFAULT.ratio()).isEqualTo(choice.ratio());
        assertThat(AlarmRule.DEFAULT.clearBeats()).isEqualTo(choice.clearBeats());
        assertThat(AlarmRule.DEFAULT.quietMs()).isEqualTo(COMMITTED.grid().quietMs());
    }

    @Test
    void theCommittedChoiceIsTheRulesChoiceAmongItsCandidates() {
        AlarmSelectionRecord.Candidate chosen =
                COMMITTED.candidates().get(AlarmSelection.choose(COMMITTED.candidates()));
        AlarmSelectionRecord.Choice choice = COMMITTED.choice();

        assertThat(List.of(choice.beats(), choice.window(), choice.clearBeats()))
                .isEqualTo(List.of(chosen.beats(), chosen.window(), chosen.clearBeats()));
        assertThat(choice.ratio()).isEqualTo(chosen.ratio());
        assertThat(choice.metTargets()).isEqualTo(chosen.margin() >= 0);
        assertThat(COMMITTED.rule()).isEqualTo(AlarmSelection.RULE);
        for (AlarmSelectionRecord.Candidate c : COMMITTED.candidates()) {
            assertThat(c.folds()).hasSize(COMMITTED.folds().folds());
            double worst = Double.POSITIVE_INFINITY;
            for (AlarmSelectionRecord.FoldFigures f : c.folds()) {
                assertThat(f.margin())
                        .as("%s's margin in a fold, from its figures", AlarmSelection.name(c))
                        .isEqualTo(COMMITTED
                                .targets()
                                .margin(f.falseAlarmsPerPatientHour(), COMMITTED.runs(), f.sensitivity()));
                worst = Math.min(worst, f.margin());
            }
            assertThat(c.margin())
                    .as("%s's margin: its worst fold's", AlarmSelection.name(c))
                    .isEqualTo(worst);
        }
    }

    @Test
    void theCommittedSelectionRanTheWholeGridOnTheTrainingPartOutOfFoldAgainstTheIssuesTargets() {
        assertThat(COMMITTED.formatVersion()).isEqualTo(AlarmSelectionRecord.FORMAT_VERSION);
        assertThat(COMMITTED.grid()).isEqualTo(AlarmSelection.Grid.standard());
        assertThat(COMMITTED.targets()).isEqualTo(AlarmSelection.Targets.issue());
        assertThat(COMMITTED.runs()).isEqualTo(AlarmSelection.RUNS);
        List<AlarmRule> rules = AlarmSelection.Grid.standard().rules();
        assertThat(COMMITTED.candidates()).hasSameSizeAs(rules);
        for (int i = 0; i < rules.size(); i++) {
            AlarmSelectionRecord.Candidate c = COMMITTED.candidates().get(i);
            assertThat(List.of(c.beats(), c.window(), c.clearBeats()))
                    .isEqualTo(List.of(
                            rules.get(i).beats(),
                            rules.get(i).window(),
                            rules.get(i).clearBeats()));
            assertThat(c.ratio()).isEqualTo(rules.get(i).ratio());
            assertThat(c.sensitivity()).hasSameSizeAs(COMMITTED.runs());
        }
        // Every beat of the training part, both classes, each scored by one of the folds; the test part apart.
        AlarmSelectionRecord.Beats beats = COMMITTED.beats();
        assertThat(beats.normal()).isPositive();
        assertThat(beats.abnormal()).isPositive();
        assertThat(beats.normal() + beats.abnormal()).isEqualTo(COMMITTED.data().trainingPart());
        assertThat(COMMITTED.folds().folds()).isEqualTo(OutOfFoldScores.DEFAULT_FOLDS);
        assertThat(COMMITTED.folds().thresholds()).hasSize(OutOfFoldScores.DEFAULT_FOLDS);
        assertThat(COMMITTED.data().trainingPart() + COMMITTED.data().testPart())
                .isEqualTo(COMMITTED.data().rows());
    }
}
