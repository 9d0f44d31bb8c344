package ecgdetector.streamer.batch;

import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.ops.InputTopicId;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.ops.TaskBuffers;
import ecgdetector.streamer.ops.UnscoredTasks;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.WindowBatch;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
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
 * outputs and the removal commit in one exactly-once transaction; the windows the scoring step left waiting
 * (its model was marked failed meanwhile) stay.
 *
 * <p>While no model can score nothing is forwarded: windows wait in the store, and are flushed once one can.
 * A record at or below an offset the buffer already held is a replay and is not buffered again: a WARN at most
 * once a minute and {@code ecg_windows_replayed_total} say so, after the input topic's id has been looked up
 * again, since a topic deleted and created again starts its offsets at 0.
 *
 * <p>The punctuator is scheduled only while windows wait: Kafka Streams marks a task as needing a commit after
 * every punctuation that ran, so a punctuator ticking every few milliseconds over an empty buffer made an idle
 * streamer commit an exactly-once transaction every commit interval, costing it and the broker CPU for nothing.
 */
public final class BufferProcessor implements Processor<byte[], HeartbeatWindow, Void, WindowBatch> {

    /** Most windows one punctuation forwards, so a large backlog drains over several short transactions. */
    static final int DRAIN_BUDGET = 16_384;

    private static final Logger log = LoggerFactory.getLogger(BufferProcessor.class);
    private static final long WAITING_LOG_INTERVAL_MS = 30_000;
    private static final long REPLAY_LOG_INTERVAL_MS = 60_000;

    private final String storeName;
    private final int batchSize;
    private final long maxWaitMs;
    private final Duration tick;
    private final BooleanSupplier modelReady;
    private final Shared shared;

    private ProcessorContext<Void, WindowBatch> context;
    private WindowBuffer buffer;
    private TaskBuffers.Entry report;
    private long lastWaitingLog;
    /** The punctuator while windows wait; null while the buffer is empty. */
    private Cancellable ticking;

    private long lastReplayLog = Long.MIN_VALUE;
    private long replayedSinceLog;

    /**
     * What the buffers of all tasks of one instance share.
     *
     * @param memory     the in-memory queues' budget
     * @param tasks      where each task reports what it holds, for the health check
     * @param inputTopic the input topic's id
     * @param unscored   the tasks holding windows no model can score now, for the alarm stage (NOT_MONITORED)
     */
    public record Shared(
            QueueBudget memory,
            TaskBuffers tasks,
            InputTopicId inputTopic,
            StreamerMetrics metrics,
            UnscoredTasks unscored) {}

    /** @param modelReady whether a model can score now (one serves, and it is not marked failed) */
    public BufferProcessor(
            String storeName,
            int batchSize,
            Duration maxWait,
            Duration tick,
            BooleanSupplier modelReady,
            Shared shared) {
        this.storeName = storeName;
        this.batchSize = batchSize;
        this.maxWaitMs = maxWait.toMillis();
        this.tick = tick;
        this.modelReady = modelReady;
        this.shared = shared;
    }

    @Override
    public void init(ProcessorContext<Void, WindowBatch> context) {
        this.context = context;
        KeyValueStore<Bytes, BufferedWindow> store = context.getStateStore(storeName);
        if (!UnflushedTombstones.skip(store)) {
            log.debug(
                    "Task {}: the batch buffer has no record cache; every removed window is written", context.taskId());
        }
        long now = context.currentSystemTimeMs();
        buffer = new WindowBuffer(store, shared.memory(), 2 * batchSize, now);
        report = shared.tasks().open(context.taskId().toString(), now);
        report.update(buffer.size(), now, false);
        shared.metrics().buffered(buffer.size());
        if (!buffer.isEmpty()) {
            log.info(
                    "Task {}: {} windows restored into the batch buffer; they are scored {}",
                    context.taskId(),
                    buffer.size(),
                    modelReady.getAsBoolean() ? "now" : "once a model can score them");
        }
        if (!buffer.isEmpty()) {
            startTicking();
        }
    }

    private void startTicking() {
        if (ticking == null) {
            ticking = context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
        }
    }

    private void stopTickingIfEmpty() {
        if (ticking != null && buffer.isEmpty()) {
            ticking.cancel();
            ticking = null;
        }
    }

    @Override
    public void process(Record<byte[], HeartbeatWindow> record) {
        RecordMetadata meta = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a heartbeat window without source metadata"));
        long now = context.currentSystemTimeMs();
        BufferedWindow window = new BufferedWindow(
                new WindowSource(meta.topic(), meta.partition(), meta.offset()),
                record.timestamp(),
                now,
                record.key(),
                record.value(),
                shared.inputTopic().current(),
                0);
        WindowBuffer.Append added = buffer.append(window);
        if (added == WindowBuffer.Append.REPLAYED) {
            // Either a replay, or the first records of a topic created again whose id this instance has not seen.
            added = buffer.append(window.inEpoch(0, shared.inputTopic().refresh()));
        }
        if (added == WindowBuffer.Append.REPLAYED) {
            replayed(meta, now);
            return;
        }
        if (added == WindowBuffer.Append.ADDED_TO_RECREATED_TOPIC) {
            log.warn(
                    "Task {}: {}/{} now holds offsets of a new topic of that name (id {}); its windows wait after "
                            + "the {} of the old one",
                    context.taskId(),
                    meta.topic(),
                    meta.partition(),
                    shared.inputTopic().current(),
                    buffer.size() - 1);
        }
        shared.metrics().buffered(1);
        report.update(buffer.size(), now, false);
        if (buffer.size() >= batchSize && modelReady.getAsBoolean()) {
            forwardOldest(now);
        }
        if (buffer.isEmpty()) {
            stopTickingIfEmpty();
        } else {
            startTicking();
        }
    }

    /** A record this buffer already held: counted, and a WARN at most once a minute per task. */
    private void replayed(RecordMetadata meta, long now) {
        shared.metrics().windowReplayed();
        replayedSinceLog++;
        if (lastReplayLog == Long.MIN_VALUE || now - lastReplayLog >= REPLAY_LOG_INTERVAL_MS) {
            log.warn(
                    "Task {}: {} input records at or below an offset this task already buffered (latest {}/{}/{}, "
                            + "topic id {}) were not buffered again: replays, which exactly-once should not produce; "
                            + "check processing.guarantee",
                    context.taskId(),
                    replayedSinceLog,
                    meta.topic(),
                    meta.partition(),
                    meta.offset(),
                    buffer.topicId(meta.partition()));
            replayedSinceLog = 0;
            lastReplayLog = now;
        }
    }

    private void punctuate(long now) {
        if (buffer.isEmpty()) {
            shared.unscored().scoring(context.taskId());
            stopTickingIfEmpty();
            return;
        }
        if (!modelReady.getAsBoolean()) {
            shared.unscored().waiting(context.taskId(), now);
            if (now - lastWaitingLog >= WAITING_LOG_INTERVAL_MS) {
                lastWaitingLog = now;
                log.info(
                        "Task {}: {} windows wait for a model that can score them (none serves yet, or the serving one"
                                + " is marked failed)",
                        context.taskId(),
                        buffer.size());
            }
            return;
        }
        shared.unscored().scoring(context.taskId());
        int forwarded = 0;
        while (!buffer.isEmpty()
                && forwarded < DRAIN_BUDGET
                && modelReady.getAsBoolean()
                && (buffer.size() >= batchSize || now - buffer.oldestBufferedAt() >= maxWaitMs)) {
            int removed = forwardOldest(now);
            if (removed == 0) {
                break; // nothing can be scored now: the windows wait
            }
            forwarded += removed;
        }
        stopTickingIfEmpty();
    }

    /**
     * Forwards the oldest windows as a batch and removes the ones the scoring step dealt with.
     *
     * @return how many were removed; fewer than the batch when scoring stopped (its model was marked failed)
     */
    private int forwardOldest(long now) {
        WindowBatch batch = new WindowBatch(buffer.oldest(batchSize));
        context.forward(new Record<>(null, batch, now));
        int handled = batch.handled();
        buffer.remove(batch.windows().subList(0, handled));
        shared.metrics().buffered(-handled);
        report.update(buffer.size(), now, handled > 0);
        return handled;
    }

    @Override
    public void close() {
        if (context != null) {
            shared.unscored().scoring(context.taskId());
        }
        if (buffer != null) {
            // The windows stay in the store; this instance just stops counting them.
            shared.metrics().buffered(-buffer.size());
            buffer.release();
            shared.tasks().close(report, System.currentTimeMillis());
        }
    }
}
