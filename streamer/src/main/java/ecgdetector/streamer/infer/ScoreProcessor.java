package ecgdetector.streamer.infer;

import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.alert.EventFactory;
import ecgdetector.streamer.batch.BufferedWindow;
import ecgdetector.streamer.batch.WindowBatch;
import ecgdetector.streamer.ops.StreamerMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Scores a batch in one inference call on this thread's scorer and forwards, per window, its score (if
 * scores are on) to the scores sink and, if anomalous, an alert to the alerts sink. Output records keep the
 * input's key (the patient id) and timestamp.
 */
public final class ScoreProcessor implements Processor<Void, WindowBatch, byte[], byte[]> {

    private static final Duration RELEASE_CHECK = Duration.ofSeconds(1);

    private final BatchScorer scorer;
    private final StreamerMetrics metrics;
    private final String alertsSink;
    private final String scoresSink;
    private ProcessorContext<byte[], byte[]> context;

    /** @param scoresSink the scores sink's name, or null when scores are off */
    public ScoreProcessor(BatchScorer scorer, StreamerMetrics metrics, String alertsSink, String scoresSink) {
        this.scorer = scorer;
        this.metrics = metrics;
        this.alertsSink = alertsSink;
        this.scoresSink = scoresSink;
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
        ScoredBatch scored = scorer.score(raw);
        metrics.batchScored(raw.length, System.nanoTime() - start);

        ScoringModel model = scored.model();
        ReleaseManifest manifest = model.manifest();
        ModelRef modelRef = new ModelRef(manifest.modelName(), manifest.version());
        double threshold = manifest.threshold();
        long detectedAt = context.currentSystemTimeMs();
        String detectedAtIso = EventFactory.iso(detectedAt);
        BeatScore[] scores = scored.scores();
        for (int i = 0; i < scores.length; i++) {
            BufferedWindow w = windows.get(i);
            float error = scores[i].error();
            boolean anomaly = model.isAnomaly(error);
            long latency = detectedAt - w.recordTimestamp();
            if (scoresSink != null) {
                byte[] json = EventFactory.toJson(EventFactory.score(w, error, threshold, anomaly, modelRef, detectedAtIso));
                context.forward(new Record<>(w.key(), json, w.recordTimestamp()), scoresSink);
            }
            if (anomaly) {
                Alert alert = EventFactory.alert(w, error, threshold, modelRef, scores[i].worstPositions(),
                        detectedAtIso);
                context.forward(new Record<>(w.key(), EventFactory.toJson(alert), w.recordTimestamp()), alertsSink);
                metrics.alert(alert.severity(), latency);
            }
            metrics.windowVerdict(latency);
        }
    }

    @Override
    public void close() {
        scorer.detach();
    }
}
