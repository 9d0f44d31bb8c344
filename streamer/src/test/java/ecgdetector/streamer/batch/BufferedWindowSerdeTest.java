package ecgdetector.streamer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.window.BufferedWindow;
import org.junit.jupiter.api.Test;

class BufferedWindowSerdeTest {

    private static final BufferedWindow WINDOW = new BufferedWindow(
            new WindowSource("ecg.heartbeats", 2, 1234),
            1_700_000_000_000L,
            1_700_000_000_050L,
            "p-1".getBytes(),
            new HeartbeatWindow("p-1", "b-7", 1_699_999_999_990L, new float[140], 0.0));

    @Test
    void bufferedWindowsSurviveTheStoreFormatBitForBit() {
        float[] samples = new float[140];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) Math.sin(i) * 1e-3f + (i == 7 ? -0f : 0f);
        }
        BufferedWindow w = new BufferedWindow(
                new WindowSource("t", 3, 99), 11, 22, null, new HeartbeatWindow(null, "ü-beat", 33, samples, null));
        BufferedWindow back = BufferedWindowSerde.fromBytes(BufferedWindowSerde.toBytes(w));
        assertThat(back.source()).isEqualTo(w.source());
        assertThat(back.key()).isNull();
        assertThat(back.recordTimestamp()).isEqualTo(11);
        assertThat(back.bufferedAt()).isEqualTo(22);
        assertThat(back.window().beatId()).isEqualTo("ü-beat");
        assertThat(back.window().patientId()).isNull();
        assertThat(back.window().label()).isNull();
        assertThat(back.window().eventTime()).isEqualTo(33);
        for (int i = 0; i < samples.length; i++) {
            assertThat(Float.floatToRawIntBits(back.window().samples()[i]))
                    .isEqualTo(Float.floatToRawIntBits(samples[i]));
        }
        BufferedWindow full = BufferedWindowSerde.fromBytes(BufferedWindowSerde.toBytes(WINDOW));
        assertThat(full.key()).isEqualTo(WINDOW.key());
        assertThat(full.window().patientId()).isEqualTo("p-1");
        assertThat(full.window().label()).isEqualTo(0.0);
    }
}
