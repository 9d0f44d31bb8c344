package ecgdetector.streamer.infer;

import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.ScoringFailure;
import ecgdetector.streamer.alert.EventFactory;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.WindowBatch;
import java.time.Duration;
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
 * Scores a batch in one inference call on this thread's scorer and forwards, per window, its score (if
 * scores are on) to the scores sink and, if anomalous, an alert to the alerts sink. Output records keep the
 * input's key (the patient id) and timestamp.
 *
 * <p>A model that fails at run time neither drops windows silently nor wedges the stream (a thrown exception
 * would replace the thread, replay the batch and fail again, forever): if the batch call fails, each of its
 * windows is scored alone on a fresh scorer, and a window that still fails, or whose score is NaN or
 * infinite, goes to the dead-letter topic ({@code SCORING_FAILED}, {@code NON_FINITE_SCORE}, with the model
 * version), is counted in {@code ecg_dead_letters_total{reason}} and logged at ERROR. Every other window of the
 * batch is scored as usual.
 */
public final class ScoreProcessor implements Processor<Void, WindowBatch, byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(ScoreProcessor.class);
    private static final Duration RELEASE_CHECK = Duration.ofSeconds(1);
    private static final long REPORT_INTERVAL_MS = 10_000;

    private final BatchScorer scorer;
    private final StreamerMetrics metrics;
    private final String alertsSink;
    private final String scoresSink;
    private final String deadLetterSink;
    private ProcessorContext<byte[], byte[]> context;
    private final Map<ScoringFailure, Long> unscoredSinceReport = new EnumMap<>(ScoringFailure.class);
    private long lastReport = Long.MIN_VALUE;

    /** @param scoresSink the scores sink's name, or null when scores are off */
    public ScoreProcessor(
            BatchScorer scorer, StreamerMetrics metrics, String alertsSink, String scoresSink, String deadLetterSink) {
        this.scorer = scorer;
        this.metrics = metrics;
        this.alertsSink = alertsSink;
        this.scoresSink = scoresSink;
        this.deadLetterSink = deadLetterSink;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        scorer.attach();
        // An idle thread lets go of a swapped-out model too, so it can be closed.
        context.schedule(RELEASE_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> scorer.releaseStale());
    }

    @Override
    public void process(Record<Void, WindowBatch> record) {
        List<BufferedWindow> windows = record.value().windows();
        float[][] raw = new float[windows.size()][];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = windows.get(i).window().samples();
        }
        long start = System.nanoTime();
        ScoredBatch scored;
        try {
            scored = scorer.score(raw);
        } catch (ScoringFailedException e) {
            log.error(
                    "Task {}: {}; scoring its {} windows one by one", context.taskId(), e.getMessage(), raw.length, e);
            scoreOneByOne(windows);
            return;
        }
        int verdicts = emit(windows, scored);
        metrics.batchScored(verdicts, System.nanoTime() - start);
    }

    private void scoreOneByOne(List<BufferedWindow> windows) {
        for (BufferedWindow w : windows) {
            long start = System.nanoTime();
            ScoredBatch one;
            try {
                one = scorer.score(new float[][] {w.window().samples()});
            } catch (ScoringFailedException e) {
                unscorable(w, ScoringFailure.SCORING_FAILED, e.getMessage(), e.modelVersion());
                continue;
            }
            metrics.batchScored(emit(List.of(w), one), System.nanoTime() - start);
        }
    }

    /** Emits the score and any alert of each window; returns how many windows got a verdict. */
    private int emit(List<BufferedWindow> windows, ScoredBatch scored) {
        ScoringModel model = scored.model();
        ReleaseManifest manifest = model.manifest();
        ModelRef modelRef = new ModelRef(manifest.modelName(), manifest.version());
        double threshold = manifest.threshold();
        long detectedAt = context.currentSystemTimeMs();
        String detectedAtIso = EventFactory.iso(detectedAt);
        BeatScore[] scores = scored.scores();
        int verdicts = 0;
        for (int i = 0; i < scores.length; i++) {
            BufferedWindow w = windows.get(i);
            float error = scores[i].error();
            if (!Float.isFinite(error)) {
                unscorable(
                        w,
                        ScoringFailure.NON_FINITE_SCORE,
                        "model version " + manifest.version() + " gave a score of " + error,
                        manifest.version());
                continue;
            }
            boolean anomaly = model.isAnomaly(error);
            long latency = detectedAt - w.recordTimestamp();
            if (scoresSink != null) {
                byte[] json =
                        EventFactory.toJson(EventFactory.score(w, error, threshold, anomaly, modelRef, detectedAtIso));
                context.forward(new Record<>(w.key(), json, w.recordTimestamp()), scoresSink);
            }
            if (anomaly) {
                Alert alert =
                        EventFactory.alert(w, error, threshold, modelRef, scores[i].worstPositions(), detectedAtIso);
                context.forward(new Record<>(w.key(), EventFactory.toJson(alert), w.recordTimestamp()), alertsSink);
                metrics.alert(alert.severity(), latency);
            }
            metrics.windowVerdict(latency);
            verdicts++;
        }
        return verdicts;
    }

    /**
     * Dead-letters a valid window the model could not score. The buffer keeps the decoded window, not the input
     * bytes, so the value is the window as a JSON heartbeat, which the streamer takes back as it is.
     */
    private void unscorable(BufferedWindow w, ScoringFailure reason, String detail, String modelVersion) {
        byte[] value = HeartbeatJson.write(w.window().toHeartbeat());
        Headers headers = DeadLetterHeaders.unscorable(reason, detail, w.source(), w.recordTimestamp(), modelVersion);
        context.forward(new Record<>(w.key(), value, w.recordTimestamp(), headers), deadLetterSink);
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
        scorer.detach();
    }
}
