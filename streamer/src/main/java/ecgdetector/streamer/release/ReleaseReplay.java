package ecgdetector.streamer.release;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Tells the {@link ModelRegistry} when Kafka Streams reads the models topic from its beginning at startup (the
 * restore of the global store {@link ModelReleaseProcessor} belongs to) and when it reached the end, so that only
 * the release serving at the end is loaded. Kafka Streams' global restore listener; other stores are ignored.
 */
public final class ReleaseReplay implements StateRestoreListener {

    private final String storeName;
    private final ModelRegistry registry;

    public ReleaseReplay(String storeName, ModelRegistry registry) {
        this.storeName = storeName;
        this.registry = registry;
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        if (storeName.equals(store)) {
            registry.replayStarted();
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        // Each record was offered to the registry as it was read.
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        if (storeName.equals(store)) {
            registry.replayEnded();
        }
    }
}
