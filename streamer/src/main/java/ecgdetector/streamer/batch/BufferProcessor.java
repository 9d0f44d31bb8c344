package ecgdetector.streamer.batch;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.WindowBatch;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers a task's windows into batches: each window goes into the task's {@link WindowBuffer}; a batch of
 * the oldest {@code batchSize} windows is forwarded as soon as that many wait, and a wall-clock punctuator
 * forwards whatever waits once the oldest window has waited {@code maxWait}. Windows are removed from the
 * store only after their batch was forwarded (and so scored and emitted) in the same processing step, so the
 * outputs and the removal commit in one exactly-once transaction.
 *
 * <p>While no model is loaded nothing is forwarded: windows wait in the store, and are flushed once a model
 * arrives.
 */
public final class BufferProcessor implements Processor<byte[], HeartbeatWindow, Void, WindowBatch> {

    /** Most windows one punctuation forwards, so a large backlog drains over several short transactions. */
    static final int DRAIN_BUDGET = 16_384;
    /** Windows a task queues in memory (about 12 MB); a longer backlog waits in the store only. */
    static final int WINDOWS_IN_MEMORY = 16_384;

    private static final Logger log = LoggerFactory.getLogger(BufferProcessor.class);
    private static final long WAITING_LOG_INTERVAL_MS = 30_000;

    private final String storeName;
    private final int batchSize;
    private final long maxWaitMs;
    private final Duration tick;
    private final BooleanSupplier modelReady;
    private final StreamerMetrics metrics;

    private ProcessorContext<Void, WindowBatch> context;
    private WindowBuffer buffer;
    private long lastWaitingLog;

    public BufferProcessor(
            String storeName,
            int batchSize,
            Duration maxWait,
            Duration tick,
            BooleanSupplier modelReady,
            StreamerMetrics metrics) {
        this.storeName = storeName;
        this.batchSize = batchSize;
        this.maxWaitMs = maxWait.toMillis();
        this.tick = tick;
        this.modelReady = modelReady;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, WindowBatch> context) {
        this.context = context;
        KeyValueStore<Bytes, BufferedWindow> store = context.getStateStore(storeName);
        buffer = new WindowBuffer(store, Math.max(WINDOWS_IN_MEMORY, 2 * batchSize));
        metrics.buffered(buffer.size());
        if (!buffer.isEmpty()) {
            log.info(
                    "Task {}: {} windows restored into the batch buffer; they are scored {}",
                    context.taskId(),
                    buffer.size(),
                    modelReady.getAsBoolean() ? "now" : "once a model is loaded");
        }
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<byte[], HeartbeatWindow> record) {
        RecordMetadata meta = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a heartbeat window without source metadata"));
        long now = context.currentSystemTimeMs();
        if (!buffer.append(new BufferedWindow(
                new WindowSource(meta.topic(), meta.partition(), meta.offset()),
                record.timestamp(),
                now,
                record.key(),
                record.value()))) {
            log.debug(
                    "Task {}: {}/{}/{} replayed (at-least-once) and already buffered or scored; not added again",
                    context.taskId(),
                    meta.topic(),
                    meta.partition(),
                    meta.offset());
            return;
        }
        metrics.buffered(1);
        if (buffer.size() >= batchSize && modelReady.getAsBoolean()) {
            forwardOldest(now);
        }
    }

    private void punctuate(long now) {
        if (buffer.isEmpty()) {
            return;
        }
        if (!modelReady.getAsBoolean()) {
            if (now - lastWaitingLog >= WAITING_LOG_INTERVAL_MS) {
                lastWaitingLog = now;
                log.info("Task {}: {} windows wait for the first model release", context.taskId(), buffer.size());
            }
            return;
        }
        int forwarded = 0;
        while (!buffer.isEmpty()
                && forwarded < DRAIN_BUDGET
                && (buffer.size() >= batchSize || now - buffer.oldestBufferedAt() >= maxWaitMs)) {
            forwarded += forwardOldest(now);
        }
    }

    private int forwardOldest(long now) {
        List<BufferedWindow> batch = buffer.oldest(batchSize);
        context.forward(new Record<>(null, new WindowBatch(batch), now));
        buffer.remove(batch);
        metrics.buffered(-batch.size());
        return batch.size();
    }

    @Override
    public void close() {
        if (buffer != null) {
            // The windows stay in the store; this instance just stops counting them.
            metrics.buffered(-buffer.size());
        }
    }
}
