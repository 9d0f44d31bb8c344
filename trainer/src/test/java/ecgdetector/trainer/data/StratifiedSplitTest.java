package ecgdetector.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    /** 70 normal and 30 abnormal beats, each beat's single sample its row number. */
    private static Heartbeats hundred() {
        float[][] beats = new float[100][];
        boolean[] normal = new boolean[100];
        for (int i = 0; i < 100; i++) {
            beats[i] = new float[] {i};
            normal[i] = i % 10 < 7;
        }
        return new Heartbeats(beats, normal);
    }

    @Test
    void keepsTheClassSharesInBothParts() {
        StratifiedSplit.Parts parts = StratifiedSplit.split(hundred(), 0.2, 42);

        assertThat(parts.heldOut().size()).isEqualTo(20);
        assertThat(parts.heldOut().countNormal()).isEqualTo(14);
        assertThat(parts.kept().size()).isEqualTo(80);
        assertThat(parts.kept().countNormal()).isEqualTo(56);
    }

    @Test
    void partsAreDisjointAndCoverEveryRow() {
        StratifiedSplit.Parts parts = StratifiedSplit.split(hundred(), 0.2, 42);
        Set<Float> seen = new HashSet<>();
        for (float[] b : parts.kept().beats()) {
            seen.add(b[0]);
        }
        for (float[] b : parts.heldOut().beats()) {
            assertThat(seen.add(b[0])).as("row %s in both parts", b[0]).isTrue();
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        Heartbeats all = hundred();
        assertThat(StratifiedSplit.split(all, 0.2, 42)).isEqualTo(StratifiedSplit.split(all, 0.2, 42));
        assertThat(StratifiedSplit.split(all, 0.2, 43).heldOut())
                .isNotEqualTo(StratifiedSplit.split(all, 0.2, 42).heldOut());
    }

    @Test
    void refusesFractionsOutsideZeroToOne() {
        assertThatThrownBy(() -> StratifiedSplit.split(hundred(), 1.0, 1)).hasMessageContaining("must be in (0, 1)");
        assertThatThrownBy(() -> StratifiedSplit.split(hundred(), 0, 1)).hasMessageContaining("must be in (0, 1)");
    }
}
