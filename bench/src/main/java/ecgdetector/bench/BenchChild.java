package ecgdetector.bench;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * The measured application, in a JVM of its own so that its memory is its own (the broker stays in the
 * bench's JVM): {@code BenchChild MODE FILE}.
 *
 * <ul>
 *   <li>{@code streamer}: {@link StreamerApp#start(StreamerConfig)}, the production streamer, unchanged;</li>
 *   <li>{@code passthrough}: a Kafka Streams application with the same {@link StreamerConfig#streamsProperties()}
 *       (exactly-once, threads, commit interval, poll interval) whose topology only copies each record of the
 *       heartbeats topic, as bytes, to {@value #OUTPUT_TOPIC_KEY};</li>
 *   <li>{@code peer-at-least-once}, {@code peer-transactional}: the {@link PlainClientPeer}, with the release in
 *       {@value #RELEASE_DIR_KEY}.</li>
 * </ul>
 * FILE holds the streamer's settings ({@code ecg.*} and Kafka properties, as for {@code ./ecg stream --config}).
 *
 * <p>It talks to the bench on stdin/stdout, one line each way, its own lines prefixed {@value #PREFIX}:
 * {@code READY <epoch ms>} once it consumes (Kafka Streams RUNNING and, for the streamer, a model loaded);
 * {@code stats} is answered with {@code STATS key=value ...}; {@code stop} closes it cleanly and it answers
 * {@code STOPPED} before it exits. Its logs go to stderr. Closing stdin (the bench went away) stops it too.
 */
public final class BenchChild {

    public static final String PREFIX = "BENCH ";
    public static final String OUTPUT_TOPIC_KEY = "bench.output.topic";
    /** Stats keys of Native Memory Tracking's committed bytes: {@code nmt.Total}, {@code nmt.JavaHeap}, ... */
    static final String NMT_PREFIX = "nmt.";

    /** The folder the plain-client peer loads its release from ({@link ReleaseBundle#readFrom}). */
    public static final String RELEASE_DIR_KEY = "bench.release.dir";

    static final String MODE_STREAMER = "streamer";
    static final String MODE_PASS_THROUGH = "passthrough";
    static final String MODE_PEER_AT_LEAST_ONCE = "peer-at-least-once";
    static final String MODE_PEER_TRANSACTIONAL = "peer-transactional";
    private static final List<String> MODES =
            List.of(MODE_STREAMER, MODE_PASS_THROUGH, MODE_PEER_AT_LEAST_ONCE, MODE_PEER_TRANSACTIONAL);
    private static final long READY_TIMEOUT_MS = 180_000;

    private BenchChild() {}

    /** The pass-through topology: heartbeats topic -> output topic, bytes copied as they are. */
    public static Topology passThrough(String input, String output) {
        Topology topology = new Topology();
        topology.addSource(
                AutoOffsetReset.earliest(), "source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), input);
        topology.addSink("sink", output, new ByteArraySerializer(), new ByteArraySerializer(), "source");
        return topology;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !MODES.contains(args[0])) {
            System.err.println("usage: BenchChild " + String.join("|", MODES) + " FILE");
            System.exit(2);
        }
        Map<String, String> settings = new LinkedHashMap<>(StreamerConfig.readProperties(Path.of(args[1])));
        String output = settings.remove(OUTPUT_TOPIC_KEY);
        String releaseDir = settings.remove(RELEASE_DIR_KEY);
        StreamerConfig config = StreamerConfig.fromMap(settings);

        AutoCloseable app;
        BooleanSupplier ready;
        StreamerApp streamer = null;
        PlainClientPeer peer = null;
        if (args[0].equals(MODE_STREAMER)) {
            streamer = StreamerApp.start(config);
            app = streamer;
            ready = streamer::isReady;
        } else if (args[0].startsWith("peer-")) {
            peer = peer(args[0], settings, config, releaseDir);
            peer.start();
            app = peer;
            ready = peer::isReady;
        } else {
            if (output == null) {
                throw new IllegalArgumentException(OUTPUT_TOPIC_KEY + " is required for the pass-through");
            }
            KafkaStreams streams =
                    new KafkaStreams(passThrough(config.topics().heartbeats(), output), config.streamsProperties());
            streams.start();
            app = streams;
            ready = () -> streams.state() == KafkaStreams.State.RUNNING;
        }

        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (!ready.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                System.err.println("not ready within " + READY_TIMEOUT_MS + " ms");
                System.exit(3);
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
        say("READY " + System.currentTimeMillis());

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("stats")) {
                say("STATS " + stats(streamer, peer == null ? Map.of() : peer.stats()));
            } else if (line.equals("stop")) {
                break;
            }
        }
        app.close();
        say("STOPPED");
        System.exit(0);
    }

    /**
     * The plain-client peer of the streamer: the same release (loaded and warmed up on every batch shape, as the
     * streamer does by default), decoder, topics and batch size; the Kafka clients get the cluster's connection
     * settings only.
     */
    private static PlainClientPeer peer(
            String mode, Map<String, String> settings, StreamerConfig config, String releaseDir) throws Exception {
        if (releaseDir == null) {
            throw new IllegalArgumentException(RELEASE_DIR_KEY + " is required for the plain-client peer");
        }
        ReleaseModel model = ReleaseModel.load(ReleaseBundle.readFrom(Path.of(releaseDir)));
        if (config.releaseWarmup()) {
            model.warmUp(config.batchSize());
        }
        Properties client = new Properties();
        settings.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                client.put(k, v);
            }
        });
        return new PlainClientPeer(
                client,
                config.applicationId(),
                config.topics(),
                model,
                new HeartbeatDecoder(config.windowLength(), config.maxAbsSample(), config.maxRecordBytes()),
                config.batchSize(),
                mode.equals(MODE_PEER_TRANSACTIONAL)
                        ? PlainClientPeer.Guarantee.TRANSACTIONAL
                        : PlainClientPeer.Guarantee.AT_LEAST_ONCE);
    }

    /**
     * Heap, GC and, for the streamer, the batching and inference figures of its metrics ({@code loop}'s own for
     * the plain-client peer).
     */
    static String stats(StreamerApp streamer, Map<String, Long> loop) {
        Map<String, Object> s = new LinkedHashMap<>(loop);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        s.put("heapUsed", heap.getUsed());
        s.put("heapCommitted", heap.getCommitted());
        s.put("heapMax", heap.getMax());
        long gcCount = 0;
        long gcMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        s.put("gcCount", gcCount);
        s.put("gcMs", gcMs);
        if (streamer != null) {
            DistributionSummary batches =
                    streamer.meters().find("ecg.batch.size").summary();
            Timer inference = streamer.meters().find("ecg.inference").timer();
            if (batches != null) {
                s.put("batches", batches.count());
                s.put("batchedWindows", (long) batches.totalAmount());
            }
            if (inference != null) {
                s.put("inferenceMs", (long) inference.totalTime(TimeUnit.MILLISECONDS));
            }
            if (!streamer.meters().find("ecg.alarms").counters().isEmpty()) {
                s.put("alarms", (long) streamer.meters().find("ecg.alarms").counters().stream()
                        .mapToDouble(Counter::count)
                        .sum());
            }
            s.put("streamThreads", (long) streamer.health().streamThreads());
            s.put("activeTasks", gauge(streamer, "ecg.tasks", "active"));
            s.put("standbyTasks", gauge(streamer, "ecg.tasks", "standby"));
            Counter restored = streamer.meters().find("ecg.restored.records").counter();
            Timer restore = streamer.meters().find("ecg.restore").timer();
            if (restored != null && restore != null) {
                s.put("restoredRecords", (long) restored.count());
                s.put("restores", restore.count());
                s.put("restoreMs", (long) restore.totalTime(TimeUnit.MILLISECONDS));
                s.put("restoreMaxMs", (long) restore.max(TimeUnit.MILLISECONDS));
            }
        }
        // With -XX:NativeMemoryTracking=summary (the soak): what the JVM itself has committed, per category.
        NativeMemory.committedBytesOfThisJvm()
                .forEach((category, bytes) -> s.put(NMT_PREFIX + category.replaceAll("\\s+", ""), bytes));
        StringBuilder out = new StringBuilder();
        s.forEach((k, v) -> out.append(k).append('=').append(v).append(' '));
        return out.toString().trim();
    }

    private static long gauge(StreamerApp streamer, String name, String type) {
        Gauge g = streamer.meters().find(name).tag("type", type).gauge();
        return g == null ? -1 : (long) g.value();
    }

    private static void say(String line) throws IOException {
        System.out.println(PREFIX + line);
        System.out.flush();
    }
}
