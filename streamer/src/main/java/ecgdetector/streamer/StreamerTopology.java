package ecgdetector.streamer;

import ecgdetector.schemas.Alert;
import ecgdetector.schemas.JsonSerde;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.alert.EmitProcessor;
import ecgdetector.streamer.batch.BufferProcessor;
import ecgdetector.streamer.batch.BufferedWindowSerde;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.decode.DecodeProcessor;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import ecgdetector.streamer.infer.ScoreProcessor;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.release.ModelReleaseProcessor;
import ecgdetector.streamer.window.BufferedWindow;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 *                             +-> ecg.heartbeats.dlq <-----------+   (windows the model could not score)
 *   ecg.models -> model-releases (global store) -> ModelRegistry
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
    public static final String MODELS_SOURCE = "models-source";
    public static final String MODEL_RELEASES = "model-releases";
    public static final String MODELS_STORE = "model-releases-store";

    private StreamerTopology() {}

    /**
     * The topology for {@code config}: decoding bounds, batch size and wait, topics, scores on or off.
     *
     * @param registry the serving model, fed by the models topic through the global processor
     */
    public static Topology build(StreamerConfig config, ModelRegistry registry, StreamerMetrics metrics) {
        TopicNames topics = config.topics();
        HeartbeatDecoder decoder =
                new HeartbeatDecoder(config.windowLength(), config.maxAbsSample(), config.maxRecordBytes());
        Serializer<byte[]> bytes = new ByteArraySerializer();
        Topology topology = new Topology();

        topology.addSource(
                AutoOffsetReset.earliest(),
                HEARTBEATS_SOURCE,
                new LenientTimestamps(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                topics.heartbeats());
        topology.addProcessor(
                DECODE, () -> new DecodeProcessor(decoder, metrics::deadLetter, BUFFER, DLQ_SINK), HEARTBEATS_SOURCE);

        topology.addProcessor(
                BUFFER,
                () -> new BufferProcessor(
                        BUFFER_STORE,
                        config.batchSize(),
                        config.batchMaxWait(),
                        config.punctuationInterval(),
                        registry::hasModel,
                        metrics),
                DECODE);
        topology.addStateStore(bufferStore(), BUFFER);

        topology.addProcessor(SCORE, () -> new ScoreProcessor(registry, metrics, EMIT, DLQ_SINK), BUFFER);
        // Records that are no window, and windows the model could not score.
        topology.addSink(DLQ_SINK, topics.heartbeatsDlq(), bytes, bytes, DECODE, SCORE);

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

        topology.addGlobalStore(
                releasesStore(),
                MODELS_SOURCE,
                new LenientTimestamps(),
                new StringDeserializer(),
                new ByteArrayDeserializer(),
                topics.models(),
                MODEL_RELEASES,
                () -> new ModelReleaseProcessor(MODELS_STORE, registry));
        return topology;
    }

    /** The windows waiting for their batch, by source partition and offset; changelogged, so a crash loses none. */
    private static StoreBuilder<KeyValueStore<Bytes, BufferedWindow>> bufferStore() {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(BUFFER_STORE), Serdes.Bytes(), new BufferedWindowSerde())
                .withCachingEnabled();
    }

    /** The last accepted release per model name; the models topic itself is its changelog. */
    private static StoreBuilder<KeyValueStore<String, byte[]>> releasesStore() {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(MODELS_STORE), Serdes.String(), Serdes.ByteArray())
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
