package ecgdetector.streamer.ops;

import ecgdetector.schemas.DeadLetterReason;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The streamer's own meters. Prometheus names (Micrometer turns dots into underscores and adds units):
 * <ul>
 *   <li>{@code ecg_windows_scored_total}: windows scored;</li>
 *   <li>{@code ecg_anomalies_total{severity}}: alerts emitted;</li>
 *   <li>{@code ecg_dead_letters_total{reason}}: input records dead-lettered, by {@link DeadLetterReason#tag()};</li>
 *   <li>{@code ecg_batch_size}: windows per inference call (histogram);</li>
 *   <li>{@code ecg_inference_seconds}: time of one inference call, scaling and scoring included;</li>
 *   <li>{@code ecg_window_latency_seconds}: input record timestamp to verdict, every window;</li>
 *   <li>{@code ecg_alert_latency_seconds}: input record timestamp to alert;</li>
 *   <li>{@code ecg_windows_buffered}: windows waiting for a batch (or for the first model);</li>
 *   <li>{@code ecg_model_loaded}: 1 once a model serves; {@code ecg_model_info{name,version}} = 1 for it;</li>
 *   <li>{@code ecg_model_releases_total{outcome}}: releases accepted, rejected, or unchanged;
 *       {@code ecg_model_load_seconds}: time to verify, load and canary-check a release.</li>
 * </ul>
 * No meter has a patient id or any per-window value as a tag.
 */
public final class StreamerMetrics {

    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    private static final Duration[] LATENCY_BUCKETS = {
        ms(5),
        ms(10),
        ms(25),
        ms(50),
        ms(100),
        ms(250),
        ms(500),
        ms(1000),
        ms(2500),
        ms(5000),
        ms(10_000),
        ms(30_000),
        ms(60_000)
    };
    private static final Duration[] INFERENCE_BUCKETS = {
        Duration.ofNanos(100_000),
        ms(1),
        Duration.ofNanos(2_500_000),
        ms(5),
        ms(10),
        ms(25),
        ms(50),
        ms(100),
        ms(250),
        ms(1000)
    };

    private final MeterRegistry registry;
    private final Counter windowsScored;
    private final Map<Severity, Counter> anomalies = new EnumMap<>(Severity.class);
    private final Map<DeadLetterReason, Counter> deadLetters = new HashMap<>();
    private final DistributionSummary batchSize;
    private final Timer inference;
    private final Timer windowLatency;
    private final Timer alertLatency;
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong modelLoaded = new AtomicLong();
    private final Counter releasesAccepted;
    private final Counter releasesRejected;
    private final Counter releasesUnchanged;
    private final Timer modelLoad;
    private Gauge modelInfo;

    public StreamerMetrics(MeterRegistry registry) {
        this.registry = registry;
        windowsScored = Counter.builder("ecg.windows.scored")
                .description("heartbeat windows scored")
                .register(registry);
        for (Severity s : Severity.values()) {
            anomalies.put(
                    s,
                    Counter.builder("ecg.anomalies")
                            .description("alerts emitted, by severity")
                            .tag("severity", s.name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry));
        }
        for (DeadLetterReason r : DeadLetterReason.all()) {
            deadLetters.put(
                    r,
                    Counter.builder("ecg.dead.letters")
                            .description("input records dead-lettered, by reason")
                            .tag("reason", r.tag())
                            .register(registry));
        }
        batchSize = DistributionSummary.builder("ecg.batch.size")
                .description("windows per inference call")
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry);
        inference = Timer.builder("ecg.inference")
                .description("one batched inference call")
                .serviceLevelObjectives(INFERENCE_BUCKETS)
                .register(registry);
        windowLatency = Timer.builder("ecg.window.latency")
                .description("input record timestamp to verdict, every window")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        alertLatency = Timer.builder("ecg.alert.latency")
                .description("input record timestamp to alert")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        Gauge.builder("ecg.windows.buffered", buffered, AtomicLong::get)
                .description("windows waiting for their batch or for the first model")
                .register(registry);
        Gauge.builder("ecg.model.loaded", modelLoaded, AtomicLong::get)
                .description("1 once a model release serves")
                .register(registry);
        releasesAccepted = releases("accepted");
        releasesRejected = releases("rejected");
        releasesUnchanged = releases("unchanged");
        modelLoad = Timer.builder("ecg.model.load")
                .description("verifying, loading and canary-checking a release")
                .register(registry);
    }

    /** Meters on a throw-away registry, for tests and tools that do not export them. */
    public static StreamerMetrics noop() {
        return new StreamerMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void deadLetter(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    public void batchScored(int windows, long inferenceNanos) {
        batchSize.record(windows);
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
        windowsScored.increment(windows);
    }

    public void windowVerdict(long latencyMs) {
        windowLatency.record(Math.max(0, latencyMs), TimeUnit.MILLISECONDS);
    }

    public void alert(Severity severity, long latencyMs) {
        anomalies.get(severity).increment();
        alertLatency.record(Math.max(0, latencyMs), TimeUnit.MILLISECONDS);
    }

    public void buffered(long delta) {
        buffered.addAndGet(delta);
    }

    public long bufferedWindows() {
        return buffered.get();
    }

    public synchronized void modelServing(ReleaseManifest manifest, long loadNanos) {
        releasesAccepted.increment();
        modelLoad.record(loadNanos, TimeUnit.NANOSECONDS);
        modelLoaded.set(1);
        if (modelInfo != null) {
            registry.remove(modelInfo);
        }
        modelInfo = Gauge.builder("ecg.model.info", () -> 1)
                .description("the model release serving")
                .tag("name", manifest.modelName())
                .tag("version", manifest.version())
                .register(registry);
    }

    public void releaseRejected() {
        releasesRejected.increment();
    }

    public void releaseUnchanged() {
        releasesUnchanged.increment();
    }

    public double deadLetters(DeadLetterReason reason) {
        return deadLetters.get(reason).count();
    }

    public double releasesRejected() {
        return releasesRejected.count();
    }

    public double windowsScored() {
        return windowsScored.count();
    }

    private Counter releases(String outcome) {
        return Counter.builder("ecg.model.releases")
                .description("model releases seen, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
