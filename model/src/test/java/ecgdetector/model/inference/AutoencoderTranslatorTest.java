package ecgdetector.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.TreeSet;
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
    void batchesArePaddedToFewShapes() {
        assertThat(AutoencoderTranslator.paddedRows(0)).isEqualTo(1);
        assertThat(AutoencoderTranslator.paddedRows(1)).isEqualTo(1);
        assertThat(AutoencoderTranslator.paddedRows(2)).isEqualTo(2);
        assertThat(AutoencoderTranslator.paddedRows(3)).isEqualTo(4);
        assertThat(AutoencoderTranslator.paddedRows(129)).isEqualTo(256);
        assertThat(AutoencoderTranslator.paddedRows(256)).isEqualTo(256);
        assertThat(AutoencoderTranslator.paddedRows(1024)).isEqualTo(1024);
        assertThat(AutoencoderTranslator.paddedRows(1025)).isEqualTo(2048);
        assertThat(AutoencoderTranslator.paddedRows(4097)).isEqualTo(5120);
        Set<Integer> shapes = new TreeSet<>();
        for (int n = 1; n <= 1024; n++) {
            int rows = AutoencoderTranslator.paddedRows(n);
            assertThat(rows).isGreaterThanOrEqualTo(n).isLessThan(2 * n + 1);
            shapes.add(rows);
        }
        assertThat(shapes).hasSize(11);
    }

    @Test
    void theShapesToWarmAreEveryPaddedRowCountUpToTheLargestBatchSmallestFirst() {
        assertThat(AutoencoderTranslator.paddedShapes(1)).containsExactly(1);
        assertThat(AutoencoderTranslator.paddedShapes(256)).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256);
        assertThat(AutoencoderTranslator.paddedShapes(300)).endsWith(256, 512);
        assertThat(AutoencoderTranslator.paddedShapes(2500)).endsWith(512, 1024, 2048, 3072);
        assertThatThrownBy(() -> AutoencoderTranslator.paddedShapes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
