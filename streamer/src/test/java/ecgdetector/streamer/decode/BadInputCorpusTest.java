package ecgdetector.streamer.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.Rejection;
import ecgdetector.streamer.testing.BadInputCorpus;
import ecgdetector.streamer.testing.BadInputCorpus.Bad;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.TopologyHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bad-input corpus against the decoder alone: each record gets its reason. {@code BadInputCorpusIT} runs it live. */
class BadInputCorpusTest {

    private final HeartbeatDecoder decoder = new HeartbeatDecoder(140, 10_000, 65_536);

    @Test
    void everyMalformedRecordIsRejectedForItsOwnReasonAndTheWindowItSpoilsIsValid() {
        float[] samples = FakeModels.constant(0.25f);
        samples[3] = -1.5f;
        String good = TopologyHarness.csv(samples) + ",1.0";
        assertThat(decoder.decode(null, good.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0L))
                .isInstanceOf(HeartbeatWindow.class);

        List<Bad> corpus = BadInputCorpus.around(good, 8 * 1024 * 1024 - 16 * 1024);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(50);
        assertThat(corpus).allSatisfy(bad -> {
            Decoded d = decoder.decode(bad.key() == null ? "patient-1".getBytes() : bad.key(), bad.value(), 0L);
            assertThat(d).as(bad.name()).isInstanceOf(Rejection.class);
            Rejection r = (Rejection) d;
            assertThat(r.reason()).as("%s: %s", bad.name(), r.detail()).isEqualTo(bad.reason());
            assertThat(r.detail())
                    .as(bad.name())
                    .isNotBlank()
                    .doesNotContain("\n")
                    .hasSizeLessThan(300);
        });
    }
}
