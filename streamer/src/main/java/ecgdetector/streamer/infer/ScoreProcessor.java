package ecgdetector.streamer.infer;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.DeadLetter;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.ScoringFailure;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.release.ModelFailures;
import ecgdetector.streamer.release.ModelLease;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.DeadLettered;
import ecgdetector.streamer.window.ScoredBatch;
import ecgdetector.streamer.window.WindowBatch;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a batch in one inference call with the serving model (on this thread's predictor) and forwards the
 * windows that got a score, with their scores, as one {@link ScoredBatch} to the emitting step.
 *
 * <p>A model that fails at run time neither drops windows silently nor wedges the stream (a thrown exception
 * would replace the thread, replay the batch and fail again, forever): if the batch call fails, each of its
 * windows is scored alone on a fresh predictor, and a window that still fails, or whose score is NaN or
 * infinite, goes to the dead-letter topic ({@code SCORING_FAILED}, {@code NON_FINITE_SCORE}, with the model
 * version), is counted in {@code ecg_dead_letters_total{reason}} and logged at ERROR. Every other window of the
 * batch is scored as usual. A version that fails {@link ModelFailures#limit()} windows in a row is marked failed
 * ({@link ModelFailures}): from then on the windows of the batch are left waiting in the buffer
 * ({@link WindowBatch#deferFrom}), as they are while no model serves.
 */
public final class ScoreProcessor implements Processor<Void, WindowBatch, byte[], Object> {

    private static final Logger log = LoggerFactory.getLogger(ScoreProcessor.class);
    private static final long REPORT_INTERVAL_MS = 10_000;

    private final ModelRegistry models;
    private final ModelFailures failures;
    private final StreamerMetrics metrics;
    private final int deadLetterMaxBytes;
    private final List<String> scoredChildren;
    private final String deadLetterSink;
    private final String noticeChild;
    private ProcessorContext<byte[], Object> context;

    private final Map<ScoringFailure, Long> unscoredSinceReport = new EnumMap<>(ScoringFailure.class);
    private long lastReport = Long.MIN_VALUE;

    /**
     * @param failures           counts the windows each version could not score, and marks a version failed
     * @param deadLetterMaxBytes the largest dead letter the dead-letter topic and the producer take
     * @param scoredChildren     the steps each {@link ScoredBatch} goes to
     * @param noticeChild        told of each dead-lettered window as a {@link DeadLettered} (the alarm stage), or
     *                           null
     */
    public ScoreProcessor(
            ModelRegistry models,
            ModelFailures failures,
            StreamerMetrics metrics,
            int deadLetterMaxBytes,
            List<String> scoredChildren,
            String deadLetterSink,
            String noticeChild) {
        this.models = models;
        this.failures = failures;
        this.metrics = metrics;
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.scoredChildren = List.copyOf(scoredChildren);
        this.deadLetterSink = deadLetterSink;
        this.noticeChild = noticeChild;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
    }

    /**
     * Scores the batch on a lease of the serving model taken for this batch alone: a batch is scored by one model
     * throughout, and a swapped-out model is closed once the batches in flight on it are done. (Holding the lease
     * between batches needed a punctuator to let an idle task's go, and each punctuation makes Kafka Streams commit
     * a transaction, once a second per task however idle.)
     */
    @Override
    public void process(Record<Void, WindowBatch> record) {
        ModelLease lease = models.renew(null);
        if (lease == null) {
            // No model: the windows wait for one.
            record.value().deferFrom(0);
            return;
        }
        try {
            score(record.value(), lease.model());
        } finally {
            lease.release();
        }
    }

    private void score(WindowBatch batch, ScoringModel model) {
        List<BufferedWindow> windows = batch.windows();
        if (failures.isFailed(model.manifest().version())) {
            // A model marked failed since the batch was taken: the windows wait for a usable one.
            batch.deferFrom(0);
            return;
        }
        float[][] raw = new float[windows.size()][];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = windows.get(i).window().samples();
        }
        long start = System.nanoTime();
        BeatScore[] scores;
        try {
            scores = score(model, raw);
        } catch (RuntimeException e) {
            log.error(
                    "Task {}: {}; scoring its {} windows one by one",
                    context.taskId(),
                    failure(model, raw.length, e),
                    raw.length,
                    e);
            scoreOneByOne(model, batch);
            return;
        }
        metrics.batchScored(settle(model, batch, 0, scores), System.nanoTime() - start);
    }

    private void scoreOneByOne(ScoringModel model, WindowBatch batch) {
        List<BufferedWindow> windows = batch.windows();
        String version = model.manifest().version();
        for (int i = 0; i < windows.size() && i < batch.handled(); i++) {
            BufferedWindow w = windows.get(i);
            if (failures.isFailed(version)) {
                batch.deferFrom(i);
                return;
            }
            long start = System.nanoTime();
            BeatScore[] one;
            try {
                one = score(model, new float[][] {w.window().samples()});
            } catch (RuntimeException e) {
                unscorable(batch, i, ScoringFailure.SCORING_FAILED, failure(model, 1, e), version);
                continue;
            }
            metrics.batchScored(settle(model, batch, i, one), System.nanoTime() - start);
        }
    }

    /** One inference call; a model that does not give one score per window has failed. */
    private static BeatScore[] score(ScoringModel model, float[][] raw) {
        BeatScore[] scores = model.score(raw);
        if (scores.length != raw.length) {
            throw new IllegalStateException("model version " + model.manifest().version() + " returned " + scores.length
                    + " scores for " + raw.length + " windows");
        }
        return scores;
    }

    private static String failure(ScoringModel model, int windows, RuntimeException e) {
        return "inference failed on model version " + model.manifest().version() + " for a batch of " + windows
                + " windows: " + e;
    }

    /**
     * Forwards the windows {@code from, from + 1, ...} of {@code batch} that got a finite score, to be emitted, and
     * dead-letters the others, in order, until the version is marked failed (the rest then wait).
     *
     * @param scores the scores of the windows from {@code from} on, in order
     * @return how many windows got a verdict
     */
    private int settle(ScoringModel model, WindowBatch batch, int from, BeatScore[] scores) {
        String version = model.manifest().version();
        List<BufferedWindow> kept = new ArrayList<>(scores.length);
        List<BeatScore> keptScores = new ArrayList<>(scores.length);
        for (int i = 0; i < scores.length && from + i < batch.handled(); i++) {
            if (Float.isFinite(scores[i].error())) {
                kept.add(batch.windows().get(from + i));
                keptScores.add(scores[i]);
                failures.scored(version);
            } else if (failures.isFailed(version)) {
                batch.deferFrom(from + i);
            } else {
                String detail = "model version " + version + " gave a score of " + scores[i].error();
                unscorable(batch, from + i, ScoringFailure.NON_FINITE_SCORE, detail, version);
            }
        }
        ScoredBatch scored = new ScoredBatch(model.manifest(), kept, keptScores.toArray(new BeatScore[0]));
        if (scored.size() > 0) {
            Record<byte[], Object> out = new Record<>(null, scored, context.currentSystemTimeMs());
            for (String child : scoredChildren) {
                context.forward(out, child);
            }
        }
        return scored.size();
    }

    /**
     * Dead-letters window {@code index} of {@code batch}, a valid window the model could not score, and defers the
     * ones after it if that marked the version failed. The buffer keeps the decoded window, not the input bytes,
     * so the value is the window as a JSON heartbeat, which the streamer takes back as it is.
     */
    private void unscorable(WindowBatch batch, int index, ScoringFailure reason, String detail, String modelVersion) {
        BufferedWindow w = batch.windows().get(index);
        byte[] value = HeartbeatJson.write(w.window().toHeartbeat());
        Headers headers = DeadLetterHeaders.unscorable(reason, detail, w.source(), w.recordTimestamp(), modelVersion);
        DeadLetter letter = DeadLetter.of(w.key(), value, headers, deadLetterMaxBytes);
        context.forward(
                new Record<byte[], Object>(letter.key(), letter.value(), w.recordTimestamp(), letter.headers()),
                deadLetterSink);
        if (noticeChild != null) {
            context.forward(
                    new Record<byte[], Object>(
                            w.key(), new DeadLettered(w.source(), w.recordTimestamp(), reason), w.recordTimestamp()),
                    noticeChild);
        }
        metrics.deadLetter(reason);
        if (letter.reduced()) {
            metrics.deadLetterReduced();
        }
        report(reason, w, detail);
        if (failures.unscorable(modelVersion, w.source().id() + ": " + detail)) {
            batch.deferFrom(index + 1);
        }
    }

    /** One ERROR per task at most every 10 s, with counts: loud, but not one line per window. */
    private void report(ScoringFailure reason, BufferedWindow w, String detail) {
        unscoredSinceReport.merge(reason, 1L, Long::sum);
        long now = context.currentSystemTimeMs();
        if (lastReport == Long.MIN_VALUE || now - lastReport >= REPORT_INTERVAL_MS) {
            log.error(
                    "Windows the model could not score {} (latest: {} at {}: {}); they are in the dead-letter topic "
                            + "with the reason and the model version in their ecg.dlq.* headers, and get no verdict",
                    unscoredSinceReport,
                    reason,
                    w.source().id(),
                    detail);
            unscoredSinceReport.clear();
            lastReport = now;
        }
    }
}
