package ecgdetector.streamer.release;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global processor of {@code ecg.models}: every instance of the streamer reads every release. Releases of
 * the served model name are offered to the {@link ModelRegistry}, which verifies, loads and swaps them in on
 * this (the global) thread, so loading never stalls a stream thread. The global store keeps, per model name,
 * the last release that was <em>accepted</em>: a rejected release never replaces a good one.
 *
 * <p>On restart, Kafka Streams 4.3 replays the models topic from the store's checkpoint through this
 * processor (it reprocesses on restore, KAFKA-7663), and {@link #init} loads the release the store already
 * holds, so the latest good release serves again before any window is scored.
 */
public final class ModelReleaseProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(ModelReleaseProcessor.class);

    private final String storeName;
    private final ModelRegistry registry;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    public ModelReleaseProcessor(String storeName, ModelRegistry registry) {
        this.storeName = storeName;
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        byte[] stored = store.get(registry.modelName());
        if (stored != null) {
            registry.offer(stored, "the local copy of the last accepted release");
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String origin = context.recordMetadata()
                .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset())
                .orElse("the models topic");
        if (!registry.modelName().equals(record.key())) {
            log.debug(
                    "Ignoring release of model '{}' at {}: this streamer serves '{}'",
                    record.key(),
                    origin,
                    registry.modelName());
            return;
        }
        if (record.value() == null) {
            log.warn(
                    "Ignoring a tombstone for model {} at {}: the serving model stays; to replace it, publish a release",
                    record.key(),
                    origin);
            return;
        }
        if (registry.offer(record.value(), origin) instanceof ModelRegistry.Outcome.Accepted) {
            store.put(record.key(), record.value());
        }
    }
}
