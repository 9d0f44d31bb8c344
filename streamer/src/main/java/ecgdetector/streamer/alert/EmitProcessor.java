package ecgdetector.streamer.alert;

import ecgdetector.model.scoring.AnomalyRule;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.ScoredBatch;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns each scored window into its events: a {@code Score} to the scores sink (if scores are on) and, if the
 * window is an anomaly under its release ({@link AnomalyRule}), an {@link Alert} to the alerts sink. Output
 * records keep the input's key (the patient id) and timestamp; the sinks write them as JSON.
 */
public final class EmitProcessor implements Processor<Void, ScoredBatch, byte[], Object> {

    private final StreamerMetrics metrics;
    private final String alertsSink;
    private final String scoresSink;
    private ProcessorContext<byte[], Object> context;

    /** @param scoresSink the scores sink's name, or null when scores are off */
    public EmitProcessor(StreamerMetrics metrics, String alertsSink, String scoresSink) {
        this.metrics = metrics;
        this.alertsSink = alertsSink;
        this.scoresSink = scoresSink;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<Void, ScoredBatch> record) {
        ScoredBatch batch = record.value();
        ReleaseManifest manifest = batch.model();
        ModelRef model = new ModelRef(manifest.modelName(), manifest.version());
        double threshold = manifest.threshold();
        long detectedAt = context.currentSystemTimeMs();
        String detectedAtIso = EventFactory.iso(detectedAt);
        for (int i = 0; i < batch.size(); i++) {
            BufferedWindow w = batch.windows().get(i);
            BeatScore score = batch.scores()[i];
            boolean anomaly = AnomalyRule.isAnomaly(score.error(), threshold);
            long latency = detectedAt - w.recordTimestamp();
            if (scoresSink != null) {
                context.forward(
                        new Record<>(
                                w.key(),
                                EventFactory.score(w, score.error(), threshold, anomaly, model, detectedAtIso),
                                w.recordTimestamp()),
                        scoresSink);
            }
            if (anomaly) {
                Alert alert =
                        EventFactory.alert(w, score.error(), threshold, model, score.worstPositions(), detectedAtIso);
                context.forward(new Record<>(w.key(), alert, w.recordTimestamp()), alertsSink);
                metrics.alert(alert.severity(), latency);
            }
            metrics.windowVerdict(latency);
        }
    }
}
