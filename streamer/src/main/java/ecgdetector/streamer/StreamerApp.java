package ecgdetector.streamer;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.kafka.KafkaRefusal;
import ecgdetector.model.kafka.TopicCheck;
import ecgdetector.model.release.TrustedReleaseKeys;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.ops.KafkaReachability;
import ecgdetector.streamer.ops.OpsServer;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.release.ModelRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running streamer: configuration -> topology -> {@link KafkaStreams}, plus the model registry, the
 * metrics and the {@code /metrics} and {@code /health} server.
 *
 * <pre>{@code
 * try (StreamerApp app = StreamerApp.start(config)) {
 *     app.awaitTermination();
 * }
 * }</pre>
 * {@link #run(StreamerConfig)} does the same and also closes cleanly on SIGTERM.
 */
public final class StreamerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamerApp.class);
    private static final long TOPIC_CHECK_TIMEOUT_MS = 30_000;
    private static final String GROUP_INSTANCE_ID = "group.instance.id";

    private final StreamerConfig config;
    private final PrometheusMeterRegistry meters;
    private final StreamerMetrics metrics;
    private final ModelRegistry registry;
    private final KafkaStreams streams;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private OpsServer ops;
    private KafkaReachability kafkaReachability;
    private volatile boolean failed;
    /** Why Kafka refused the streamer, if it did: the failure {@link #run} reports. */
    private volatile String refusal;

    private volatile boolean closed;

    private StreamerApp(StreamerConfig config, ScoringModel.Loader loader, TrustedReleaseKeys trustedKeys) {
        this.config = config;
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new StreamerMetrics(meters);
        this.registry = new ModelRegistry(
                config.modelName(), config.windowLength(), loader, metrics, trustedKeys, config.releaseAllowOlder());
        this.streams = new KafkaStreams(StreamerTopology.build(config, registry, metrics), config.streamsProperties());
    }

    /** Starts the streamer with DJL on TensorFlow as the inference engine. */
    public static StreamerApp start(StreamerConfig config) {
        return start(config, ReleaseModel::load);
    }

    /**
     * Starts the streamer: checks the topics, starts Kafka Streams and the ops server. Returns at once; the
     * first model loads and the tasks start in the background ({@link #isReady()} says when they did).
     */
    public static StreamerApp start(StreamerConfig config, ScoringModel.Loader loader) {
        log.info("Starting ecg streamer {}: {}", config.applicationId(), config.describe());
        if (!config.exactlyOnce()) {
            log.warn("processing.guarantee is not exactly_once_v2: after a crash windows may be scored twice and "
                    + "alerts duplicated");
        }
        TrustedReleaseKeys trustedKeys = TrustedReleaseKeys.fromFiles(config.releaseKeyFiles());
        if (trustedKeys.required()) {
            log.info("Releases serve only if signed with one of the keys {}", trustedKeys.keyIds());
        } else {
            log.warn(
                    "No release keys configured (ecg.release.key.files): any valid release on {} will serve, so "
                            + "whoever may write to that topic decides the alarms",
                    config.topics().models());
        }
        if (config.checkTopics()) {
            checkTopics(config);
        }
        StreamerApp app = new StreamerApp(config, loader, trustedKeys);
        try {
            app.startRunning();
        } catch (RuntimeException | IOException e) {
            app.close();
            Optional<ApiException> refused = KafkaRefusal.find(e);
            if (refused.isPresent()) {
                throw new IllegalStateException(
                        KafkaRefusal.describe(refused.get(), config.streamsProperties(), requiredAcls(config)), e);
            }
            throw e instanceof IOException io
                    ? new UncheckedIOException(
                            "cannot start the ops server on port " + config.httpPort() + ": " + io.getMessage(), io)
                    : (RuntimeException) e;
        }
        return app;
    }

    private void startRunning() throws IOException {
        streams.setUncaughtExceptionHandler(e -> {
            Optional<ApiException> refused = KafkaRefusal.find(e);
            if (refused.isPresent()) {
                // A refused login or a missing ACL stays refused: a replaced thread would fail the same way forever.
                refusal = KafkaRefusal.describe(refused.get(), config.streamsProperties(), requiredAcls(config));
                log.error("{}; shutting down", refusal, e);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            log.error(
                    "A stream thread failed; replacing it. Its tasks resume from the last commit, so no window is "
                            + "lost or scored twice",
                    e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            log.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                failed = true;
                log.error("Kafka Streams failed for good; shutting down so that the process can be restarted");
                terminated.countDown();
            } else if (now == KafkaStreams.State.NOT_RUNNING) {
                terminated.countDown();
            }
        });
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        binders.add(streamsMetrics);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        binders.add(gc);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        Gauge.builder("ecg.ready", () -> isReady() ? 1 : 0)
                .description("1 when Kafka Streams runs, Kafka answers and a model is loaded")
                .register(meters);
        kafkaReachability = KafkaReachability.start(
                new StreamsConfig(config.streamsProperties()).getAdminConfigs(config.applicationId() + "-probe"),
                config.bootstrapServers());
        if (config.httpPort() >= 0) {
            ops = OpsServer.start(config.httpHost(), config.httpPort(), meters, this::health);
        }
        streams.start();
    }

    /**
     * Starts the streamer, closes it cleanly on SIGTERM (or Ctrl-C) and returns once it stopped: 0 after a
     * clean shutdown, 1 if Kafka Streams failed for good.
     *
     * @throws IllegalStateException saying why, if Kafka refused the streamer's login or an operation (ACL)
     */
    public static int run(StreamerConfig config) {
        StreamerApp app = start(config);
        Thread hook = new Thread(app::close, "ecg-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.awaitTermination();
        app.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook finds the streamer closed.
        }
        if (app.refusal != null) {
            throw new IllegalStateException(app.refusal);
        }
        return app.failed ? 1 : 0;
    }

    /** Why Kafka refused the streamer (login or ACL), if it did and the streamer stopped for it. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** The ACLs the streamer's principal needs, for messages; README.md's security section has the list. */
    static String requiredAcls(StreamerConfig config) {
        TopicNames t = config.topics();
        String app = config.applicationId();
        return "READ on topics " + t.heartbeats() + " and " + t.models() + "; WRITE on " + t.alerts() + ", "
                + t.heartbeatsDlq() + (config.scoresEnabled() ? ", " + t.scores() : "")
                + "; DESCRIBE on all of them; READ on"
                + " group " + app + "; WRITE and DESCRIBE on transactional ids prefixed " + app
                + "; ALL on topics prefixed " + app + " (its internal topics)";
    }

    /** Blocks until the streamer was closed or Kafka Streams failed for good. */
    public void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Kafka Streams runs, Kafka answered its latest probe and a model is loaded: windows are being scored.
     * Kafka Streams alone stays RUNNING while its brokers are gone, hence the probe.
     */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING && registry.hasModel() && isKafkaReachable();
    }

    /** Whether Kafka answered the latest reachability probe (every {@link KafkaReachability#INTERVAL}). */
    public boolean isKafkaReachable() {
        KafkaReachability probe = kafkaReachability;
        return probe != null && probe.isReachable();
    }

    /** False once Kafka Streams failed for good or is shutting down. */
    public boolean isLive() {
        KafkaStreams.State s = streams.state();
        return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR && !closed;
    }

    public OpsServer.Health health() {
        return new OpsServer.Health(
                isLive(),
                isReady(),
                streams.state().name(),
                isKafkaReachable(),
                registry.serving().map(m -> m.version()).orElse(null),
                metrics.bufferedWindows());
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public ModelRegistry models() {
        return registry;
    }

    public StreamerMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The port of the ops server, or -1 if it is off. */
    public int httpPort() {
        return ops == null ? -1 : ops.port();
    }

    /**
     * Stops Kafka Streams (committing what was processed, leaving the consumer group unless this is a static
     * member), then frees the model and the ops server. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        log.info("Shutting down the ecg streamer");
        // Leaving the group hands this instance's tasks (waiting windows included) to the others at once rather
        // than after the session timeout; with static membership (group.instance.id) a restart keeps them instead.
        boolean staticMember = config.kafka().keySet().stream().anyMatch(k -> k.endsWith(GROUP_INSTANCE_ID));
        boolean clean = streams.close(CloseOptions.timeout(config.shutdownTimeout())
                .withGroupMembershipOperation(
                        staticMember
                                ? GroupMembershipOperation.REMAIN_IN_GROUP
                                : GroupMembershipOperation.LEAVE_GROUP));
        if (!clean) {
            log.warn(
                    "Kafka Streams did not stop within {} ms; uncommitted work is redone on restart",
                    config.shutdownTimeout().toMillis());
        }
        registry.close();
        if (kafkaReachability != null) {
            kafkaReachability.close();
        }
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                log.debug("Closing a metrics binder failed", e);
            }
        }
        if (ops != null) {
            ops.close();
        }
        meters.close();
        terminated.countDown();
        log.info("ecg streamer stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Fails fast, naming them, if topics the streamer needs do not exist; Kafka Streams would otherwise only
     * fail (or retry) once it first writes to them. Topics the credentials may not describe are let through.
     */
    static void checkTopics(StreamerConfig config) {
        TopicNames t = config.topics();
        List<String> needed = new ArrayList<>(List.of(t.heartbeats(), t.heartbeatsDlq(), t.alerts(), t.models()));
        if (config.scoresEnabled()) {
            needed.add(t.scores());
        }
        Map<String, Object> adminConfig =
                new StreamsConfig(config.streamsProperties()).getAdminConfigs(config.applicationId() + "-topic-check");
        TopicCheck.Result found = TopicCheck.describe(
                adminConfig, needed, Duration.ofMillis(TOPIC_CHECK_TIMEOUT_MS), requiredAcls(config));
        found.notDescribable()
                .forEach(topic -> log.warn("Not allowed to describe topic {}; assuming it exists", topic));
        List<String> missing = found.missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing Kafka topics " + missing + " on " + config.bootstrapServers()
                    + "; create them first (the models topic compacted), or set ecg.check.topics=false");
        }
    }

    /**
     * Runs the streamer with settings from the environment, a properties file and {@code key=value}
     * arguments: {@code StreamerApp [--config FILE] [key=value ...]}. The {@code ./ecg stream} command is the
     * usual way in; this entry point serves launchers and tests that start the streamer in its own JVM.
     */
    public static void main(String[] args) {
        Path file = null;
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].contains("=")) {
                flags.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
            } else {
                System.err.println("usage: StreamerApp [--config FILE] [key=value ...]");
                System.exit(2);
            }
        }
        try {
            System.exit(run(StreamerConfig.load(flags, System.getenv(), file)));
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            System.err.println("ecg streamer: " + e.getMessage());
            System.exit(e instanceof IllegalArgumentException ? 2 : 1);
        }
    }
}
