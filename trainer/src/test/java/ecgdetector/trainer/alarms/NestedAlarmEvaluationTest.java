package ecgdetector.trainer.alarms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.selection.OutOfFoldScores;
import ecgdetector.trainer.selection.OutOfFoldScoresTest;
import ecgdetector.trainer.testing.TestReleases;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class NestedAlarmEvaluationTest {

    private static final AlarmSelection.Targets TARGETS = AlarmSelection.Targets.issue();
    private static final AlarmSelection.Grid GRID = new AlarmSelection.Grid(List.of(1.0, 2.0), 3, List.of(4), 30_000);

    @Test
    void eachSplitIsChosenOnItsTrainingPartAndMeasuredOnItsTestPart() throws Exception {
        TrainingResult trained = TestReleases.synthetic();
        OutOfFoldScores outOfFold = OutOfFoldScoresTest.synthetic();
        List<Long> asked = new ArrayList<>();

        NestedAlarmEvaluation.Record record = NestedAlarmEvaluation.run(
                List.of(1L, 2L),
                splitSeed -> {
                    asked.add(splitSeed);
                    return new NestedAlarmEvaluation.Split(trained, outOfFold);
                },
                GRID,
                TARGETS,
                13,
                1,
                20,
                line -> {});

        assertThat(asked).containsExactly(1L, 2L);
        assertThat(record.splits())
                .extracting(NestedAlarmEvaluation.SplitRun::splitSeed)
                .containsExactly(1L, 2L);
        AlarmSelectionRecord.Choice choice = AlarmSelection.run(trained, outOfFold, GRID, TARGETS, 13, 1, 20, l -> {})
                .choice();
        AlarmRule chosen = AlarmRule.DEFAULT
                .withBeats(choice.beats(), choice.window(), choice.ratio())
                .withClearBeats(choice.clearBeats());
        AlarmEvaluation.RuleFigures onTest =
                new AlarmEvaluation(trained, 13, 1, 20).runRule(chosen).defaultRule();
        for (NestedAlarmEvaluation.SplitRun run : record.splits()) {
            assertThat(run.chosen()).isEqualTo(chosen.shortName() + ", K " + choice.clearBeats());
            assertThat(run.chosenOnTest().falseAlarmsPerPatientHour()).isEqualTo(onTest.falseAlarmsPerPatientHour());
            assertThat(run.chosenOnTest().sensitivityByRun()).containsExactly(onTest.sensitivityByRun());
            assertThat(run.chosenMetTargets()).isEqualTo(NestedAlarmEvaluation.meets(onTest, TARGETS));
            assertThat(run.defaultOnTest().rule()).isEqualTo(AlarmRule.DEFAULT.shortName());
        }
        assertThat(record.falseAlarms().mean()).isCloseTo(onTest.falseAlarmsPerPatientHour(), Offset.offset(1e-12));
        assertThat(record.falseAlarms().sd()).isZero();
        assertThat(record.splitsMeetingTargets()).isEqualTo(NestedAlarmEvaluation.meets(onTest, TARGETS) ? 2 : 0);
        assertThat(NestedAlarmEvaluation.markdown(record).lines().filter(l -> l.startsWith("| ")))
                .as("the header, a row per split and the spread")
                .hasSize(4);
        assertThatThrownBy(() -> NestedAlarmEvaluation.run(
                        List.of(),
                        s -> new NestedAlarmEvaluation.Split(trained, outOfFold),
                        GRID,
                        TARGETS,
                        13,
                        1,
                        20,
                        l -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTargetsHoldForEveryLongRunNotOnlyTheFirst() {
        double[] sensitivity = {0, 0, 0.96, 1, 1, 1, 1, 1, 1, 1};
        assertThat(NestedAlarmEvaluation.meets(new AlarmEvaluation.RuleFigures("r", 0.9, sensitivity, 0, 0), TARGETS))
                .isTrue();
        assertThat(NestedAlarmEvaluation.meets(new AlarmEvaluation.RuleFigures("r", 1.1, sensitivity, 0, 0), TARGETS))
                .as("too many false alarms")
                .isFalse();
        double[] lateMiss = sensitivity.clone();
        lateMiss[9] = 0.98;
        assertThat(NestedAlarmEvaluation.meets(new AlarmEvaluation.RuleFigures("r", 0.9, lateMiss, 0, 0), TARGETS))
                .as("a run of 10 below 0.99")
                .isFalse();
        double[] shortMiss = sensitivity.clone();
        shortMiss[2] = 0.94;
        assertThat(NestedAlarmEvaluation.meets(new AlarmEvaluation.RuleFigures("r", 0.9, shortMiss, 0, 0), TARGETS))
                .isFalse();
    }
}
