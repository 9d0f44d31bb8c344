package ecgdetector.streamer;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Kafka Streams takes one restore listener for all its stores; this hands each event to several, each of which
 * picks out the store it is about (the models' replay, the batch buffers' restores).
 */
final class RestoreListeners implements StateRestoreListener {

    private final List<StateRestoreListener> listeners;

    RestoreListeners(List<StateRestoreListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        listeners.forEach(l -> l.onRestoreStart(partition, store, startingOffset, endingOffset));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        listeners.forEach(l -> l.onBatchRestored(partition, store, batchEndOffset, numRestored));
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        listeners.forEach(l -> l.onRestoreEnd(partition, store, totalRestored));
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        listeners.forEach(l -> l.onRestoreSuspended(partition, store, totalRestored));
    }
}
