package ecgdetector.streamer.membership;

import ecgdetector.streamer.ops.StreamerMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says how long a task waited for its batch buffer: a task that starts on an instance without an up-to-date copy
 * (after a crash, or a move to an instance that held no standby) reads the buffer's changelog back before it
 * scores anything. Each restore is logged with its size and time and counted in {@link StreamerMetrics}.
 */
public final class BufferRestores implements StateRestoreListener {

    private static final Logger log = LoggerFactory.getLogger(BufferRestores.class);

    private final String storeName;
    private final StreamerMetrics metrics;
    private final Map<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();

    public BufferRestores(String storeName, StreamerMetrics metrics) {
        this.storeName = storeName;
        this.metrics = metrics;
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        if (store.equals(storeName)) {
            startedAt.put(partition, System.nanoTime());
            log.info(
                    "Restoring the batch buffer of {} from offset {} to {} of its changelog before scoring it",
                    partition,
                    startingOffset,
                    endingOffset);
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        // The totals come with onRestoreEnd.
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        Long start = startedAt.remove(partition);
        if (store.equals(storeName) && start != null) {
            long nanos = System.nanoTime() - start;
            metrics.restored(totalRestored, nanos);
            log.info(
                    "Restored the batch buffer of {}: {} changelog records in {} ms",
                    partition,
                    totalRestored,
                    nanos / 1_000_000);
        }
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        startedAt.remove(partition);
    }
}
