package ecgdetector.trainer.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RangeTest {

    @Test
    void saysWhatItAcceptsAsTheDocsShowIt() {
        assertThat(Range.POSITIVE).hasToString("> 0");
        assertThat(new Range(1, true, Double.POSITIVE_INFINITY, false)).hasToString(">= 1");
        assertThat(Range.OPEN_UNIT).hasToString("(0, 1)");
        assertThat(Range.UNIT_BELOW_ONE).hasToString("[0, 1)");
        assertThat(new Range(0.5, true, 2.25, true)).hasToString("[0.5, 2.25]");
    }

    @Test
    void boundsAreIncludedOrNotAsDeclaredAndNaNAndInfinityAreOutside() {
        assertThat(Range.UNIT_BELOW_ONE.contains(0)).isTrue();
        assertThat(Range.UNIT_BELOW_ONE.contains(1)).isFalse();
        assertThat(Range.OPEN_UNIT.contains(0)).isFalse();
        assertThat(Range.OPEN_UNIT.contains(0.999)).isTrue();
        assertThat(Range.POSITIVE.contains(Double.MIN_VALUE)).isTrue();
        assertThat(Range.POSITIVE.contains(Double.NaN)).isFalse();
        assertThat(Range.POSITIVE.contains(Double.POSITIVE_INFINITY)).isFalse();
    }

    @Test
    void aValueOutsideIsRefusedWithWhatAndWhy() {
        assertThat(Range.POSITIVE.require("epochs", 3)).isEqualTo(3);
        assertThatThrownBy(() -> Range.POSITIVE.require("epochs", 0)).hasMessage("epochs must be > 0, got 0");
        assertThatThrownBy(() -> Range.OPEN_UNIT.require("share", 1.0)).hasMessage("share must be in (0, 1), got 1.0");
    }
}
