package ecgdetector.streamer.ops;

import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmPriority;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
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
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

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
 *   <li>{@code ecg_model_releases_total{outcome}}: releases accepted, rejected, unchanged (the one serving
 *       again), or superseded (verified while the models topic was read at startup, but a newer one served);
 *       {@code ecg_model_load_seconds}: time to verify, load and canary-check a release;
 *       {@code ecg_model_load_abandoned_total}: loads that ran past their time limit, whose threads were left
 *       behind (each may still hold a CPU);</li>
 *   <li>{@code ecg_release_signatures_required}: 1 when only signed releases serve, 0 when this instance was
 *       started with unsigned releases allowed;</li>
 *   <li>{@code ecg_model_failed}: 1 while the serving version is marked failed (it could not score
 *       {@code ecg.model.failure.limit} windows in a row; windows wait for a new release);</li>
 *   <li>{@code ecg_dead_letters_reduced_total}: dead letters too large to be written whole, written in their
 *       reduced form ({@code ecg.dlq.reduced});</li>
 *   <li>{@code ecg_windows_replayed_total}: input records not buffered again because the task already held
 *       their offset (replays);</li>
 *   <li>{@code ecg_windows_in_memory}: waiting windows queued in memory over all tasks (the rest wait in the
 *       store only);</li>
 *   <li>{@code ecg_tasks_stalled}: tasks with input waiting that made no committed progress for
 *       {@code ecg.progress.timeout.ms};</li>
 *   <li>{@code ecg_output_topics_unwritable}: output topics the streamer cannot write to now (missing, a
 *       partition without leader or with fewer in-sync replicas than {@code min.insync.replicas});</li>
 *   <li>{@code ecg_input_records_lost_total}: input offsets that expired or were skipped before they were read
 *       (retention, an offset reset);</li>
 *   <li>{@code ecg_stream_thread_replacements_total}: stream threads that failed and were replaced;
 *       {@code ecg_live}: 0 once liveness fails (a thread replaced repeatedly for the same failure, Kafka
 *       Streams failed for good);</li>
 *   <li>{@code ecg_transactions_expired_total}: transactions given up at {@code transaction.timeout.ms} without an
 *       answer from the broker (a quota throttling the producer, a slow or absent broker); each restarts the
 *       thread's tasks from their last commit with a new producer;</li>
 *   <li>{@code ecg_alarms_total{type,state,priority}}: alarm transitions emitted (type {@code anomalous_beats},
 *       {@code feed_silent}, {@code not_monitored}, {@code signal_quality}; state {@code raised},
 *       {@code escalated}, {@code cleared}; priority {@code low}, {@code medium}, {@code high});</li>
 *   <li>{@code ecg_alarms_open{type}}: episodes open on this instance's tasks;</li>
 *   <li>{@code ecg_alarm_latency_seconds{type}}: input record timestamp to the alarm a beat or dead letter
 *       caused (wall-clock alarms are not in it);</li>
 *   <li>{@code ecg_alarm_patients}: patients whose alarm state this instance's tasks hold;</li>
 *   <li>{@code ecg_alarm_silence_unjudged_tasks}: tasks that do not judge silence now (catching up with their
 *       input, or holding windows no model scores): FEED_SILENT waits for them;</li>
 *   <li>{@code ecg_alarm_unkeyed_windows_total}: scored windows without a record key, which no patient's alarms
 *       see.;</li>
 *   <li>{@code ecg_model_releases_total{outcome}}: releases accepted, rejected, or unchanged;
 *       {@code ecg_model_load_seconds}: time to verify, load and canary-check a release;</li>
 *   <li>{@code ecg_stream_threads}: stream threads running, 0 while no valid model serves (the instance then
 *       holds no partition); {@code ecg_tasks{type="active"|"standby"}}: the partitions this instance scores,
 *       and those whose batch buffer it keeps warm for another instance;</li>
 *   <li>{@code ecg_restored_records_total} and {@code ecg_restore_seconds}: changelog records read back into the
 *       batch buffer when a task starts here without an up-to-date copy (after a crash, a move), and how long
 *       each restore took.</li>
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
    private final Counter releasesSuperseded;
    private final Counter loadsAbandoned;
    private final AtomicLong signaturesRequired = new AtomicLong(1);
    private final Timer modelLoad;
    private final Counter deadLettersReduced;
    private final Counter windowsReplayed;
    private final Counter inputRecordsLost;
    private final Counter threadReplacements;
    private final Counter transactionsExpired;
    private final AtomicLong stalledTasks = new AtomicLong();
    private final AtomicLong unwritableOutputs = new AtomicLong();
    private final Counter restoredRecords;
    private final Timer restore;
    private Gauge modelInfo;
    private final Map<String, Counter> alarms = new HashMap<>();
    private final Map<AlarmType, AtomicLong> alarmsOpen = new EnumMap<>(AlarmType.class);
    private final Map<AlarmType, Timer> alarmLatency = new EnumMap<>(AlarmType.class);
    private final AtomicLong alarmPatients = new AtomicLong();
    private final AtomicLong silenceUnjudgedTasks = new AtomicLong();
    private final Counter unkeyedWindows;

    public StreamerMetrics(MeterRegistry registry) {
        this.registry = registry;
        windowsScored = counter(registry, "ecg.windows.scored", "heartbeat windows scored");
        registerByLabel();
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
        releasesAccepted = releases("accepted");
        releasesRejected = releases("rejected");
        releasesUnchanged = releases("unchanged");
        releasesSuperseded = releases("superseded");
        loadsAbandoned = counter(
                registry,
                "ecg.model.load.abandoned",
                "model loads past their time limit, left running on a thread of their own");
        modelLoad = Timer.builder("ecg.model.load")
                .description("verifying, loading and canary-checking a release")
                .register(registry);
        deadLettersReduced = counter(
                registry,
                "ecg.dead.letters.reduced",
                "dead letters too large to be written whole, written in their reduced form");
        windowsReplayed = counter(
                registry,
                "ecg.windows.replayed",
                "input records not buffered again: the task already held their offset");
        inputRecordsLost = counter(
                registry, "ecg.input.records.lost", "input offsets that expired or were skipped before they were read");
        threadReplacements =
                counter(registry, "ecg.stream.thread.replacements", "stream threads that failed and were replaced");
        transactionsExpired = counter(
                registry,
                "ecg.transactions.expired",
                "transactions given up at transaction.timeout.ms without an answer from the broker (throttled, slow"
                        + " or away); each restarts the thread's tasks from their last commit with a new producer");
        restoredRecords = restoredRecordsCounter(registry);
        restore = restoreTimer(registry);
        registerGauges();
        unkeyedWindows = registerAlarms(registry);
    }

    /** The counters with one series a label value: anomalies by severity, dead letters by reason. */
    private void registerByLabel() {
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
    }

    private static Counter counter(MeterRegistry registry, String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private void registerGauges() {
        Gauge.builder("ecg.release.signatures.required", signaturesRequired, AtomicLong::get)
                .description("1 when only signed releases serve, 0 when unsigned releases are allowed")
                .register(registry);
        Gauge.builder("ecg.windows.buffered", buffered, AtomicLong::get)
                .description("windows waiting for their batch or for the first model")
                .register(registry);
        Gauge.builder("ecg.model.loaded", modelLoaded, AtomicLong::get)
                .description("1 once a model release serves")
                .register(registry);
        Gauge.builder("ecg.tasks.stalled", stalledTasks, AtomicLong::get)
                .description("tasks with input waiting and no committed progress for ecg.progress.timeout.ms")
                .register(registry);
        Gauge.builder("ecg.output.topics.unwritable", unwritableOutputs, AtomicLong::get)
                .description("output topics the streamer cannot write to now")
                .register(registry);
    }

    /** Gauges read from the instance's state when scraped: model marked failed, liveness, windows in memory. */
    public void watch(BooleanSupplier modelFailed, BooleanSupplier live, LongSupplier windowsInMemory) {
        Gauge.builder("ecg.model.failed", () -> modelFailed.getAsBoolean() ? 1 : 0)
                .description("1 while the serving model version is marked failed")
                .register(registry);
        Gauge.builder("ecg.live", () -> live.getAsBoolean() ? 1 : 0)
                .description("1 while the streamer is live (/health/live)")
                .register(registry);
        Gauge.builder("ecg.windows.in.memory", () -> windowsInMemory.getAsLong())
                .description("waiting windows queued in memory over all tasks")
                .register(registry);
    }

    public void deadLetterReduced() {
        deadLettersReduced.increment();
    }

    public double deadLettersReduced() {
        return deadLettersReduced.count();
    }

    public void windowReplayed() {
        windowsReplayed.increment();
    }

    public double windowsReplayed() {
        return windowsReplayed.count();
    }

    public void inputRecordsLost(long n) {
        inputRecordsLost.increment(n);
    }

    public double inputRecordsLost() {
        return inputRecordsLost.count();
    }

    public void streamThreadReplaced() {
        threadReplacements.increment();
    }

    public void transactionExpired() {
        transactionsExpired.increment();
    }

    public void stalledTasks(int n) {
        stalledTasks.set(n);
    }

    public long stalledTasks() {
        return stalledTasks.get();
    }

    public void unwritableOutputs(int n) {
        unwritableOutputs.set(n);
    }

    private static Counter restoredRecordsCounter(MeterRegistry registry) {
        return Counter.builder("ecg.restored.records")
                .description("changelog records restored into the batch buffer")
                .register(registry);
    }

    private static Timer restoreTimer(MeterRegistry registry) {
        return Timer.builder("ecg.restore")
                .description("restoring one task's batch buffer from its changelog")
                .register(registry);
    }

    /** One task's batch buffer restored: {@code records} changelog records in {@code nanos}. */
    public void restored(long records, long nanos) {
        restoredRecords.increment(records);
        restore.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Gauges of this instance's part in its group: its stream threads and its active and standby tasks, read from
     * Kafka Streams when scraped.
     */
    public void membership(IntSupplier streamThreads, IntSupplier activeTasks, IntSupplier standbyTasks) {
        Gauge.builder("ecg.stream.threads", streamThreads::getAsInt)
                .description(
                        "stream threads running; 0 while no valid model serves and the instance holds no partition")
                .register(registry);
        Gauge.builder("ecg.tasks", activeTasks::getAsInt)
                .description("tasks (input partitions) of this instance, by type")
                .tag("type", "active")
                .register(registry);
        Gauge.builder("ecg.tasks", standbyTasks::getAsInt)
                .description("tasks (input partitions) of this instance, by type")
                .tag("type", "standby")
                .register(registry);
    }

    /** The alarm stage's meters; returns the unkeyed-windows counter. */
    private Counter registerAlarms(MeterRegistry registry) {
        for (AlarmType type : AlarmType.values()) {
            for (AlarmState state : AlarmState.values()) {
                for (AlarmPriority priority : AlarmPriority.values()) {
                    alarms.put(
                            alarmKey(type, state, priority),
                            Counter.builder("ecg.alarms")
                                    .description("alarm transitions emitted")
                                    .tag("type", tag(type))
                                    .tag("state", tag(state))
                                    .tag("priority", tag(priority))
                                    .register(registry));
                }
            }
            AtomicLong open = new AtomicLong();
            alarmsOpen.put(type, open);
            Gauge.builder("ecg.alarms.open", open, AtomicLong::get)
                    .description("alarm episodes open on this instance's tasks")
                    .tag("type", tag(type))
                    .register(registry);
            alarmLatency.put(
                    type,
                    Timer.builder("ecg.alarm.latency")
                            .description("input record timestamp to the alarm it caused")
                            .tag("type", tag(type))
                            .serviceLevelObjectives(LATENCY_BUCKETS)
                            .register(registry));
        }
        Gauge.builder("ecg.alarm.patients", alarmPatients, AtomicLong::get)
                .description("patients whose alarm state this instance's tasks hold")
                .register(registry);
        Gauge.builder("ecg.alarm.silence.unjudged.tasks", silenceUnjudgedTasks, AtomicLong::get)
                .description("tasks not judging silence now: catching up, or holding windows no model scores")
                .register(registry);
        return Counter.builder("ecg.alarm.unkeyed.windows")
                .description("scored windows without a record key: no patient's alarms see them")
                .register(registry);
    }

    private static String alarmKey(AlarmType type, AlarmState state, AlarmPriority priority) {
        return type.name() + '|' + state.name() + '|' + priority.name();
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * An alarm transition emitted.
     *
     * @param latencyMs input record timestamp to now, or -1 for an alarm found on the wall clock
     */
    public void alarm(Alarm alarm, long latencyMs) {
        alarms.get(alarmKey(alarm.type(), alarm.state(), alarm.priority())).increment();
        if (latencyMs >= 0) {
            alarmLatency.get(alarm.type()).record(latencyMs, TimeUnit.MILLISECONDS);
        }
    }

    public void alarmsOpen(AlarmType type, long delta) {
        alarmsOpen.get(type).addAndGet(delta);
    }

    public long alarmsOpen(AlarmType type) {
        return alarmsOpen.get(type).get();
    }

    public void alarmPatients(long delta) {
        alarmPatients.addAndGet(delta);
    }

    public long alarmPatients() {
        return alarmPatients.get();
    }

    public void silenceUnjudged(long delta) {
        silenceUnjudgedTasks.addAndGet(delta);
    }

    public void unkeyedWindow(int windows) {
        unkeyedWindows.increment(windows);
    }

    public double alarms(AlarmType type, AlarmState state) {
        double sum = 0;
        for (AlarmPriority priority : AlarmPriority.values()) {
            sum += alarms.get(alarmKey(type, state, priority)).count();
        }
        return sum;
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

    public void releaseSuperseded() {
        releasesSuperseded.increment();
    }

    public void loadAbandoned() {
        loadsAbandoned.increment();
    }

    public double loadsAbandoned() {
        return loadsAbandoned.count();
    }

    public void signaturesRequired(boolean required) {
        signaturesRequired.set(required ? 1 : 0);
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
