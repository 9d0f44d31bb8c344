package ecgdetector.streamer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.window.BufferedWindow;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class BufferedWindowSerdeTest {

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
        byte[] key = "p-1".getBytes(StandardCharsets.UTF_8);
        BufferedWindow withAll =
                new BufferedWindow(w.source(), 11, 22, key, new HeartbeatWindow("p-1", "b", 33, samples, 0.0));
        BufferedWindow full = BufferedWindowSerde.fromBytes(BufferedWindowSerde.toBytes(withAll));
        assertThat(full.key()).isEqualTo(key);
        assertThat(full.window().patientId()).isEqualTo("p-1");
        assertThat(full.window().label()).isEqualTo(0.0);
    }

    @Test
    void theTopicsIdAndIncarnationAreKeptAndTheFirstFormatIsStillRead() {
        float[] samples = new float[140];
        samples[3] = 1.5f;
        Uuid id = Uuid.randomUuid();
        BufferedWindow w = new BufferedWindow(
                        new WindowSource("t", 1, 7), 11, 22, null, new HeartbeatWindow(null, null, 33, samples, null))
                .inEpoch(3, id);
        BufferedWindow back = BufferedWindowSerde.fromBytes(BufferedWindowSerde.toBytes(w));
        assertThat(back.topicId()).isEqualTo(id);
        assertThat(back.epoch()).isEqualTo(3);
        assertThat(back.window().samples()).containsExactly(samples);

        // The first format: no incarnation, no topic id, as written before they existed.
        byte[] withoutId = BufferedWindowSerde.toBytes(w.inEpoch(0, null));
        byte[] first = Arrays.copyOf(withoutId, withoutId.length - 4);
        first[0] = 1;
        BufferedWindow old = BufferedWindowSerde.fromBytes(first);
        assertThat(old.source()).isEqualTo(w.source());
        assertThat(old.epoch()).isZero();
        assertThat(old.topicId()).isNull();
        assertThat(old.window().samples()).containsExactly(samples);
    }
}
