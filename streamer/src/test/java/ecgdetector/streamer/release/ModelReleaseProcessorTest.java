package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** The global processor: which records of the models topic reach the registry, and in what form. */
class ModelReleaseProcessorTest {

    private final FakeModels models = new FakeModels();
    private final StreamerMetrics metrics = new StreamerMetrics(new SimpleMeterRegistry());
    private final ModelRegistry registry = new ModelRegistry(
            FakeModels.MODEL, 140, models, metrics, TestKeys.trainer().verifier(), false);
    private final ModelReleaseProcessor processor = new ModelReleaseProcessor(registry);

    ModelReleaseProcessorTest() {
        processor.init(new MockProcessorContext<>());
    }

    private void process(ecgdetector.model.release.ReleaseRecord record) {
        processor.process(new Record<>(record.key(), record.value(), 0L, record.headers()));
    }

    @Test
    void releasesOfTheServedModelAreOfferedWithTheirHeadersOthersIgnored() {
        process(FakeModels.signed(FakeModels.release("v1", 1.0)));
        process(FakeModels.signed(FakeModels.release("other", "x", 1.0, 140, "w")));
        processor.process(new Record<>("unrelated-key", "x".getBytes(StandardCharsets.UTF_8), 0L));

        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
        assertThat(models.loaded).hasSize(1);
        assertThat(metrics.releasesRejected()).isZero();
    }

    @Test
    void aRecordKeyedWithThePlainModelNameIsRejectedAndATombstoneIgnored() {
        process(FakeModels.signed(FakeModels.release("v1", 1.0)));
        processor.process(new Record<>(FakeModels.MODEL, "junk".getBytes(StandardCharsets.UTF_8), 0L));
        processor.process(new Record<>(FakeModels.MODEL + "/v1", (byte[]) null, 0L));

        assertThat(metrics.releasesRejected()).isEqualTo(1);
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
    }
}
