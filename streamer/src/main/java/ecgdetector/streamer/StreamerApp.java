package ecgdetector.streamer;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.inference.TensorFlowRuntime;
import ecgdetector.model.kafka.KafkaRefusal;
import ecgdetector.model.kafka.TopicCheck;
import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseTrust;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.batch.QueueBudget;
import ecgdetector.streamer.config.IdlePoll;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.TransactionDeadlines;
import ecgdetector.streamer.health.HealthWatch;
import ecgdetector.streamer.health.InputLoss;
import ecgdetector.streamer.health.LossAwareConsumer;
import ecgdetector.streamer.health.TaskProgress;
import ecgdetector.streamer.health.ThreadFailures;
import ecgdetector.streamer.membership.BufferRestores;
import ecgdetector.streamer.membership.CleanStop;
import ecgdetector.streamer.membership.InstanceLock;
import ecgdetector.streamer.membership.InstanceNameCheck;
import ecgdetector.streamer.membership.ScoringThreads;
import ecgdetector.streamer.membership.StateFreshness;
import ecgdetector.streamer.membership.UncheckpointedTasks;
import ecgdetector.streamer.ops.InputTopicId;
import ecgdetector.streamer.ops.KafkaReachability;
import ecgdetector.streamer.ops.OpsServer;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.ops.TaskBuffers;
import ecgdetector.streamer.release.LoadWatchdog;
import ecgdetector.streamer.release.ModelFailures;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.release.ModelsTopicWarnings;
import ecgdetector.streamer.release.ReleaseReplay;
import ecgdetector.streamer.release.WarmingLoader;
import ecgdetector.streamer.topics.TopicLimits;
import ecgdetector.streamer.topics.TopicPreflight;
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
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
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
    private static final long NEW_TOPIC_RETRY_MS = 200;
    /** Kafka Streams' words for an internal topic whose partitions no longer match its source's. */
    private static final Pattern INVALID_PARTITIONS =
            Pattern.compile("internal topic (\\S+) has invalid partitions: expected: (\\d+); actual: (\\d+)");
    /** The consumer's own {@code session.timeout.ms} default, for a configuration that leaves it out. */
    private static final int KAFKA_SESSION_TIMEOUT_MS = 45_000;

    private final StreamerConfig config;
    private final PrometheusMeterRegistry meters;
    private final StreamerMetrics metrics;
    private final ModelRegistry registry;
    private final ModelFailures modelFailures;
    private final TaskBuffers taskBuffers = new TaskBuffers();
    private final QueueBudget memory;
    private final InputLoss inputLoss;
    private final ThreadFailures threadFailures = new ThreadFailures();
    private final TransactionDeadlines transactionDeadlines;
    /** Asks the cluster for the input topic's id, for the replay guard; closed with the app. */
    private final Admin topicIdLookup;

    private final InputTopicId inputTopicId;
    private final InstanceLock lock;
    private final StateFreshness freshness;
    private final Path applicationFolder;
    private final KafkaStreams streams;
    private final ScoringThreads scoringThreads;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private KafkaStreamsMetrics streamsMetrics;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private OpsServer ops;
    private KafkaReachability kafkaReachability;
    private HealthWatch healthWatch;
    private volatile boolean failed;
    /** Why Kafka refused the streamer, if it did: the failure {@link #run} reports. */
    private volatile String refusal;
    /** Why the streamer stopped for good on a fault only an operator can fix, if it did; {@link #run} reports it. */
    private volatile String stoppedBecause;

    private volatile boolean closed;
    /** Set once the first tasks of this run scored. */
    private volatile boolean scoringSince;

    private StreamerApp(
            StreamerConfig config, ScoringModel.Loader loader, ReleaseVerifier verifier, TopicLimits limits) {
        this.config = config;
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new StreamerMetrics(meters);
        metrics.signaturesRequired(verifier.signaturesRequired());
        ScoringModel.Loader timed = new LoadWatchdog(
                config.releaseWarmup() ? new WarmingLoader(loader, config.batchSize()) : loader,
                config.releaseLoadTimeout(),
                metrics::loadAbandoned);
        this.registry = new ModelRegistry(
                config.modelName(), config.windowLength(), timed, metrics, verifier, config.releaseAllowOlder());
        this.modelFailures = new ModelFailures(
                config.modelFailureLimit(), () -> registry.serving().map(ReleaseManifest::version));
        this.memory = new QueueBudget(config.bufferMemoryWindows());
        this.inputLoss = new InputLoss(metrics);
        this.transactionDeadlines = new TransactionDeadlines(metrics::transactionExpired);
        StreamerTopology.Instance instance = new StreamerTopology.Instance(
                registry,
                modelFailures,
                metrics,
                limits.deadLetterMaxBytes(),
                memory,
                taskBuffers,
                new InputTopicId(config.topics().heartbeats(), this::lookUpInputTopicId),
                taskBuffers);
        this.inputTopicId = instance.inputTopic();
        Properties props = config.streamsProperties();
        Path stateFolder = Path.of(props.getProperty(StreamsConfig.STATE_DIR_CONFIG));
        this.lock = InstanceLock.acquire(stateFolder, config.instanceName(), Clock.systemUTC());
        this.freshness = new StateFreshness(StreamerTopology.CHANGELOG_CONFIGS, Clock.systemUTC());
        this.applicationFolder = stateFolder.resolve(config.applicationId());
        discardUncheckpointedTasks(applicationFolder);
        // No stream thread until a valid model serves: until then the instance stays out of its group and the
        // other instances score its share (ScoringThreads adds the threads).
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "0");
        try {
            this.streams = new KafkaStreams(
                    StreamerTopology.build(config, instance),
                    props,
                    LossAwareConsumer.supplier(
                            config.topics().heartbeats(), inputLoss, () -> IdlePoll.of(config), transactionDeadlines));
        } catch (RuntimeException e) {
            transactionDeadlines.close();
            lock.close();
            throw e;
        }
        this.topicIdLookup = Admin.create(adminConfig(config, "topic-id", KafkaReachability.INTERVAL));
        if (freshness.isStale(lock)) {
            log.info(
                    "The local state in {} was last used {} s ago, longer than {} s: discarded, to be restored from"
                            + " the changelog (a copy that old may miss deletions that compaction has since dropped)",
                    stateFolder,
                    lock.unusedFor().orElseThrow().toSeconds(),
                    freshness.limit().toSeconds());
            streams.cleanUp();
        }
        this.scoringThreads =
                new ScoringThreads(streams, config.threads(), registry::hasModel, this::bindKafkaStreamsMetrics);
        registry.onServing(served -> scoringThreads.ensure());
    }

    /**
     * Removes what a crashed run left of its tasks, which exactly-once never trusts ({@link UncheckpointedTasks}):
     * Kafka Streams would open, wipe and reopen each such store and then rebalance once more before scoring.
     * After a clean stop ({@link CleanStop}) the tasks are left to Kafka Streams. Under at-least-once local state
     * without a checkpoint is used as it is, so nothing is removed.
     */
    private void discardUncheckpointedTasks(Path applicationFolder) {
        List<String> tasks;
        try {
            if (CleanStop.take(applicationFolder) || !config.exactlyOnce()) {
                return;
            }
            tasks = UncheckpointedTasks.discard(applicationFolder);
        } catch (UncheckedIOException e) {
            lock.close();
            throw e;
        }
        if (!tasks.isEmpty()) {
            log.info(
                    "Discarded the local state of tasks {} in {}: the last run stopped without a checkpoint, so under"
                            + " exactly-once it may hold uncommitted writes; restored from the changelog instead",
                    tasks,
                    applicationFolder);
        }
    }

    /** The admin settings of the streamer's clients (security included), answering within {@code timeout}. */
    private static Map<String, Object> adminConfig(StreamerConfig config, String purpose, Duration timeout) {
        Map<String, Object> admin = new HashMap<>(
                new StreamsConfig(config.streamsProperties()).getAdminConfigs(config.applicationId() + "-" + purpose));
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 2);
        return admin;
    }

    private Uuid lookUpInputTopicId() {
        String topic = config.topics().heartbeats();
        try {
            return topicIdLookup
                    .describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(KafkaReachability.INTERVAL.toMillis() * 2, TimeUnit.MILLISECONDS)
                    .get(topic)
                    .topicId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.debug("Cannot look up the id of topic {}", topic, e);
            return null;
        }
    }

    /** Whether the consumer group uses Kafka's streams rebalance protocol rather than the classic one. */
    private boolean streamsProtocol() {
        return "streams"
                .equalsIgnoreCase(config.streamsProperties().getProperty(StreamsConfig.GROUP_PROTOCOL_CONFIG, ""));
    }

    /** Starts the streamer with DJL on TensorFlow as the inference engine. */
    public static StreamerApp start(StreamerConfig config) {
        // TensorFlow's engine takes a second or more to start: started while Kafka Streams is being built, a
        // restarted instance loads its model, and takes its partitions back, that much sooner.
        Thread engine = new Thread(
                () -> {
                    try {
                        TensorFlowRuntime.engine();
                    } catch (RuntimeException | LinkageError e) {
                        log.debug("TensorFlow did not start ahead; loading the first model will say why", e);
                    }
                },
                "ecg-tensorflow-start");
        engine.setDaemon(true);
        engine.start();
        return start(config, ReleaseModel.loader());
    }

    /**
     * Starts the streamer: checks the topics, starts Kafka Streams and the ops server. Returns at once; the
     * first model loads and the tasks start in the background ({@link #isReady()} says when they did).
     */
    public static StreamerApp start(StreamerConfig config, ScoringModel.Loader loader) {
        log.info(
                "Starting ecg streamer {} ({} ms after the JVM started): {}",
                config.applicationId(),
                ManagementFactory.getRuntimeMXBean().getUptime(),
                config.describe());
        if (!config.exactlyOnce()) {
            log.warn("processing.guarantee is not exactly_once_v2: after a crash windows may be scored twice and "
                    + "alerts duplicated");
        }
        ReleaseVerifier verifier = ReleaseTrust.verifier(
                config.releasePublicKeys(),
                ReleaseKeyFiles.defaultPublicKey(System.getenv()),
                config.releaseAllowUnsigned(),
                config.releaseMaxBytes(),
                config.topics().models());
        StreamerApp app = new StreamerApp(config, loader, verifier, checkTopicsAndLimits(config));
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

    /**
     * The startup checks of the topics: they exist, the models topic's settings, and the limits dead letters must
     * fit. They ask the cluster independent questions, so they are asked at once: a (re)start waits for the slowest
     * answer, not for the sum. A missing topic is still the error reported, whatever the limits' check found.
     */
    private static TopicLimits checkTopicsAndLimits(StreamerConfig config) {
        Duration timeout = Duration.ofMillis(TOPIC_CHECK_TIMEOUT_MS);
        CompletableFuture<TopicLimits> limits = CompletableFuture.supplyAsync(
                () -> {
                    try (Admin admin = Admin.create(adminConfig(config, "preflight", timeout))) {
                        return TopicPreflight.check(
                                admin,
                                config.topics(),
                                config.streamsProperties(),
                                StreamerTopology.changelogs(config),
                                StreamerTopology.CHANGELOG_CONFIGS,
                                timeout);
                    }
                },
                StreamerApp::onThreadOfItsOwn);
        if (config.checkTopics()) {
            CompletableFuture<Void> modelsTopic = CompletableFuture.runAsync(
                    () -> ModelsTopicWarnings.check(
                            new StreamsConfig(config.streamsProperties())
                                    .getAdminConfigs(config.applicationId() + "-models-topic-check"),
                            config.topics().models(),
                            timeout),
                    StreamerApp::onThreadOfItsOwn);
            checkTopics(config);
            joinUnwrapped(modelsTopic);
        }
        return joinUnwrapped(limits);
    }

    /** An executor of one startup check: a daemon thread each (the common pool has one thread on two cores). */
    private static void onThreadOfItsOwn(Runnable check) {
        Thread thread = new Thread(check, "ecg-startup-check");
        thread.setDaemon(true);
        thread.start();
    }

    /** The result of {@code future}, or what it failed with, as it was thrown. */
    private static <T> T joinUnwrapped(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private void startRunning() throws IOException {
        streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
        streams.setStateListener(this::onStateChange);
        // Kafka Streams takes one restore listener for every store: the models' replay and the buffers' restores.
        streams.setGlobalStateRestoreListener(new RestoreListeners(List.of(
                new ReleaseReplay(StreamerTopology.MODELS_STORE, registry),
                new BufferRestores(StreamerTopology.BUFFER_STORE, metrics))));
        bindKafkaStreamsMetrics();
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        binders.add(gc);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        Gauge.builder("ecg.ready", () -> isReady() ? 1 : 0)
                .description("1 while windows are being scored (/health/ready)")
                .register(meters);
        metrics.watch(() -> modelFailures.servingFailed().isPresent(), this::isLive, memory::inUse);
        metrics.membership(scoringThreads::running, scoringThreads::activeTasks, scoringThreads::standbyTasks);
        kafkaReachability = KafkaReachability.start(
                new StreamsConfig(config.streamsProperties()).getAdminConfigs(config.applicationId() + "-probe"),
                config.bootstrapServers());
        startWatchingProgress();
        if (config.httpPort() >= 0) {
            ops = OpsServer.start(config.httpHost(), config.httpPort(), meters, this::health);
        }
        startStreams();
    }

    private void onStateChange(KafkaStreams.State now, KafkaStreams.State before) {
        log.info("Kafka Streams state {} -> {}", before, now);
        if (now == KafkaStreams.State.ERROR) {
            failed = true;
            log.error("Kafka Streams failed for good; shutting down so that the process can be restarted");
            terminated.countDown();
        } else if (now == KafkaStreams.State.NOT_RUNNING) {
            terminated.countDown();
        } else if (now == KafkaStreams.State.RUNNING) {
            scoringThreads.ensure();
            int tasks = scoringThreads.activeTasks();
            if (!scoringSince && tasks > 0) {
                // How long a (re)start takes until windows are scored: the figure a restart is judged by.
                scoringSince = true;
                log.info(
                        "Scoring {} partition(s), {} ms after the JVM started",
                        tasks,
                        ManagementFactory.getRuntimeMXBean().getUptime());
            }
        }
    }

    /**
     * Starts Kafka Streams with its global thread only, which loads the last accepted release; the stream threads,
     * and with them this instance's place in its group, follow once a model serves.
     */
    private void startStreams() {
        if (config.classicProtocol()) {
            requireInstanceNameUnused();
        }
        streams.start();
        freshness.watch(lock, this::frozenFor);
        if (!registry.hasModel()) {
            log.info(
                    "No valid model serves yet: this instance holds no partitions (no stream thread) until one does;"
                            + " meanwhile any other instance of {} scores them",
                    config.applicationId());
        }
        scoringThreads.streamsStarted();
    }

    /**
     * Binds Kafka Streams' own metrics ({@code kafka_stream_*}), again once the stream threads were added:
     * Micrometer looks for new ones only once a minute.
     */
    private synchronized void bindKafkaStreamsMetrics() {
        if (closed) {
            return;
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
    }

    /** Fails fast if a live member of the group already uses this instance's name; see {@link InstanceNameCheck}. */
    private void requireInstanceNameUnused() {
        StreamsConfig streamsConfig = new StreamsConfig(config.streamsProperties());
        Object sessionMs = streamsConfig
                .getMainConsumerConfigs(config.applicationId(), clientId(), 0)
                .getOrDefault(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, KAFKA_SESSION_TIMEOUT_MS);
        Duration session = Duration.ofMillis(Long.parseLong(sessionMs.toString()));
        try {
            InstanceNameCheck.requireUnused(
                    streamsConfig.getAdminConfigs(config.applicationId() + "-name-check"),
                    config.applicationId(),
                    config.instanceName(),
                    clientId(),
                    session);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the instance name", e);
        }
    }

    /** Kafka Streams' client id, which its threads' consumer client ids start with. */
    private String clientId() {
        return streams.metrics().keySet().stream()
                .filter(name -> name.group().equals("stream-metrics"))
                .map(name -> name.tags().get("client-id"))
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(config.applicationId());
    }

    /**
     * The process was frozen (or its host suspended) for longer than local state may lag the changelog: its
     * standby copies of the buffers may have missed deletions that compaction has dropped since. It stops, and
     * its restart discards that state ({@link StateFreshness}).
     */
    private void frozenFor(Duration gap) {
        log.error(
                "This process was frozen for {} s, longer than {} s: its local copies of the batch buffers may have"
                        + " missed deletions the changelog no longer holds; shutting down so that it restarts on"
                        + " fresh state",
                gap.toSeconds(),
                freshness.limit().toSeconds());
        failed = true;
        terminated.countDown();
    }

    /** Stops the client for a failure no replaced thread could get past; replaces the thread otherwise. */
    private StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        if (causes(e, FencedInstanceIdException.class)) {
            // Another instance joined under this one's name and took its place: taking turns would stall both.
            refusal = "another instance joined group " + config.applicationId() + " as '" + config.instanceName()
                    + "' and took this one's place; give each instance its own --instance-name (ECG_INSTANCE_NAME)";
            log.error("{}; shutting down", refusal);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Optional<ApiException> refused = KafkaRefusal.find(e);
        if (refused.isPresent()) {
            // A refused login or a missing ACL stays refused: a replaced thread would fail the same way forever.
            refusal = KafkaRefusal.describe(refused.get(), config.streamsProperties(), requiredAcls(config));
            log.error("{}; shutting down", refusal, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Optional<String> partitions = coPartitioningBroken(e);
        if (partitions.isPresent()) {
            // Every replaced thread would meet it again at the next rebalance, until an operator acts.
            stoppedBecause = partitions.get();
            log.error("{}; shutting down", stoppedBecause, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        log.error(
                "A stream thread failed; replacing it. Its tasks resume from the last commit, so no window is "
                        + "lost or scored twice",
                e);
        metrics.streamThreadReplaced();
        threadFailures.failed(e, System.currentTimeMillis());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Checks the input for records lost while no streamer ran, then watches every task's committed progress. */
    private void startWatchingProgress() {
        try (Admin admin = Admin.create(adminConfig(config, "loss-check", Duration.ofSeconds(10)))) {
            HealthWatch.checkInputBeforeStart(
                    admin,
                    config.applicationId(),
                    streamsProtocol(),
                    config.topics().heartbeats(),
                    inputLoss,
                    Duration.ofSeconds(10));
        }
        inputTopicId.refresh();
        healthWatch = HealthWatch.start(
                new StreamsConfig(config.streamsProperties()).getAdminConfigs(config.applicationId() + "-health"),
                new HealthWatch.Watched(
                        config.applicationId(),
                        streamsProtocol(),
                        config.topics().heartbeats(),
                        outputTopics(),
                        this::activeTasks),
                new TaskProgress(config.progressTimeout(), config.batchMaxWait()),
                taskBuffers,
                inputTopicId,
                metrics);
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
        if (app.stoppedBecause != null) {
            throw new IllegalStateException(app.stoppedBecause);
        }
        return app.failed ? 1 : 0;
    }

    /**
     * A store's changelog no longer matches the input's partitions, if that is what {@code error} says:
     * Kafka Streams found it at a rebalance (partitions added to the input while the streamer runs).
     */
    private Optional<String> coPartitioningBroken(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            Matcher m = INVALID_PARTITIONS.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Optional.of(TopicPreflight.coPartitioningProblem(
                        config.topics().heartbeats(),
                        Integer.parseInt(m.group(2)),
                        m.group(1),
                        Integer.parseInt(m.group(3)),
                        StreamerTopology.changelogs(config)));
            }
        }
        return Optional.empty();
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
                + (config.alarms().enabled() ? ", " + t.alarms() : "")
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
     * Windows are being scored: Kafka Streams runs, Kafka answered its latest probe, a model serves that is not
     * marked failed, a stream thread has joined the group (with no valid model there is none: the instance holds
     * no partition), every active task makes committed progress, the outputs can be written and no input was lost
     * since the start. Kafka Streams alone stays RUNNING through all of these, hence the checks.
     */
    public boolean isReady() {
        return notReadyBecause().isEmpty();
    }

    /** Why windows are not being scored, one sentence each; empty when they are. */
    private List<String> notReadyBecause() {
        List<String> why = new ArrayList<>();
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            why.add("Kafka Streams is " + state + ", not RUNNING");
        }
        if (!isKafkaReachable()) {
            why.add("Kafka at " + config.bootstrapServers() + " did not answer its latest probe");
        }
        Optional<String> failed = modelFailures.servingFailed();
        if (!registry.hasModel()) {
            why.add("no model release serves yet: this instance holds no partition, and any other instance of "
                    + config.applicationId() + " scores them");
        } else if (failed.isPresent()) {
            why.add("model version " + failed.get() + " is marked failed (it could not score " + modelFailures.limit()
                    + " windows in a row): windows wait for a new release");
        } else if (!scoringThreads.joined()) {
            why.add("no stream thread of this instance has joined its group yet");
        }
        HealthWatch watch = healthWatch;
        if (watch != null) {
            why.addAll(watch.problems());
        }
        why.addAll(inputLoss.problems());
        return why;
    }

    /** The active tasks of this instance as Kafka Streams lists them; none while it cannot say. */
    private Collection<TaskMetadata> activeTasks() {
        try {
            return streams.metadataForLocalThreads().stream()
                    .flatMap(t -> t.activeTasks().stream())
                    .toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The topics the streamer writes to. */
    private List<String> outputTopics() {
        TopicNames t = config.topics();
        List<String> out = new ArrayList<>(List.of(t.alerts(), t.heartbeatsDlq()));
        if (config.scoresEnabled()) {
            out.add(t.scores());
        }
        return out;
    }

    /** Whether Kafka answered the latest reachability probe (every {@link KafkaReachability#INTERVAL}). */
    public boolean isKafkaReachable() {
        KafkaReachability probe = kafkaReachability;
        return probe != null && probe.isReachable();
    }

    /**
     * False once Kafka Streams failed for good, is shutting down, or replaced a stream thread again and again for
     * the same failure: the process should be restarted.
     */
    public boolean isLive() {
        KafkaStreams.State s = streams.state();
        return s != KafkaStreams.State.ERROR
                && s != KafkaStreams.State.PENDING_ERROR
                && !closed
                && threadFailures.problem().isEmpty();
    }

    public OpsServer.Health health() {
        List<String> problems = new ArrayList<>();
        if (stoppedBecause != null) {
            problems.add(stoppedBecause);
        }
        threadFailures.problem().ifPresent(problems::add);
        KafkaStreams.State s = streams.state();
        if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR) {
            problems.add("Kafka Streams failed for good: restart the process");
        }
        problems.addAll(notReadyBecause());
        return new OpsServer.Health(
                isLive(),
                isReady(),
                s.name(),
                isKafkaReachable(),
                registry.serving().map(m -> m.version()).orElse(null),
                metrics.bufferedWindows(),
                scoringThreads.running(),
                problems);
    }

    /** Which model versions are marked failed. */
    public ModelFailures modelFailures() {
        return modelFailures;
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
     * Stops Kafka Streams (committing what was processed and leaving the consumer group, static member or not),
     * then frees the model, the ops server and the state folder. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        log.info("Shutting down the ecg streamer");
        scoringThreads.close();
        freshness.close();
        // Leaving the group hands this instance's tasks (waiting windows included) to the others at once rather
        // than after the session timeout: a scale-in must not leave partitions unscored for that long. A static
        // member (group.instance.id) would otherwise stay in the group until its session expires.
        boolean clean = streams.close(CloseOptions.timeout(config.shutdownTimeout())
                .withGroupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP));
        if (!clean) {
            log.warn(
                    "Kafka Streams did not stop within {} ms; uncommitted work is redone on restart",
                    config.shutdownTimeout().toMillis());
        } else if (streams.state() == KafkaStreams.State.NOT_RUNNING && !failed) {
            markCleanStop();
        }
        transactionDeadlines.close();
        registry.close();
        if (kafkaReachability != null) {
            kafkaReachability.close();
        }
        if (healthWatch != null) {
            healthWatch.close();
        }
        topicIdLookup.close(Duration.ofSeconds(1));
        if (streamsMetrics != null) {
            streamsMetrics.close();
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
        lock.close();
        terminated.countDown();
        log.info("ecg streamer stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** So that the next start keeps the local state Kafka Streams closed cleanly instead of restoring it all. */
    private void markCleanStop() {
        try {
            CleanStop.mark(applicationFolder);
        } catch (UncheckedIOException e) {
            log.warn("{}: the next start restores the local state from the changelogs", e.getMessage());
        }
    }

    private static boolean causes(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
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
        if (config.alarms().enabled()) {
            needed.add(t.alarms());
        }
        Map<String, Object> adminConfig =
                new StreamsConfig(config.streamsProperties()).getAdminConfigs(config.applicationId() + "-topic-check");
        Duration timeout = Duration.ofMillis(TOPIC_CHECK_TIMEOUT_MS);
        TopicCheck.Result found = TopicCheck.describe(adminConfig, needed, timeout, requiredAcls(config));
        found.notDescribable()
                .forEach(topic -> log.warn("Not allowed to describe topic {}; assuming it exists", topic));
        List<String> missing = found.missing();
        long graceEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(StreamerConfig.NEW_TOPIC_GRACE_SECONDS);
        if (!missing.isEmpty()) {
            log.info(
                    "Topics {} not found yet; looking again for {} s", missing, StreamerConfig.NEW_TOPIC_GRACE_SECONDS);
        }
        while (!missing.isEmpty() && System.nanoTime() < graceEnd) {
            try {
                Thread.sleep(NEW_TOPIC_RETRY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while looking for topics " + missing, e);
            }
            missing = TopicCheck.describe(adminConfig, missing, timeout, requiredAcls(config))
                    .missing();
        }
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
