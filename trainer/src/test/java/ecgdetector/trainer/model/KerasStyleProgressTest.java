package ecgdetector.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KerasStyleProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void printsTwoLinesPerEpochWhenNotATerminal() {
        KerasStyleProgress progress = new KerasStyleProgress(out, false);

        runEpoch(progress, new EpochStats(3, 0.0123, 0.004, 0.011, 0.0031, 0.06));
        runEpoch(progress, new EpochStats(4, 0.0001234, 0.00004, Double.NaN, Double.NaN, 1.5));

        assertThat(printed()).isEqualTo("""
                        Epoch 3/20
                        5/5 ━━━━━━━━━━━━━━━━━━━━ 0s 12ms/step - loss: 0.0123 - mse: 0.0040 \
                        - val_loss: 0.0110 - val_mse: 0.0031
                        Epoch 4/20
                        5/5 ━━━━━━━━━━━━━━━━━━━━ 1s 300ms/step - loss: 1.2340e-04 - mse: 4.0000e-05
                        """);
    }

    @Test
    void redrawsInPlaceOnATerminal() {
        KerasStyleProgress progress = new KerasStyleProgress(out, true);

        runEpoch(progress, new EpochStats(1, 0.5, 0.25, 0.4, 0.2, 0.06));

        String printed = printed();
        assertThat(printed).startsWith("Epoch 1/20\n\r1/5 ━━━━────────────────");
        assertThat(printed)
                .endsWith("\r5/5 ━━━━━━━━━━━━━━━━━━━━ 0s 12ms/step - loss: 0.5000 - mse: 0.2500"
                        + " - val_loss: 0.4000 - val_mse: 0.2000\n");
    }

    @Test
    void formatsLikeKeras() {
        assertThat(KerasStyleProgress.perStep(2.4)).isEqualTo("2s/step");
        assertThat(KerasStyleProgress.perStep(0.0123)).isEqualTo("12ms/step");
        assertThat(KerasStyleProgress.perStep(0.000849)).isEqualTo("849us/step");
        assertThat(KerasStyleProgress.metric(0.01234567)).isEqualTo("0.0123");
        assertThat(KerasStyleProgress.metric(0.0009)).isEqualTo("9.0000e-04");
    }

    private static void runEpoch(KerasStyleProgress progress, EpochStats stats) {
        progress.epochStarted(stats.epoch(), 20, 5);
        for (int batch = 1; batch <= 5; batch++) {
            progress.batchFinished(batch, stats.loss());
        }
        progress.epochFinished(stats);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
