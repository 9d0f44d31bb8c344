package ecgdetector.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StratifiedFoldsTest {

    /** 23 normal and 12 abnormal beats, each beat's one sample its row number. */
    private static Heartbeats beats() {
        float[][] beats = new float[35][];
        boolean[] normal = new boolean[35];
        for (int i = 0; i < beats.length; i++) {
            beats[i] = new float[] {i};
            normal[i] = i % 3 != 0;
        }
        return new Heartbeats(beats, normal);
    }

    @Test
    void everyBeatIsHeldOutExactlyOnceAndEachFoldKeepsTheClassShares() {
        Heartbeats all = beats();
        StratifiedFolds folds = StratifiedFolds.of(all, 5, 11);
        Set<Float> heldOut = new HashSet<>();
        for (int f = 0; f < folds.folds(); f++) {
            StratifiedSplit.Parts parts = folds.fold(f);
            assertThat(parts.kept().size() + parts.heldOut().size()).isEqualTo(all.size());
            for (float[] beat : parts.heldOut().beats()) {
                assertThat(heldOut.add(beat[0]))
                        .as("beat %s held out twice", beat[0])
                        .isTrue();
            }
            // 23 normal beats over 5 folds: 4 or 5 each; 12 abnormal: 2 or 3 each.
            assertThat(parts.heldOut().countNormal()).isBetween(4, 5);
            assertThat(parts.heldOut().size() - parts.heldOut().countNormal()).isBetween(2, 3);
            Set<Float> inFold = new HashSet<>();
            for (float[] beat : parts.heldOut().beats()) {
                inFold.add(beat[0]);
            }
            for (float[] kept : parts.kept().beats()) {
                assertThat(inFold).doesNotContain(kept[0]);
            }
        }
        assertThat(heldOut).hasSize(all.size());
    }

    @Test
    void theSameSeedGivesTheSameFoldsAndAnotherSeedOthers() {
        assertThat(StratifiedFolds.of(beats(), 5, 11).assignment())
                .containsExactly(StratifiedFolds.of(beats(), 5, 11).assignment());
        assertThat(StratifiedFolds.of(beats(), 5, 11).assignment())
                .isNotEqualTo(StratifiedFolds.of(beats(), 5, 12).assignment());
    }

    @Test
    void partsKeepTheBeatsOrder() {
        StratifiedSplit.Parts parts = StratifiedFolds.of(beats(), 3, 1).fold(2);
        for (Heartbeats part : new Heartbeats[] {parts.kept(), parts.heldOut()}) {
            for (int i = 1; i < part.size(); i++) {
                assertThat(part.beats()[i][0]).isGreaterThan(part.beats()[i - 1][0]);
            }
        }
    }

    @Test
    void refusesFoldsThatCannotHoldEveryClass() {
        assertThatThrownBy(() -> StratifiedFolds.of(beats(), 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("folds must be >= 2");
        assertThatThrownBy(() -> StratifiedFolds.of(beats(), 13, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("13 folds need at least 13 abnormal beats, got 12");
        assertThatThrownBy(() -> StratifiedFolds.of(beats(), 5, 1).fold(5))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
