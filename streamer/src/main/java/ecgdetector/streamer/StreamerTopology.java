package ecgdetector.streamer;

import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.JsonSerde;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.alarm.AlarmProcessor;
import ecgdetector.streamer.alarm.PatientAlarmsSerde;
import ecgdetector.streamer.alert.EmitProcessor;
import ecgdetector.streamer.batch.BufferProcessor;
import ecgdetector.streamer.batch.BufferedWindowSerde;
import ecgdetector.streamer.batch.QueueBudget;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.decode.DecodeProcessor;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import ecgdetector.streamer.infer.ScoreProcessor;
import ecgdetector.streamer.ops.InputTopicId;
import ecgdetector.streamer.ops.ScoringCoverage;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.ops.TaskBuffers;
import ecgdetector.streamer.ops.UnscoredTasks;
import ecgdetector.streamer.release.ModelFailures;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.release.ModelReleaseProcessor;
import ecgdetector.streamer.topics.TopicLimits;
import ecgdetector.streamer.topics.TopicPreflight;
import ecgdetector.streamer.window.BufferedWindow;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The streamer's topology, built in one method that reads like the data path:
 * <pre>
 *   ecg.heartbeats -> decode -+-> batch-buffer (store) -> score -+-> emit -+-> ecg.alerts
 *                             |                                  |         +-> ecg.scores (optional)
 *                             |                                  +-> alarm (store) -> ecg.alarms (optional)
 *                             |                                  |     ^ (dead letters of the patient)
 *                             +-> ecg.heartbeats.dlq <-----------+   (windows the model could not score)
 *   ecg.models -> model-releases (global processor) -> ModelRegistry
 * </pre>
 * Each step is a stage of its own package, none importing another: they share the types in {@code window} and
 * {@code ecgdetector.schemas}. The input stays bytes (a dead letter is the input record as it came); alerts and
 * scores are typed up to their sinks, which write them as JSON. Every record passes through one exactly-once
 * transaction per task commit: dead letters, alerts, scores and the buffer's changelog together.
 */
public final class StreamerTopology {

    public static final String HEARTBEATS_SOURCE = "heartbeats-source";
    public static final String DECODE = "decode";
    public static final String BUFFER = "batch-buffer";
    public static final String BUFFER_STORE = "batch-buffer-store";
    public static final String SCORE = "score";
    public static final String EMIT = "emit";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String SCORES_SINK = "scores-sink";
    public static final String ALARM = "alarm";
    public static final String ALARM_STORE = "alarm-patients-store";
    public static final String ALARMS_SINK = "alarms-sink";
    public static final String MODELS_SOURCE = "models-source";
    public static final String MODEL_RELEASES = "model-releases";
    public static final String MODELS_STORE = "model-releases-store";

    /**
     * Topic configs of the stores' changelogs, which Kafka Streams creates compacted: the batch buffer's
     * ({@code APPLICATION_ID-batch-buffer-store-changelog}) and the patients' alarm states'
     * ({@code APPLICATION_ID-alarm-patients-store-changelog}). A restore (a crashed instance's tasks on a new owner
     * without a standby, a restart, which under exactly-once trusts no local copy after a crash) reads the whole
     * log, and compaction only ever cleans closed segments. The buffer is emptied as fast as it fills: nearly every
     * record on its log is a window's tombstone. The alarm store is written once per patient and commit: nearly
     * every record on its log is superseded by the next. Kafka's defaults keep tombstones 24 h and roll a segment a
     * week (or at 1 GB), so a restore would read days of them; these keep each log to a few minutes of writes
     * besides the latest state of each key. Tombstones must still outlive any read of the log: a standby or a
     * restore that read a window (or a forgotten patient) but not, yet, its tombstone would resurrect it, which is
     * why no instance restores from local state older than half {@code delete.retention.ms}
     * ({@code StateFreshness}).
     */
    public static final Map<String, String> CHANGELOG_CONFIGS = Map.of(
            TopicConfig.SEGMENT_MS_CONFIG, "60000",
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024),
            TopicConfig.DELETE_RETENTION_MS_CONFIG, "300000",
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1",
            TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "120000");

    private StreamerTopology() {}

    /**
     * What the tasks of one streamer instance share besides the configuration.
     *
     * @param registry           the serving model, fed by the models topic through the global processor
     * @param failures           which model versions are marked failed
     * @param deadLetterMaxBytes the largest dead letter the dead-letter topic and the producer take
     * @param memory             the budget of windows all tasks may queue in memory
     * @param tasks              where each task reports its buffer, for the health check
     * @param inputTopic         the input topic's id as last looked up
     * @param stalled            since when a task has made no progress on its input, as the instance's health
     *                           sees it: the alarm stage raises NOT_MONITORED for its patients (besides the batch
     *                           stage's own view, windows waiting while no model can score them)
     */
    public record Instance(
            ModelRegistry registry,
            ModelFailures failures,
            StreamerMetrics metrics,
            int deadLetterMaxBytes,
            QueueBudget memory,
            TaskBuffers tasks,
            InputTopicId inputTopic,
            ScoringCoverage stalled) {

        /** The same instance, its stalls told by {@code stalled} (tests drive it by hand). */
        public Instance withStalled(ScoringCoverage stalled) {
            return new Instance(registry, failures, metrics, deadLetterMaxBytes, memory, tasks, inputTopic, stalled);
        }

        /**
         * An instance with no cluster to ask: dead letters sized by the producer's limit alone, the input topic's
         * id unknown (as under {@code TopologyTestDriver}).
         */
        public static Instance standalone(StreamerConfig config, ModelRegistry registry, StreamerMetrics metrics) {
            TaskBuffers tasks = new TaskBuffers();
            return new Instance(
                    registry,
                    new ModelFailures(
                            config.modelFailureLimit(), () -> registry.serving().map(m -> m.version())),
                    metrics,
                    TopicLimits.producerOnly(TopicPreflight.producerMaxRequestBytes(config.streamsProperties()))
                            .deadLetterMaxBytes(),
                    new QueueBudget(config.bufferMemoryWindows()),
                    tasks,
                    InputTopicId.unknown(config.topics().heartbeats()),
                    tasks);
        }
    }

    /** {@link #build(StreamerConfig, Instance)} for a {@link Instance#standalone standalone} instance. */
    public static Topology build(StreamerConfig config, ModelRegistry registry, StreamerMetrics metrics) {
        return build(config, Instance.standalone(config, registry, metrics));
    }

    /** The changelog topic of the batch buffer under {@code applicationId}, as Kafka Streams names it. */
    public static String bufferChangelog(String applicationId) {
        return applicationId + "-" + BUFFER_STORE + "-changelog";
    }

    /** The changelog topic of the patients' alarm states under {@code applicationId}, as Kafka Streams names it. */
    public static String alarmChangelog(String applicationId) {
        return applicationId + "-" + ALARM_STORE + "-changelog";
    }

    /** The changelogs of the stores {@code config}'s topology has, the batch buffer's first. */
    public static List<String> changelogs(StreamerConfig config) {
        String id = config.applicationId();
        return config.alarms().enabled()
                ? List.of(bufferChangelog(id), alarmChangelog(id))
                : List.of(bufferChangelog(id));
    }

    /** The topology for {@code config}: decoding bounds, batch size and wait, topics, scores on or off. */
    public static Topology build(StreamerConfig config, Instance instance) {
        ModelRegistry registry = instance.registry();
        StreamerMetrics metrics = instance.metrics();
        TopicNames topics = config.topics();
        Serializer<byte[]> bytes = new ByteArraySerializer();
        Topology topology = new Topology();
        boolean alarms = config.alarms().enabled();
        String alarm = alarms ? ALARM : null;
        UnscoredTasks unscored = new UnscoredTasks();

        addInput(topology, config, instance, alarm);

        BufferProcessor.Shared buffers = new BufferProcessor.Shared(
                instance.memory(), instance.tasks(), instance.inputTopic(), metrics, unscored);
        topology.addProcessor(
                BUFFER,
                () -> new BufferProcessor(
                        BUFFER_STORE,
                        config.batchSize(),
                        config.batchMaxWait(),
                        config.punctuationInterval(),
                        instance.failures()::canScore,
                        buffers),
                DECODE);
        topology.addStateStore(bufferStore(), BUFFER);

        List<String> scored = alarms ? List.of(EMIT, ALARM) : List.of(EMIT);
        topology.addProcessor(
                SCORE,
                () -> new ScoreProcessor(
                        registry, instance.failures(), metrics, instance.deadLetterMaxBytes(), scored, DLQ_SINK, alarm),
                BUFFER);
        // Records that are no window, and windows the model could not score.
        topology.addSink(DLQ_SINK, topics.heartbeatsDlq(), bytes, bytes, DECODE, SCORE);

        addOutputs(topology, config, metrics, bytes);
        if (alarms) {
            ScoringCoverage stalled = instance.stalled();
            addAlarms(
                    topology,
                    config,
                    task -> earliest(unscored.unscoredSince(task), stalled.unscoredSince(task)),
                    metrics);
        }
        addModels(topology, topics, registry);
        return topology;
    }

    /** The input topic and its decoding: windows to the buffer, anything else to the dead-letter topic. */
    private static void addInput(Topology topology, StreamerConfig config, Instance instance, String alarm) {
        HeartbeatDecoder decoder =
                new HeartbeatDecoder(config.windowLength(), config.maxAbsSample(), config.maxRecordBytes());
        StreamerMetrics metrics = instance.metrics();
        topology.addSource(
                AutoOffsetReset.earliest(),
                HEARTBEATS_SOURCE,
                new LenientTimestamps(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                config.topics().heartbeats());
        topology.addProcessor(
                DECODE,
                () -> new DecodeProcessor(
                        decoder,
                        metrics::deadLetter,
                        metrics::deadLetterReduced,
                        instance.deadLetterMaxBytes(),
                        BUFFER,
                        DLQ_SINK,
                        alarm),
                HEARTBEATS_SOURCE);
    }

    /** The verdicts: alerts, and every window's score when scores are on. */
    private static void addOutputs(
            Topology topology, StreamerConfig config, StreamerMetrics metrics, Serializer<byte[]> bytes) {
        TopicNames topics = config.topics();
        String scoresSink = config.scoresEnabled() ? SCORES_SINK : null;
        topology.addProcessor(EMIT, () -> new EmitProcessor(metrics, ALERTS_SINK, scoresSink), SCORE);
        topology.addSink(
                ALERTS_SINK, topics.alerts(), bytes, JsonSerde.of(Alert.class).serializer(), EMIT);
        if (config.scoresEnabled()) {
            topology.addSink(
                    SCORES_SINK,
                    topics.scores(),
                    bytes,
                    JsonSerde.of(Score.class).serializer(),
                    EMIT);
        }
    }

    /** The models topic, read by every instance whole into the global store of releases. */
    private static void addModels(Topology topology, TopicNames topics, ModelRegistry registry) {
        topology.addGlobalStore(
                releasesStore(),
                MODELS_SOURCE,
                new LenientTimestamps(),
                new StringDeserializer(),
                new ByteArrayDeserializer(),
                topics.models(),
                MODEL_RELEASES,
                () -> new ModelReleaseProcessor(registry));
    }

    /** Each patient's alarms from its scored windows and dead letters, to the alarms topic. */
    private static void addAlarms(
            Topology topology, StreamerConfig config, ScoringCoverage coverage, StreamerMetrics metrics) {
        StreamerConfig.Alarms alarms = config.alarms();
        topology.addProcessor(
                ALARM,
                () -> new AlarmProcessor(
                        ALARM_STORE,
                        alarms.rule(),
                        config.topics().heartbeats(),
                        alarms.retention().toMillis(),
                        alarms.unscored().toMillis(),
                        coverage,
                        metrics),
                SCORE,
                DECODE);
        topology.addStateStore(alarmStore(alarms.rule().window()), ALARM);
        topology.addSink(
                ALARMS_SINK,
                config.topics().alarms(),
                new ByteArraySerializer(),
                JsonSerde.of(Alarm.class).serializer(),
                ALARM);
    }

    private static long earliest(long a, long b) {
        if (a == ScoringCoverage.SCORING) {
            return b;
        }
        return b == ScoringCoverage.SCORING ? a : Math.min(a, b);
    }

    /** Each patient's alarm state by its key; changelogged, so alarms commit with the scores. */
    private static StoreBuilder<KeyValueStore<Bytes, PatientAlarms>> alarmStore(int window) {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(ALARM_STORE), Serdes.Bytes(), new PatientAlarmsSerde(window))
                .withCachingEnabled()
                .withLoggingEnabled(CHANGELOG_CONFIGS);
    }

    /** The windows waiting for their batch, by source partition and offset; changelogged, so a crash loses none. */
    private static StoreBuilder<KeyValueStore<Bytes, BufferedWindow>> bufferStore() {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(BUFFER_STORE), Serdes.Bytes(), new BufferedWindowSerde())
                .withCachingEnabled()
                .withLoggingEnabled(CHANGELOG_CONFIGS);
    }

    /**
     * The store Kafka Streams requires of the models topic's global processor: in memory and left empty (see
     * {@link ModelReleaseProcessor}), so nothing is checkpointed and every start reads the whole topic again.
     */
    private static StoreBuilder<KeyValueStore<String, byte[]>> releasesStore() {
        return Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(MODELS_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled();
    }

    /**
     * The record's own timestamp; for a record without a valid one (older producers write -1) the partition's
     * stream time, else the wall clock. Kafka Streams' default would stop the application on such a record.
     */
    static final class LenientTimestamps implements TimestampExtractor {
        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            if (record.timestamp() >= 0) {
                return record.timestamp();
            }
            return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
        }
    }
}
