package ecgdetector.streamer.infer;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.ScoringFailure;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.release.ModelLease;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.ScoredBatch;
import ecgdetector.streamer.window.WindowBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
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
 * batch is scored as usual.
 */
public final class ScoreProcessor implements Processor<Void, WindowBatch, byte[], Object> {

    private static final Logger log = LoggerFactory.getLogger(ScoreProcessor.class);
    private static final Duration RELEASE_CHECK = Duration.ofSeconds(1);
    private static final long REPORT_INTERVAL_MS = 10_000;

    private final ModelRegistry models;
    private final StreamerMetrics metrics;
    private final String scoredChild;
    private final String deadLetterSink;
    private ProcessorContext<byte[], Object> context;
    /** The model this task scores with, held between batches; a batch is scored by one model throughout. */
    private ModelLease lease;

    private final Map<ScoringFailure, Long> unscoredSinceReport = new EnumMap<>(ScoringFailure.class);
    private long lastReport = Long.MIN_VALUE;

    public ScoreProcessor(ModelRegistry models, StreamerMetrics metrics, String scoredChild, String deadLetterSink) {
        this.models = models;
        this.metrics = metrics;
        this.scoredChild = scoredChild;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
        // An idle task lets go of a swapped-out model too, so it can be closed.
        context.schedule(RELEASE_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> lease = models.releaseIfStale(lease));
    }

    @Override
    public void process(Record<Void, WindowBatch> record) {
        List<BufferedWindow> windows = record.value().windows();
        float[][] raw = new float[windows.size()][];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = windows.get(i).window().samples();
        }
        lease = models.renew(lease);
        if (lease == null) {
            throw new IllegalStateException("no model loaded: windows must wait in the buffer");
        }
        ScoringModel model = lease.model();
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
            scoreOneByOne(model, windows);
            return;
        }
        metrics.batchScored(forward(model, windows, scores), System.nanoTime() - start);
    }

    private void scoreOneByOne(ScoringModel model, List<BufferedWindow> windows) {
        for (BufferedWindow w : windows) {
            long start = System.nanoTime();
            BeatScore[] one;
            try {
                one = score(model, new float[][] {w.window().samples()});
            } catch (RuntimeException e) {
                unscorable(
                        w,
                        ScoringFailure.SCORING_FAILED,
                        failure(model, 1, e),
                        model.manifest().version());
                continue;
            }
            metrics.batchScored(forward(model, List.of(w), one), System.nanoTime() - start);
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
     * Forwards the windows with a finite score to be emitted and dead-letters the others.
     *
     * @return how many windows got a verdict
     */
    private int forward(ScoringModel model, List<BufferedWindow> windows, BeatScore[] scores) {
        ScoredBatch scored = allFinite(scores)
                ? new ScoredBatch(model.manifest(), windows, scores)
                : withoutNonFinite(model, windows, scores);
        if (scored.size() > 0) {
            context.forward(new Record<byte[], Object>(null, scored, context.currentSystemTimeMs()), scoredChild);
        }
        return scored.size();
    }

    private static boolean allFinite(BeatScore[] scores) {
        for (BeatScore score : scores) {
            if (!Float.isFinite(score.error())) {
                return false;
            }
        }
        return true;
    }

    /** The windows with a finite score; the others are dead-lettered ({@code NON_FINITE_SCORE}). */
    private ScoredBatch withoutNonFinite(ScoringModel model, List<BufferedWindow> windows, BeatScore[] scores) {
        String version = model.manifest().version();
        List<BufferedWindow> kept = new ArrayList<>(windows.size());
        List<BeatScore> keptScores = new ArrayList<>(windows.size());
        for (int i = 0; i < scores.length; i++) {
            if (Float.isFinite(scores[i].error())) {
                kept.add(windows.get(i));
                keptScores.add(scores[i]);
            } else {
                String detail = "model version " + version + " gave a score of " + scores[i].error();
                unscorable(windows.get(i), ScoringFailure.NON_FINITE_SCORE, detail, version);
            }
        }
        return new ScoredBatch(model.manifest(), kept, keptScores.toArray(new BeatScore[0]));
    }

    /**
     * Dead-letters a valid window the model could not score. The buffer keeps the decoded window, not the input
     * bytes, so the value is the window as a JSON heartbeat, which the streamer takes back as it is.
     */
    private void unscorable(BufferedWindow w, ScoringFailure reason, String detail, String modelVersion) {
        byte[] value = HeartbeatJson.write(w.window().toHeartbeat());
        Headers headers = DeadLetterHeaders.unscorable(reason, detail, w.source(), w.recordTimestamp(), modelVersion);
        context.forward(new Record<byte[], Object>(w.key(), value, w.recordTimestamp(), headers), deadLetterSink);
        metrics.deadLetter(reason);
        report(reason, w, detail);
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

    @Override
    public void close() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }
}
