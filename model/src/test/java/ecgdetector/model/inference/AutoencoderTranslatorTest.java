package ecgdetector.model.inference;

import static org.assertj.core.api.Assertions.assertThat;

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
}
