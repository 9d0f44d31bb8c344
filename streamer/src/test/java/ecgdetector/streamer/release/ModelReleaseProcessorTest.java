package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The global processor: what it keeps, and what a restarted instance serves before any record arrives. */
class ModelReleaseProcessorTest {

    private final FakeModels models = new FakeModels();
    private final ModelRegistry registry = new ModelRegistry(FakeModels.MODEL, 140, models, StreamerMetrics.noop());
    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore("releases"), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();

    ModelReleaseProcessorTest() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @Test
    void aRestartedInstanceServesTheLastAcceptedReleaseFromItsStore() {
        store.put(FakeModels.MODEL, FakeModels.release("kept", 1.0).toBytes());
        new ModelReleaseProcessor("releases", registry).init(context);
        assertThat(registry.serving()).map(m -> m.version()).contains("kept");
    }

    @Test
    void onlyAcceptedReleasesReplaceTheStoredOne() {
        ModelReleaseProcessor processor = new ModelReleaseProcessor("releases", registry);
        processor.init(context);
        assertThat(registry.hasModel()).isFalse();

        processor.process(
                new Record<>(FakeModels.MODEL, FakeModels.release("v1", 1.0).toBytes(), 0L));
        processor.process(
                new Record<>(FakeModels.MODEL, FakeModels.nanRelease("v2").toBytes(), 0L));
        processor.process(new Record<>(
                "other", FakeModels.release("other", "x", 1.0, 140, "w").toBytes(), 0L));

        assertThat(registry.serving()).map(m -> m.version()).contains("v1");
        assertThat(new String(store.get(FakeModels.MODEL), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"v1\"");
        assertThat(store.get("other")).isNull();

        // The same instance restarted: the rejected v2 is still not served; v1 is, straight from the store.
        ModelRegistry restarted = new ModelRegistry(FakeModels.MODEL, 140, models, StreamerMetrics.noop());
        new ModelReleaseProcessor("releases", restarted).init(context);
        assertThat(restarted.serving()).map(m -> m.version()).contains("v1");
    }
}
