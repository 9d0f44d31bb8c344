package ecgdetector.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AutoencoderTranslatorTest {

    @Test
    void worstPositionsAreLargestFirstWithTiesToTheEarlierPosition() {
        double[] errors = {0.1, 0.9, 0.3, 0.9, 0.0, 0.5, 0.2};
        assertThat(AutoencoderTranslator.worstPositions(errors, 5)).containsExactly(1, 3, 5, 2, 6);
    }

    @Test
    void worstPositionsOfAShortBeatNameEveryPosition() {
        assertThat(AutoencoderTranslator.worstPositions(new double[] {0.2, 0.4}, 5))
                .containsExactly(1, 0);
    }

    @Test
    void aBatchRunsAsOneOfTwoTensorShapes() {
        assertThat(AutoencoderTranslator.tensorRows(0)).isEqualTo(64);
        assertThat(AutoencoderTranslator.tensorRows(1)).isEqualTo(64);
        assertThat(AutoencoderTranslator.tensorRows(64)).isEqualTo(64);
        assertThat(AutoencoderTranslator.tensorRows(65)).isEqualTo(256);
        assertThat(AutoencoderTranslator.tensorRows(256)).isEqualTo(256);
        assertThatThrownBy(() -> AutoencoderTranslator.tensorRows(257))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in parts");
    }

    @Test
    void theShapesToWarmAreThoseBatchesUpToTheLargestRunAs() {
        assertThat(AutoencoderTranslator.tensorShapes(1)).containsExactly(64);
        assertThat(AutoencoderTranslator.tensorShapes(64)).containsExactly(64);
        assertThat(AutoencoderTranslator.tensorShapes(65)).containsExactly(64, 256);
        assertThat(AutoencoderTranslator.tensorShapes(5000)).containsExactly(64, 256);
        assertThatThrownBy(() -> AutoencoderTranslator.tensorShapes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
