package ecgdetector.streamer.alarm;

import ecgdetector.model.alarm.AlarmEngine;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.alarm.BeatQuality;
import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.model.alarm.ScoredBeat;
import ecgdetector.model.alarm.Tick;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.ScoringCoverage;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.streamer.window.DeadLettered;
import ecgdetector.streamer.window.ScoredBatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each patient's alarms, from the scored windows and the dead letters of its task: the {@link AlarmEngine} per
 * patient, its state in a changelogged store (so alarms commit in the same exactly-once transaction as the scores
 * and the buffer), and a wall-clock tick for what no record tells: a feed gone silent, a task nothing scores, a
 * patient to forget. The patient is the input record's key; windows without one are counted, not judged.
 *
 * <p>Silence is judged only once the task has caught up with its input: its newest record is less than the
 * silence time behind the wall clock, or it has had no record for that long, and no window waits for a model.
 * A restart, a failover or a backlog therefore does not raise {@code FEED_SILENT} for every patient of the
 * partition: their backlog refreshes them first, and the gaps in it are found from the beats' event times.
 * A restored patient is given the silence time afresh from the task's start.
 */
public final class AlarmProcessor implements Processor<byte[], Object, byte[], Alarm> {

    /**
     * How often a task looks for silent patients: FEED_SILENT comes at most this much after the silence time. An
     * idle consumer's poll blocks this long too ({@code IdlePoll}).
     */
    public static final Duration TICK = Duration.ofMillis(250);

    private static final Logger log = LoggerFactory.getLogger(AlarmProcessor.class);

    private final String storeName;
    private final AlarmEngine engine;
    private final String inputTopic;
    private final long retentionMs;
    private final long unscoredMs;
    private final ScoringCoverage coverage;
    private final StreamerMetrics metrics;

    private ProcessorContext<byte[], Alarm> context;
    private KeyValueStore<Bytes, PatientAlarms> store;
    private final PatientIndex index = new PatientIndex();
    private final List<Alarm> out = new ArrayList<>();
    private final Map<Bytes, PatientAlarms> inBatch = new HashMap<>();
    private final Map<AlarmType, Long> openHere = new EnumMap<>(AlarmType.class);
    private long lastInputWall;
    private boolean judgingSilence = true;
    private boolean notMonitoredRaised;
    private ReleaseManifest manifest;
    private BeatQuality quality;
    private ModelRef model;

    /**
     * @param inputTopic  the heartbeats topic, for the window ids of alarms found on the wall clock
     * @param retentionMs how long a patient may send nothing before it is forgotten
     * @param unscoredMs  how long the task may hold windows no model scores before its patients are not monitored
     */
    public AlarmProcessor(
            String storeName,
            AlarmRule rule,
            String inputTopic,
            long retentionMs,
            long unscoredMs,
            ScoringCoverage coverage,
            StreamerMetrics metrics) {
        this.storeName = storeName;
        this.engine = new AlarmEngine(rule);
        this.inputTopic = inputTopic;
        this.retentionMs = retentionMs;
        this.unscoredMs = unscoredMs;
        this.coverage = coverage;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], Alarm> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        long now = context.currentSystemTimeMs();
        lastInputWall = now;
        int restored = rebuildIndex(now);
        if (restored > 0) {
            log.info(
                    "Task {}: alarm state of {} patients restored (episodes open: {}); silence is judged once the task"
                            + " has caught up",
                    context.taskId(),
                    restored,
                    openHere.values().stream().allMatch(n -> n == 0) ? "none" : openHere);
        }
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    /** The in-memory index from the store: every patient, the quiet ones in the order they went quiet. */
    private int rebuildIndex(long now) {
        List<KeyValue<Bytes, Long>> quiet = new ArrayList<>();
        int patients = 0;
        try (KeyValueIterator<Bytes, PatientAlarms> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, PatientAlarms> entry = it.next();
                PatientAlarms p = entry.value;
                patients++;
                countOpen(p, 1);
                if (p.silent()) {
                    quiet.add(KeyValue.pair(entry.key, p.lastSeenWall()));
                } else {
                    // The streamer was not watching while the task was elsewhere: a fresh silence time from now.
                    index.seen(entry.key, Math.max(now, p.lastSeenWall()));
                }
            }
        }
        quiet.sort(Comparator.comparingLong(kv -> kv.value));
        quiet.forEach(kv -> index.restoredQuiet(kv.key, kv.value));
        metrics.alarmPatients(patients);
        return patients;
    }

    @Override
    public void process(Record<byte[], Object> record) {
        long now = context.currentSystemTimeMs();
        lastInputWall = now;
        if (record.value() instanceof ScoredBatch batch) {
            scored(batch, now);
        } else if (record.value() instanceof DeadLettered notice && record.key() != null) {
            Bytes key = Bytes.wrap(record.key());
            PatientAlarms p = load(key);
            engine.deadLetter(
                    p,
                    patientId(record.key()),
                    notice.source().topic(),
                    notice.source().partition(),
                    notice.source().offset(),
                    notice.recordTimestamp(),
                    now,
                    out);
            save(key, p, now);
            emit(record.key(), notice.recordTimestamp(), now, true);
        }
    }

    /**
     * The batch's beats in order. A patient has several beats in a batch (a task's batch holds a few seconds of
     * its patients), so each is read from the store once and written back once, after its last beat: what the
     * store and its changelog see is the same, and nothing reads the store between (the batch is one record).
     */
    private void scored(ScoredBatch batch, long now) {
        useModel(batch.model());
        double threshold = manifest.threshold();
        int unkeyed = 0;
        for (int i = 0; i < batch.size(); i++) {
            BufferedWindow w = batch.windows().get(i);
            if (w.key() == null) {
                unkeyed++;
                continue;
            }
            BeatScore score = batch.scores()[i];
            Bytes key = Bytes.wrap(w.key());
            PatientAlarms p = inBatch.get(key);
            if (p == null) {
                p = load(key);
                inBatch.put(key, p);
            }
            engine.beat(
                    p,
                    new ScoredBeat(
                            patientId(w.key()),
                            w.source().topic(),
                            w.source().partition(),
                            w.source().offset(),
                            w.window().eventTime(),
                            ratio(score.error(), threshold),
                            quality.check(w.window().samples()),
                            model,
                            now),
                    out);
            emit(w.key(), w.recordTimestamp(), now, true);
        }
        inBatch.forEach((key, p) -> save(key, p, now));
        inBatch.clear();
        if (unkeyed > 0) {
            metrics.unkeyedWindow(unkeyed);
        }
    }

    private void useModel(ReleaseManifest m) {
        if (m != manifest) {
            manifest = m;
            quality = BeatQuality.of(MinMaxScaler.of(m.scaler()));
            model = new ModelRef(m.modelName(), m.version());
        }
    }

    /** score / threshold; a threshold of 0 makes every positive score infinitely far above it. */
    static double ratio(float score, double threshold) {
        if (threshold > 0) {
            return score / threshold;
        }
        return score > 0 ? Double.POSITIVE_INFINITY : 0;
    }

    private PatientAlarms load(Bytes key) {
        PatientAlarms p = store.get(key);
        if (p == null) {
            p = engine.newPatient();
            metrics.alarmPatients(1);
        }
        return p;
    }

    private void save(Bytes key, PatientAlarms p, long now) {
        store.put(key, p);
        index.seen(key, now);
    }

    /** Forwards the alarms the engine just made, keyed by the patient, and counts them. */
    private void emit(byte[] key, long timestamp, long now, boolean causedByRecord) {
        for (Alarm alarm : out) {
            context.forward(new Record<>(key, alarm, timestamp));
            metrics.alarm(alarm, causedByRecord ? now - timestamp : -1);
            if (alarm.state() == AlarmState.RAISED) {
                open(alarm.type(), 1);
            } else if (alarm.state() == AlarmState.CLEARED) {
                open(alarm.type(), -1);
            }
        }
        out.clear();
    }

    private void tick(long now) {
        long unscoredSince = coverage.unscoredSince(context.taskId());
        boolean scoring = unscoredSince == ScoringCoverage.SCORING;
        long streamTime = context.currentStreamTimeMs();
        long silenceMs = engine.rule().silenceMs();
        boolean fresh = streamTime >= 0 && now - streamTime <= silenceMs;
        boolean idle = now - lastInputWall >= silenceMs;
        boolean caughtUp = scoring && (fresh || idle);
        judging(caughtUp);
        Tick t = new Tick(inputTopic, now, caughtUp, unscoredSince, unscoredMs, retentionMs, model);
        if (t.unscored() && !notMonitoredRaised) {
            notMonitoredRaised = true;
            log.warn(
                    "Task {} has held windows no model scores since {} ms ago: its {} patients are NOT_MONITORED",
                    context.taskId(),
                    now - unscoredSince,
                    index.size());
            index.active().forEach(key -> tickPatient(key, t));
        }
        if (scoring) {
            notMonitoredRaised = false;
        }
        if (caughtUp) {
            index.goneQuiet(now - silenceMs).forEach(key -> tickPatient(key, t));
            index.quietSince(now - retentionMs).forEach(key -> tickPatient(key, t));
        }
    }

    private void tickPatient(Bytes key, Tick t) {
        PatientAlarms p = store.get(key);
        if (p == null) {
            index.forget(key);
            return;
        }
        boolean forget = engine.tick(p, patientId(key.get()), t, out);
        if (forget) {
            store.delete(key);
            index.forget(key);
            metrics.alarmPatients(-1);
        } else {
            store.put(key, p);
        }
        emit(key.get(), t.wallNow(), t.wallNow(), false);
    }

    private void judging(boolean caughtUp) {
        if (caughtUp != judgingSilence) {
            judgingSilence = caughtUp;
            metrics.silenceUnjudged(caughtUp ? -1 : 1);
        }
    }

    private void countOpen(PatientAlarms p, int sign) {
        if (p.episodeOpen()) {
            open(AlarmType.ANOMALOUS_BEATS, sign);
        }
        if (p.silent()) {
            open(AlarmType.FEED_SILENT, sign);
        }
        if (p.notMonitored()) {
            open(AlarmType.NOT_MONITORED, sign);
        }
        if (p.qualityOpen()) {
            open(AlarmType.SIGNAL_QUALITY, sign);
        }
    }

    private void open(AlarmType type, long delta) {
        openHere.merge(type, delta, Long::sum);
        metrics.alarmsOpen(type, delta);
    }

    private static String patientId(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        // The state stays in the store; this instance stops counting it.
        openHere.forEach((type, n) -> metrics.alarmsOpen(type, -n));
        openHere.clear();
        metrics.alarmPatients(-index.size());
        if (!judgingSilence) {
            metrics.silenceUnjudged(-1);
        }
        // Kafka Streams may init this same instance again (a task revived after an aborted transaction): what it
        // knows then comes from the store alone, whose aborted writes are gone.
        index.clear();
        inBatch.clear();
        out.clear();
        judgingSilence = true;
        notMonitoredRaised = false;
        manifest = null;
    }
}
