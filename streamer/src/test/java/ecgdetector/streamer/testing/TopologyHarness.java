package ecgdetector.streamer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.JsonSerde;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.StreamerTopology;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import ecgdetector.streamer.ops.InputTopicId;
import ecgdetector.streamer.ops.ScoringCoverage;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.release.ModelRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The streamer's topology in a {@link TopologyTestDriver} with fake models; one per test. */
public final class TopologyHarness implements AutoCloseable {

    public static final Instant START = Instant.parse("2025-03-01T12:00:00Z");

    public final StreamerConfig config;
    public final FakeModels models = new FakeModels();
    public final StreamerMetrics metrics = StreamerMetrics.noop();
    public final ModelRegistry registry;
    /** What the tasks share: the model failures, the in-memory budget, the task reports. */
    public final StreamerTopology.Instance instance;

    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> heartbeats;
    public final TestInputTopic<String, byte[]> releases;
    public final TestOutputTopic<byte[], byte[]> alerts;
    public final TestOutputTopic<byte[], byte[]> scores;
    public final TestOutputTopic<byte[], byte[]> dlq;
    public final TestOutputTopic<byte[], byte[]> alarms;
    /** What the alarm stage is told of a stalled task (every task of the driver): since when, or SCORING. */
    public volatile long stalledSince = ScoringCoverage.SCORING;

    private final Path stateDir;

    public TopologyHarness(Map<String, String> settings) {
        this(settings, newStateDir());
    }

    /** A harness on {@code stateDir}: a second one on the same folder finds the persistent stores' contents. */
    public TopologyHarness(Map<String, String> settings, Path stateDir) {
        this(settings, stateDir, START);
    }

    /** A harness whose wall clock starts at {@code wallClock}. */
    public TopologyHarness(Map<String, String> settings, Path stateDir, Instant wallClock) {
        this(settings, stateDir, wallClock, null);
    }

    /**
     * A harness whose tasks learn the input topic's id from {@code inputTopic}, as a running streamer learns it
     * from the cluster (the others never know it, as under {@code TopologyTestDriver}).
     */
    public TopologyHarness(Map<String, String> settings, InputTopicId inputTopic) {
        this(settings, newStateDir(), START, inputTopic);
    }

    private TopologyHarness(Map<String, String> settings, Path stateDir, Instant wallClock, InputTopicId inputTopic) {
        this.stateDir = stateDir;
        Map<String, String> all = new HashMap<>();
        all.put("bootstrap.servers", "ttd:9092");
        all.put("state.dir", stateDir.toString());
        all.putAll(settings);
        config = StreamerConfig.fromMap(all);
        registry = new ModelRegistry(
                config.modelName(),
                config.windowLength(),
                models,
                metrics,
                TestKeys.trainer().verifier(),
                config.releaseAllowOlder());
        StreamerTopology.Instance standalone = StreamerTopology.Instance.standalone(config, registry, metrics);
        instance = new StreamerTopology.Instance(
                standalone.registry(),
                standalone.failures(),
                standalone.metrics(),
                standalone.deadLetterMaxBytes(),
                standalone.memory(),
                standalone.tasks(),
                inputTopic == null ? standalone.inputTopic() : inputTopic,
                task -> stalledSince);
        driver =
                new TopologyTestDriver(StreamerTopology.build(config, instance), config.streamsProperties(), wallClock);
        TopicNames t = config.topics();
        heartbeats = driver.createInputTopic(
                t.heartbeats(), new ByteArraySerializer(), new ByteArraySerializer(), START, Duration.ofMillis(10));
        releases = driver.createInputTopic(t.models(), new StringSerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(t.alerts(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        scores = driver.createOutputTopic(t.scores(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(t.heartbeatsDlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        alarms = driver.createOutputTopic(t.alarms(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public static Path newStateDir() {
        try {
            return Files.createTempDirectory("ecg-ttd");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TopologyHarness withBatch(int size, long waitMs) {
        return new TopologyHarness(
                Map.of("ecg.batch.size", String.valueOf(size), "ecg.batch.wait.ms", String.valueOf(waitMs)));
    }

    /** The release signed with the trusted test key, as the trainer publishes it. */
    public void publish(ReleaseBundle release) {
        publish(FakeModels.signed(release));
    }

    public void publish(ReleaseRecord record) {
        releases.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers()));
    }

    /** A record that is no release, as anyone who may write to the topic could send it. */
    public void publishRaw(String key, byte[] value) {
        releases.pipeInput(key, value);
    }

    public void send(String key, String value) {
        heartbeats.pipeInput(
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public void send(TestRecord<byte[], byte[]> record) {
        heartbeats.pipeInput(record);
    }

    /**
     * Makes the next heartbeat records come at offsets from {@code offset} again, as a consumer's position reset
     * (or an input topic deleted and created again, whose offsets start at 0) makes them come to a running task.
     * {@code TopologyTestDriver} numbers each input partition's offsets itself and has no API for this, so its
     * counter is reset by reflection; a driver without it fails here, not silently.
     */
    public void rewindInput(long offset) {
        try {
            var field = TopologyTestDriver.class.getDeclaredField("offsetsByTopicOrPatternPartition");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<TopicPartition, AtomicLong> offsets = (Map<TopicPartition, AtomicLong>) field.get(driver);
            AtomicLong next = offsets.get(new TopicPartition(config.topics().heartbeats(), 0));
            if (next == null) {
                throw new IllegalStateException(
                        "no record was sent to " + config.topics().heartbeats() + " yet");
            }
            next.set(offset);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this TopologyTestDriver cannot be rewound: " + e, e);
        }
    }

    public void sendCsv(String key, float[] samples) {
        send(key, csv(samples));
    }

    public void advance(Duration wallClock) {
        driver.advanceWallClockTime(wallClock);
    }

    /** What the streamer makes of a record with this key and value, e.g. a dead letter sent back. */
    public Decoded decode(byte[] key, byte[] value) {
        return new HeartbeatDecoder(config.windowLength(), config.maxAbsSample(), config.maxRecordBytes())
                .decode(key, value, START.toEpochMilli());
    }

    public List<Alert> readAlerts() {
        return alerts.readValuesToList().stream().map(v -> read(v, Alert.class)).toList();
    }

    public List<Alarm> readAlarms() {
        return alarms.readValuesToList().stream().map(v -> read(v, Alarm.class)).toList();
    }

    /**
     * A JSON window for {@code patient} whose fake score is {@code score} and that passes every quality check:
     * {@code score * (1 + sin/2)} over the window, so the mean of |x| is the score, the beat varies, and its
     * maximum is not a plateau. Its event time is {@code eventTime} (epoch ms).
     */
    public void sendBeat(String patient, double score, long eventTime) {
        send(patient, beatJson(score, eventTime, null));
    }

    /** {@link #sendBeat} with the record's own timestamp set too (for stream time). */
    public void sendBeat(String patient, double score, long eventTime, long recordTimestamp) {
        heartbeats.pipeInput(
                patient.getBytes(StandardCharsets.UTF_8),
                beatJson(score, eventTime, null).getBytes(StandardCharsets.UTF_8),
                recordTimestamp);
    }

    /** A JSON window of these samples at {@code eventTime}. */
    public void sendSamples(String patient, float[] samples, long eventTime, long recordTimestamp) {
        String json = "{\"timestamp\":" + eventTime + ",\"samples\":" + java.util.Arrays.toString(samples) + "}";
        heartbeats.pipeInput(
                patient.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), recordTimestamp);
    }

    public static float[] beatSamples(double score) {
        float[] w = new float[FakeModels.LENGTH];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (score * (1 + 0.5 * Math.sin(2 * Math.PI * i / w.length)));
        }
        return w;
    }

    private static String beatJson(double score, long eventTime, String beatId) {
        return "{" + (beatId == null ? "" : "\"beatId\":\"" + beatId + "\",") + "\"timestamp\":" + eventTime
                + ",\"samples\":" + java.util.Arrays.toString(beatSamples(score)) + "}";
    }

    public List<Score> readScores() {
        return scores.readValuesToList().stream().map(v -> read(v, Score.class)).toList();
    }

    public static <T> T read(byte[] json, Class<T> type) {
        return JsonSerde.of(type).deserializer().deserialize(null, json);
    }

    public static JsonNode tree(byte[] json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String csv(float[] samples) {
        StringJoiner j = new StringJoiner(",");
        for (float v : samples) {
            j.add(Float.toString(v));
        }
        return j.toString();
    }

    public static String header(Headers headers, String key) {
        var h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private boolean keepState;

    /** Closes the driver but leaves the state folder, for another harness to start on. */
    public void closeKeepingState() {
        keepState = true;
        close();
    }

    private boolean closed;

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            driver.close();
        } finally {
            registry.close();
            if (!keepState) {
                delete(stateDir);
            }
        }
    }

    public static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder
        }
    }
}
