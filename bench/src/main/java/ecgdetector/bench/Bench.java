package ecgdetector.bench;

import ecgdetector.app.kafka.KafkaCluster;
import ecgdetector.broker.TopicSetup;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.data.DataSource;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.release.ReleaseFolder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code ./ecg bench}: how fast the streamer scores real ECG5000 beats with the real model, end to end through
 * Kafka, against what the same Kafka Streams setup can do at all, and where the time and memory go.
 *
 * <p>In one run, so that the ratios compare figures taken under the same conditions:
 * <ol>
 *   <li><b>inference</b>: the DJL predictor alone at several batch sizes, in this JVM;</li>
 *   <li>on the broker (embedded in this JVM unless {@code --bootstrap-servers}), for each repetition:
 *       <b>pass-through</b>, <b>streamer</b> (batched) and <b>per-record</b> (batch size 1). Each writes
 *       its input (raw ecg.csv lines) to fresh topics <em>before</em> the application starts, then starts it
 *       in a child JVM with a fresh application id, and counts its outputs with a read_committed consumer:
 *       throughput = windows / (time from the application consuming to its last output readable);</li>
 *   <li><b>latency</b>: the streamer again, fed at fixed rates; produce time -> score readable.</li>
 * </ol>
 * The applications run in a JVM of their own ({@link BenchChild}) so that their memory is their own;
 * topics and state are deleted after each phase.
 */
public final class Bench {

    public static final String PHASE_INFERENCE = "inference";
    public static final String PHASE_PASS_THROUGH = "passthrough";
    public static final String PHASE_STREAMER = "streamer";
    public static final String PHASE_PER_RECORD = "per-record";
    public static final String PHASE_LATENCY = "latency";
    /**
     * The plain-client peer ({@link PlainClientPeer}) on the streamer's input, once at-least-once and once
     * transactional: how far the Kafka Streams topology is from the simplest program that does the same job.
     */
    public static final String PHASE_PEER = "peer";
    /** The phases (kinds) {@link #PHASE_PEER} runs. */
    public static final String PEER_AT_LEAST_ONCE = BenchChild.MODE_PEER_AT_LEAST_ONCE;

    public static final String PEER_TRANSACTIONAL = BenchChild.MODE_PEER_TRANSACTIONAL;
    /**
     * The streamer without its alarm stage ({@code ecg.alarms.enabled=false}), run beside each streamer phase on
     * the same input: the alarm stage's throughput cost is one minus the streamer's rate over this one's.
     */
    public static final String PHASE_ALARMS = "alarms";
    /** The first seconds after ready and after a hot swap, warm-up off and on, and the idle cost. */
    public static final String PHASE_COLD_START = "cold-start";
    /** A streamer run before the measured ones, not reported: warms up the broker. */
    static final String PHASE_WARMUP = "warmup";
    /** Steady load for a while, memory sampled over time; run on its own ({@code --soak}), not by default. */
    public static final String PHASE_SOAK = "soak";
    /** Several instances, one of which crashes, freezes or restarts; minutes long, so run when asked for. */
    public static final String PHASE_FAILOVER = "failover";

    public static final List<String> ALL_PHASES = List.of(
            PHASE_INFERENCE,
            PHASE_PASS_THROUGH,
            PHASE_STREAMER,
            PHASE_PEER,
            PHASE_ALARMS,
            PHASE_PER_RECORD,
            PHASE_LATENCY,
            PHASE_COLD_START);
    /** The default ones, then those run only when asked for. */
    static final List<String> KNOWN_PHASES = java.util.stream.Stream.concat(
                    ALL_PHASES.stream(), java.util.stream.Stream.of(PHASE_SOAK, PHASE_FAILOVER))
            .toList();

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** How long the outputs of a fixed-rate phase may take to come out after the last window was sent. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    /** The cold-start phase's input rate, windows/s. */
    private static final double COLD_START_RATE = 1000;

    private static final double MB = 1024 * 1024;

    /**
     * @param data             path or URL of ecg.csv, as for {@code train}; empty = $ECG_DATA or the cached download
     * @param out              bench.json, the children's logs and (with {@code jfr}) recordings go here
     * @param trainDir         where the release is trained, or reused from when it matches
     * @param windows          windows per throughput phase (pass-through and batched streamer)
     * @param warmupWindows    windows of an unreported streamer run before any phase on Kafka, to warm the broker up,
     *                         and sent in bulk to each latency phase's fresh streamer before its fixed-rate feed, to
     *                         warm its JIT up (0: none)
     * @param perRecordWindows windows of the batch-size-1 phase
     * @param patients         record keys the windows are spread over
     * @param repeat           how many times the three throughput phases run, in turn
     * @param latencyRates     input rates of the latency phases, windows/s
     * @param latencyCommitIntervalsMs commit intervals the latency phases are run with (each with each rate)
     * @param childJvmOptions  options of the measured JVMs (heap size, GC)
     * @param appConfig        Kafka Streams or {@code ecg.*} settings of every measured app, over the bench's own
     * @param jfr              record the throughput phases' JVMs with Java Flight Recorder and summarise
     *                         the measured interval ({@link JfrSummary})
     * @param soak             the soak phase's load, length and sampling
     * @param failover         the failover phase's instances, partitions, rate, faults and timing
     */
    public record Settings(
            Optional<String> data,
            Path out,
            Path trainDir,
            Recipe recipe,
            boolean retrain,
            Optional<String> bootstrapServers,
            Properties kafka,
            Map<String, String> brokerConfig,
            Set<String> phases,
            long windows,
            long warmupWindows,
            long perRecordWindows,
            int partitions,
            int threads,
            int batchSize,
            long batchWaitMs,
            long commitIntervalMs,
            int patients,
            int repeat,
            List<Integer> inferenceBatchSizes,
            Duration inferenceTime,
            List<Double> latencyRates,
            List<Long> latencyCommitIntervalsMs,
            Duration latencyWarmup,
            Duration latencyTime,
            List<String> childJvmOptions,
            Map<String, String> appConfig,
            boolean jfr,
            Duration phaseTimeout,
            Soak soak,
            ColdStartTimes coldStart,
            FailoverBench.Settings failover) {

        public Settings {
            if (windows < 1 || perRecordWindows < 1 || warmupWindows < 0) {
                throw new IllegalArgumentException("--windows and --per-record-windows must be at least 1");
            }
            if (partitions < 1
                    || threads < 1
                    || batchSize < 1
                    || batchWaitMs < 0
                    || commitIntervalMs < 0
                    || patients < 1
                    || repeat < 1) {
                throw new IllegalArgumentException("--partitions, --threads, --batch-size, --patients and --repeat"
                        + " must be at least 1; --batch-wait-ms and --commit-interval-ms at least 0");
            }
            for (String phase : phases) {
                if (!KNOWN_PHASES.contains(phase)) {
                    throw new IllegalArgumentException("unknown phase '" + phase + "'; known: " + KNOWN_PHASES);
                }
            }
            Objects.requireNonNull(soak, "soak");
            Objects.requireNonNull(failover, "failover");
            if (latencyRates.stream().anyMatch(r -> !(r > 0))) {
                throw new IllegalArgumentException("--latency-rates must be positive, got " + latencyRates);
            }
            phases = Set.copyOf(phases);
            appConfig = Map.copyOf(appConfig);
            brokerConfig = Map.copyOf(brokerConfig);
            String scores = appConfig.get(Setting.SCORES_ENABLED.key());
            if (scores != null && !scores.trim().equalsIgnoreCase("true")) {
                throw new IllegalArgumentException("the bench counts the streamer's output on the scores topic;" + " "
                        + Setting.SCORES_ENABLED.key() + " must stay on");
            }
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("phases", KNOWN_PHASES.stream().filter(phases::contains).toList());
            m.put("windows", windows);
            m.put("warmupWindows", warmupWindows);
            m.put("perRecordWindows", perRecordWindows);
            m.put("partitions", partitions);
            m.put("threads", threads);
            m.put("batchSize", batchSize);
            m.put("batchWaitMs", batchWaitMs);
            m.put("commitIntervalMs", commitIntervalMs);
            m.put("patients", patients);
            m.put("repeat", repeat);
            m.put("inferenceBatchSizes", inferenceBatchSizes);
            m.put("inferenceSeconds", inferenceTime.toMillis() / 1000.0);
            m.put("latencyRates", latencyRates);
            m.put("latencyCommitIntervalsMs", latencyCommitIntervalsMs);
            m.put("latencyWarmupSeconds", latencyWarmup.toMillis() / 1000.0);
            m.put("latencySeconds", latencyTime.toMillis() / 1000.0);
            m.put("childJvmOptions", childJvmOptions);
            m.put("appConfig", appConfig);
            if (!brokerConfig.isEmpty()) {
                m.put("brokerConfig", brokerConfig);
            }
            if (phases.contains(PHASE_SOAK)) {
                m.put("soak", soak.describe());
            }
            if (phases.contains(PHASE_FAILOVER)) {
                m.put("failover", failover.describe());
            }
            m.put("recipe", recipe.id());
            return m;
        }
    }

    /**
     * The soak phase: the streamer fed {@code ratePerSec} for {@code time}, its memory sampled every
     * {@code sampleInterval}; growth is judged after {@code warmup} (at most half the time).
     */
    /**
     * How long the cold-start phase's parts last.
     *
     * @param window how long after ready (and after a swap) counts as cold, and how long the steady part between
     * @param idleSample how long idle CPU is sampled, before the streamer starts and with it idle
     * @param idleSettle how long the streamer is left after its last window before its idle CPU is sampled
     */
    public record ColdStartTimes(Duration window, Duration idleSample, Duration idleSettle) {
        public ColdStartTimes {
            if (window.isNegative()
                    || window.isZero()
                    || idleSample.isNegative()
                    || idleSample.isZero()
                    || idleSettle.isNegative()) {
                throw new IllegalArgumentException(
                        "--cold-window-seconds and --idle-seconds must be positive; got " + window + ", " + idleSample);
            }
        }

        /** Seconds, as the figures carry them. */
        double windowSeconds() {
            return window.toMillis() / 1000.0;
        }

        double idleSeconds() {
            return idleSample.toMillis() / 1000.0;
        }
    }

    public record Soak(Duration time, double ratePerSec, Duration sampleInterval, Duration warmup) {
        public Soak {
            if (time.isNegative()
                    || time.isZero()
                    || !(ratePerSec > 0)
                    || sampleInterval.isNegative()
                    || sampleInterval.isZero()
                    || warmup.isNegative()) {
                throw new IllegalArgumentException("--soak and --soak-rate must be positive, --soak-sample-seconds"
                        + " positive and --soak-warmup-minutes at least 0; got " + time + ", " + ratePerSec + "/s, "
                        + sampleInterval + ", " + warmup);
            }
        }

        /** The warm-up actually applied: at most half the soak, so that something is left to judge. */
        Duration effectiveWarmup() {
            Duration half = time.dividedBy(2);
            return warmup.compareTo(half) > 0 ? half : warmup;
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seconds", time.toMillis() / 1000.0);
            m.put("ratePerSec", ratePerSec);
            m.put("sampleSeconds", sampleInterval.toMillis() / 1000.0);
            m.put("warmupSeconds", effectiveWarmup().toMillis() / 1000.0);
            return m;
        }
    }

    private final Settings settings;
    private final PrintStream console;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    public Bench(Settings settings, PrintStream console) {
        this.settings = settings;
        this.console = console;
    }

    public BenchReport run() throws Exception {
        Instant startedAt = Instant.now();
        Double loadStart = load();
        Path out = settings.out().toAbsolutePath();
        Files.createDirectories(out);
        Path logs = out.resolve("logs");

        Path dataFile = DataSource.standard(console::println).resolve(settings.data());
        EcgDataset dataset = EcgCsv.read(dataFile);
        List<String> lines = Files.readAllLines(dataFile, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        TrainingResult trained = model(dataset);
        step(String.format(
                Locale.ROOT,
                "Model %s; input: the %d lines of %s as they are, in turn",
                trained.release().version(),
                lines.size(),
                dataFile));

        List<BenchReport.InferencePoint> inference = inference(trained, dataset);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("kafkaLog", logs.resolve("kafka.log").toString());
        OnKafka measured = measureOnKafka(trained, lines, out, logs);
        files.put("report", out.resolve("bench.json").toString());
        files.put("logs", logs.toString());
        BenchReport report = report(startedAt, loadStart, trained, inference, measured, files);
        Files.write(
                out.resolve("bench.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        return report;
    }

    /** The phases that run on Kafka, and where that Kafka was. */
    private record OnKafka(
            List<BenchReport.ColdStart> coldStarts,
            String broker,
            List<BenchReport.Phase> phases,
            List<BenchReport.Latency> latencies,
            BenchReport.Soak soak,
            BenchReport.Failover failover) {}

    private List<BenchReport.InferencePoint> inference(TrainingResult trained, EcgDataset dataset) throws Exception {
        List<BenchReport.InferencePoint> inference = new ArrayList<>();
        if (settings.phases().contains(PHASE_INFERENCE)) {
            step("Inference alone: one DJL predictor on this thread, "
                    + settings.inferenceTime().toMillis() + " ms per batch size, after a warm-up");
            for (InferenceBench.Result r : new InferenceBench(
                            trained.release(), dataset.beats().beats(), console)
                    .run(settings.inferenceBatchSizes(), settings.inferenceTime())) {
                inference.add(
                        new BenchReport.InferencePoint(r.batchSize(), r.windowsPerSec(), r.msPerCall(), r.calls()));
            }
        }
        return inference;
    }

    /** Publishes the release to the cluster (embedded unless named) and runs every phase that needs it, in turn. */
    @SuppressWarnings("try") // the log routing is a resource for its scope alone
    private OnKafka measureOnKafka(TrainingResult trained, List<String> lines, Path out, Path logs) throws Exception {
        Files.createDirectories(logs);
        try (LogRouting routing = LogRouting.toFile(logs.resolve("kafka.log"));
                KafkaCluster cluster = KafkaCluster.start(
                        settings.bootstrapServers(), settings.kafka(), settings.brokerConfig(), console)) {
            String broker = cluster.broker() != null
                    ? "embedded in the bench JVM (" + cluster.bootstrapServers() + ")"
                    : cluster.bootstrapServers();
            Properties client = cluster.client();
            String modelsTopic = "bench-" + runId + ".ecg.models";
            // The bench's own key pair, made on its first run: the apps measured verify releases as in production.
            ReleaseKeyFiles.Pair keys = ReleaseKeyFiles.loadOrCreate(
                    out.resolve("keys").resolve(ReleaseKeyFiles.PRIVATE_KEY_FILE),
                    out.resolve("keys").resolve(ReleaseKeyFiles.PUBLIC_KEY_FILE),
                    false);
            ReleaseTopic.Published published =
                    new ReleaseTopic(client, modelsTopic).publish(ReleaseRecord.signed(trained.release(), keys.key()));
            step("Published " + published.version() + " to " + published.topic() + ", signed with key "
                    + keys.key().keyId());
            // The plain-client peer loads the same release from a folder: it has no models topic to read.
            Path peerRelease = out.resolve(".bench-state").resolve("peer-release");
            ReleaseFolder.deleteRecursively(peerRelease);
            trained.release().writeTo(peerRelease);
            PhaseRunner runner = new PhaseRunner(
                    client, modelsTopic, keys.publicKey(), peerRelease, lines, logs, out.resolve(".bench-state"));
            try {
                List<BenchReport.Phase> phases = throughputPhases(runner);
                List<BenchReport.Latency> latencies = latencyPhases(runner);
                List<BenchReport.ColdStart> coldStarts = new ArrayList<>();
                if (settings.phases().contains(PHASE_COLD_START)) {
                    ReleaseTopic releases = new ReleaseTopic(client, modelsTopic);
                    int swap = 0;
                    for (boolean warmup : new boolean[] {false, true}) {
                        ReleaseRecord next = ReleaseRecord.signed(
                                reversioned(trained.release(), "swap" + ++swap, out.resolve(".bench-state")),
                                keys.key());
                        coldStarts.add(runner.coldStart(warmup, COLD_START_RATE, releases, next));
                    }
                }
                BenchReport.Soak soak = settings.phases().contains(PHASE_SOAK) ? runner.soak(settings.soak()) : null;
                BenchReport.Failover failover = settings.phases().contains(PHASE_FAILOVER) ? runner.failover() : null;
                return new OnKafka(coldStarts, broker, phases, latencies, soak, failover);
            } finally {
                runner.deleteTopics(List.of(modelsTopic));
                ReleaseFolder.deleteRecursively(out.resolve(".bench-state"));
            }
        }
    }

    /** The unreported warm-up, then pass-through, streamer, alarms, peers and per-record in turn, {@code repeat} times. */
    private List<BenchReport.Phase> throughputPhases(PhaseRunner runner) throws Exception {
        List<BenchReport.Phase> phases = new ArrayList<>();
        boolean onTheBroker = settings.phases().stream().anyMatch(p -> !p.equals(PHASE_INFERENCE));
        if (onTheBroker && settings.warmupWindows() > 0) {
            // The broker shares this JVM: its code is as cold as the apps' at first. Without this the first phase
            // pays for the broker's JIT warm-up and reads low. A streamer, not a pass-through, warms every path the
            // phases use (changelogs, more partitions per transaction): after 50,000 windows of a pass-through the
            // broker still used twice the CPU in the first streamer phase as in the last, which ran 1.8x faster.
            // The latency, cold-start, soak and failover phases need it as much: a streamer in production starts
            // against a broker that has been running, and a cold one added seconds to their first figures.
            runner.throughput(PHASE_WARMUP, 0, settings.warmupWindows(), settings.batchSize());
        }
        for (int r = 1; r <= settings.repeat(); r++) {
            if (settings.phases().contains(PHASE_PASS_THROUGH)) {
                phases.add(runner.throughput(PHASE_PASS_THROUGH, r, settings.windows(), settings.batchSize()));
            }
            // The streamer and the streamer without its alarm stage run next to each other, in turn first: each
            // phase of a run tends to be faster than the one before it (the broker in this JVM is still warming
            // up), and a fixed order would credit that to whichever ran second.
            boolean alarmsFirst = r % 2 == 0 && settings.phases().contains(PHASE_ALARMS);
            if (alarmsFirst) {
                phases.add(runner.throughput(PHASE_ALARMS, r, settings.windows(), settings.batchSize()));
            }
            if (settings.phases().contains(PHASE_STREAMER)) {
                phases.add(runner.throughput(PHASE_STREAMER, r, settings.windows(), settings.batchSize()));
            }
            if (settings.phases().contains(PHASE_ALARMS) && !alarmsFirst) {
                phases.add(runner.throughput(PHASE_ALARMS, r, settings.windows(), settings.batchSize()));
            }
            if (settings.phases().contains(PHASE_PEER)) {
                phases.add(runner.throughput(PEER_AT_LEAST_ONCE, r, settings.windows(), settings.batchSize()));
                phases.add(runner.throughput(PEER_TRANSACTIONAL, r, settings.windows(), settings.batchSize()));
            }
            if (settings.phases().contains(PHASE_PER_RECORD)) {
                phases.add(runner.throughput(PHASE_PER_RECORD, r, settings.perRecordWindows(), 1));
            }
        }
        return phases;
    }

    /** Each rate at each commit interval. */
    private List<BenchReport.Latency> latencyPhases(PhaseRunner runner) throws Exception {
        List<BenchReport.Latency> latencies = new ArrayList<>();
        if (settings.phases().contains(PHASE_LATENCY)) {
            for (long commitMs : settings.latencyCommitIntervalsMs()) {
                for (double rate : settings.latencyRates()) {
                    latencies.add(runner.latency(rate, commitMs));
                }
            }
        }
        return latencies;
    }

    private TrainingResult model(EcgDataset dataset) throws Exception {
        TrainingOptions options = TrainingOptions.of(settings.recipe(), settings.data(), settings.trainDir());
        TrainingJob job = new TrainingJob(console, EpochListener.SILENT);
        Optional<TrainingResult> reused = settings.retrain() ? Optional.empty() : job.reuse(options, dataset);
        if (reused.isPresent()) {
            step("Reusing the release in " + settings.trainDir() + " (same data and settings)");
            return reused.get();
        }
        step("Training the detector (" + options.recipe().id() + " recipe) into " + settings.trainDir());
        return job.run(options, dataset);
    }

    /** Idle CPU in cores: the streamer's JVM and this one, each with the part of it its JIT compiler used. */
    private record Idle(double child, double childCompiler, double own, double ownCompiler) {}

    /** The progress of a throughput phase's wait: when half the windows were out, and the highest RSS seen. */
    private record Drained(long halfAt, long maxRssKb) {}

    /**
     * One application under test, run until its last output was readable.
     *
     * @param readyAt epoch ms at which it was consuming
     * @param halfAt  epoch ms at which half the windows were out (0 if never seen)
     * @param doneAt  epoch ms at which the last one was
     */
    private record AppRun(
            long readyAt,
            long halfAt,
            long doneAt,
            double childCpu,
            double ownCpu,
            OptionalLong rss,
            OptionalLong peak,
            long maxRssKb,
            Map<String, Long> stats,
            long alerts) {

        double seconds() {
            return Math.max(0.001, (doneAt - readyAt) / 1000.0);
        }

        /** The rate over the second half of the windows only: start-up and most JIT compilation left out. */
        Double secondHalfWindowsPerSec(long windows) {
            return halfAt > 0 && doneAt > halfAt ? (windows - windows / 2) / ((doneAt - halfAt) / 1000.0) : null;
        }
    }

    /** Runs one application under test at a time and measures it. */
    private final class PhaseRunner implements FailoverBench.Cluster {
        private final Properties client;
        private final String modelsTopic;
        private final Path releasePublicKey;
        private final Path peerRelease;
        private final List<String> lines;
        private final Path logs;
        private final Path stateRoot;

        PhaseRunner(
                Properties client,
                String modelsTopic,
                Path releasePublicKey,
                Path peerRelease,
                List<String> lines,
                Path logs,
                Path stateRoot) {
            this.client = client;
            this.modelsTopic = modelsTopic;
            this.releasePublicKey = releasePublicKey;
            this.peerRelease = peerRelease;
            this.lines = lines;
            this.logs = logs;
            this.stateRoot = stateRoot;
        }

        BenchReport.Phase throughput(String kind, int repeat, long windows, int batchSize) throws Exception {
            String name = kind + (settings.repeat() > 1 && repeat > 0 ? "-" + repeat : "");
            String appId = "bench-" + runId + "-" + name;
            TopicNames topics = createTopics(appId);
            boolean passThrough = kind.equals(PHASE_PASS_THROUGH);
            boolean peer = kind.equals(PEER_AT_LEAST_ONCE) || kind.equals(PEER_TRANSACTIONAL);
            step(String.format(
                    Locale.ROOT,
                    "%s: writing %,d windows to %s (%d partitions), then starting %s",
                    kind.equals(PHASE_WARMUP) ? "warm-up (not reported)" : name,
                    windows,
                    topics.heartbeats(),
                    settings.partitions(),
                    appUnderTest(kind, passThrough, peer, batchSize, topics)));
            try {
                writeInput(topics, windows);
                Map<String, String> config = appSettings(topics, appId, batchSize, settings.commitIntervalMs());
                if (passThrough) {
                    config.put(BenchChild.OUTPUT_TOPIC_KEY, topics.scores());
                }
                if (kind.equals(PHASE_ALARMS)) {
                    config.put(Setting.ALARMS_ENABLED.key(), "false");
                }
                if (peer) {
                    config.put(BenchChild.RELEASE_DIR_KEY, peerRelease.toString());
                }
                Double loadAtStart = load();
                Path jfrFile = settings.jfr() && !kind.equals(PHASE_WARMUP) ? logs.resolve(name + ".jfr") : null;
                String mode = passThrough ? BenchChild.MODE_PASS_THROUGH : peer ? kind : BenchChild.MODE_STREAMER;
                AppRun run = runToItsLastOutput(name, mode, config, jfrFile, topics, windows);
                if (jfrFile != null && Files.isRegularFile(jfrFile)) {
                    JfrSummary.Profile profile = JfrSummary.summarize(jfrFile, run.readyAt(), run.doneAt(), 25);
                    profiles.put(name, profile);
                    Files.writeString(logs.resolve(name + ".profile.txt"), profile.describe());
                    console.print(profile.describe());
                }
                BenchReport.Phase phase =
                        phase(name, kind, repeat, windows, batchSize, passThrough, run, loadAtStart, jfrFile);
                phaseHeap.put(name, run.stats().get("heapMax"));
                console.printf(
                        Locale.ROOT,
                        "  %s: %,d windows in %.2f s = %,.0f windows/s (app %.2f cores, bench+broker %.2f"
                                + " cores, RSS %s MB)%n",
                        name,
                        windows,
                        run.seconds(),
                        windows / run.seconds(),
                        run.childCpu() / run.seconds(),
                        run.ownCpu() / run.seconds(),
                        phase.rssMb() == null ? "-" : String.format(Locale.ROOT, "%.0f", phase.rssMb()));
                return phase;
            } finally {
                deleteTopics(topicsOf(topics, appId));
            }
        }

        /** What a throughput phase starts, for its first line. */
        private static String appUnderTest(
                String kind, boolean passThrough, boolean peer, int batchSize, TopicNames topics) {
            if (passThrough) {
                return "a Kafka Streams app that copies them to " + topics.scores();
            }
            if (peer) {
                return "the plain-client peer (" + kind.substring("peer-".length()) + ", polls of up to " + batchSize
                        + ")";
            }
            return "the streamer (batch size " + batchSize + ")"
                    + (kind.equals(PHASE_ALARMS) ? " without its alarm stage" : "");
        }

        /** Writes the phase's input before its application starts, as fast as the cluster takes it. */
        private void writeInput(TopicNames topics, long windows) {
            long produceStart = System.nanoTime();
            try (InputWriter writer = new InputWriter(client, topics.heartbeats(), lines, settings.patients(), 20)) {
                writer.sendAll(
                        windows, (done, total) -> console.printf(Locale.ROOT, "  ... written %,d/%,d%n", done, total));
            }
            console.printf(Locale.ROOT, "  written in %.1f s%n", (System.nanoTime() - produceStart) / 1e9);
        }

        /**
         * Starts the application in its child JVM, waits until every window came out (scored, or copied, or
         * dead-lettered) and stops it: what that took, in time, CPU and memory.
         */
        private AppRun runToItsLastOutput(
                String name, String mode, Map<String, String> config, Path jfrFile, TopicNames topics, long windows)
                throws Exception {
            try (OutputReader reader = new OutputReader(
                            client, List.of(topics.scores(), topics.alerts(), topics.heartbeatsDlq()), null);
                    ChildJvm child = ChildJvm.start(mode, config, childOptions(jfrFile), logs, name)) {
                long readyAt = child.awaitReady(READY_TIMEOUT);
                double childCpu0 = child.cpuSeconds().orElse(Double.NaN);
                double ownCpu0 = ProcessStats.ownCpuSeconds();
                Drained drained = awaitEveryWindowOut(name, windows, topics, reader, child, readyAt);
                long doneAt = reader.lastAtMs();
                double childCpu = child.cpuSeconds().orElse(Double.NaN) - childCpu0;
                double ownCpu = ProcessStats.ownCpuSeconds() - ownCpu0;
                OptionalLong rss = child.rssKb();
                long maxRssKb = Math.max(drained.maxRssKb(), rss.orElse(0));
                OptionalLong peak = child.peakRssKb();
                Map<String, Long> stats = child.stats();
                child.stop(STOP_TIMEOUT);
                return new AppRun(
                        readyAt,
                        drained.halfAt(),
                        doneAt,
                        childCpu,
                        ownCpu,
                        rss,
                        peak,
                        maxRssKb,
                        stats,
                        reader.count(topics.alerts()));
            }
        }

        /** Until the scores (or copies) and dead letters add up to {@code windows}; a line of progress a second. */
        private Drained awaitEveryWindowOut(
                String name, long windows, TopicNames topics, OutputReader reader, ChildJvm child, long readyAt)
                throws InterruptedException {
            long maxRssKb = 0;
            long halfAt = 0;
            long deadline = System.nanoTime() + settings.phaseTimeout().toNanos();
            long nextProgress = System.nanoTime() + 1_000_000_000L;
            while (reader.count(topics.scores()) + reader.count(topics.heartbeatsDlq()) < windows) {
                reader.checkHealthy();
                if (halfAt == 0 && reader.count(topics.scores()) >= windows / 2) {
                    halfAt = reader.lastAtMs();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(String.format(
                            Locale.ROOT,
                            "%s: only %d of %d windows came out within %d s; its log: %s",
                            name,
                            reader.count(topics.scores()),
                            windows,
                            settings.phaseTimeout().toSeconds(),
                            logs.resolve(name + ".log")));
                }
                if (System.nanoTime() > nextProgress) {
                    nextProgress += 1_000_000_000L;
                    long rss = child.rssKb().orElse(0);
                    maxRssKb = Math.max(maxRssKb, rss);
                    long done = reader.count(topics.scores());
                    console.printf(
                            Locale.ROOT,
                            "  ... %,d/%,d out, %,.0f/s so far, RSS %d MB%n",
                            done,
                            windows,
                            done * 1000.0 / Math.max(1, System.currentTimeMillis() - readyAt),
                            rss / 1024);
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            return new Drained(halfAt, maxRssKb);
        }

        private BenchReport.Phase phase(
                String name,
                String kind,
                int repeat,
                long windows,
                int batchSize,
                boolean passThrough,
                AppRun run,
                Double loadAtStart,
                Path jfrFile) {
            double seconds = run.seconds();
            Map<String, Long> stats = run.stats();
            return new BenchReport.Phase(
                    name,
                    kind,
                    repeat,
                    windows,
                    seconds,
                    windows / seconds,
                    run.secondHalfWindowsPerSec(windows),
                    settings.partitions(),
                    settings.threads(),
                    batchSize,
                    settings.batchWaitMs(),
                    settings.commitIntervalMs(),
                    finite(run.childCpu() / seconds),
                    finite(run.childCpu() * 1e6 / windows),
                    finite(run.ownCpu() / seconds),
                    kbToMb(run.rss()),
                    kbToMb(run.peak()),
                    run.maxRssKb() > 0 ? run.maxRssKb() / 1024.0 : null,
                    bytesToMb(stats.get("heapUsed")),
                    bytesToMb(stats.get("heapCommitted")),
                    stats.get("gcCount"),
                    stats.get("gcMs"),
                    ratio(stats.get("batchedWindows"), stats.get("batches")),
                    stats.containsKey("inferenceMs") ? stats.get("inferenceMs") / (seconds * 1000) : null,
                    passThrough ? null : run.alerts(),
                    stats.get("alarms"),
                    loadAtStart,
                    jfrFile == null ? null : jfrFile.toString());
        }

        BenchReport.Latency latency(double rate, long commitMs) throws Exception {
            String name = String.format(Locale.ROOT, "latency-%.0f-commit%d", rate, commitMs);
            String appId = "bench-" + runId + "-" + name;
            TopicNames topics = createTopics(appId);
            announceLatency(name, rate, commitMs);
            try {
                Map<String, String> config = appSettings(topics, appId, settings.batchSize(), commitMs);
                Double loadAtStart = load();
                try (OutputReader reader = new OutputReader(
                                client,
                                List.of(topics.scores(), topics.alerts(), topics.heartbeatsDlq()),
                                topics.scores());
                        ChildJvm child =
                                ChildJvm.start(BenchChild.MODE_STREAMER, config, childOptions(null), logs, name);
                        InputWriter writer =
                                new InputWriter(client, topics.heartbeats(), lines, settings.patients(), 0)) {
                    child.awaitReady(READY_TIMEOUT);
                    prime(name, writer, reader, topics);
                    AtomicBoolean stop = new AtomicBoolean();
                    long fed = System.currentTimeMillis();
                    Thread sender = startSender(writer, rate, stop);
                    sleepWithProgress(settings.latencyWarmup(), reader, topics.scores(), writer, child);
                    Map<String, Long> before = child.stats();
                    long from = System.currentTimeMillis();
                    sleepWithProgress(settings.latencyTime(), reader, topics.scores(), writer, child);
                    long to = System.currentTimeMillis();
                    stop.set(true);
                    sender.join(30_000);
                    if (!awaitAllScored(reader, topics, writer)) {
                        throw new IllegalStateException(name + ": only " + reader.count(topics.scores()) + " of "
                                + writer.sent() + " windows were scored within " + DRAIN_TIMEOUT.toSeconds()
                                + " s of the last one sent");
                    }
                    Map<String, Long> after = child.stats();
                    OptionalLong rss = child.rssKb();
                    BenchReport.FeedSilent silent =
                            FeedSilence.await(client, topics.alarms(), writer.lastSentAtMs(), silenceMs(config));
                    child.stop(STOP_TIMEOUT);
                    BenchReport.Latency l = latencyOf(
                            rate,
                            commitMs,
                            reader,
                            new long[] {fed, from, to},
                            rss,
                            before,
                            after,
                            loadAtStart,
                            silent);
                    printLatency(name, l);
                    return l;
                }
            } finally {
                deleteTopics(topicsOf(topics, appId));
            }
        }

        /**
         * Sends the fresh streamer the warm-up's windows in bulk and waits until they are scored, so that its JIT
         * has compiled the scoring path before the fixed-rate feed: on two cores a cold streamer's first seconds
         * (p99 of seconds at 1,000/s) are the cold-start phase's figure, and a phase that measured them would report
         * the compiler, not the steady tail.
         */
        private void prime(String name, InputWriter writer, OutputReader reader, TopicNames topics)
                throws InterruptedException {
            if (settings.warmupWindows() == 0) {
                return;
            }
            long start = System.nanoTime();
            writer.sendAll(settings.warmupWindows(), (done, total) -> {});
            if (!awaitAllScored(reader, topics, writer)) {
                throw new IllegalStateException(name + ": only " + reader.count(topics.scores()) + " of the "
                        + writer.sent() + " warm-up windows were scored within " + DRAIN_TIMEOUT.toSeconds() + " s");
            }
            console.printf(
                    Locale.ROOT,
                    "  %s: primed with %,d windows in bulk (scored in %.1f s)%n",
                    name,
                    settings.warmupWindows(),
                    (System.nanoTime() - start) / 1e9);
        }

        private void announceLatency(String name, double rate, long commitMs) {
            step(String.format(
                    Locale.ROOT,
                    "%s: the streamer fed %.0f windows/s (commit interval %d ms, batch"
                            + " %d / %d ms), %d s warm-up then %d s measured",
                    name,
                    rate,
                    commitMs,
                    settings.batchSize(),
                    settings.batchWaitMs(),
                    settings.latencyWarmup().toSeconds(),
                    settings.latencyTime().toSeconds()));
        }

        /** p99 of the windows produced in each whole second from {@code fromMs} to {@code toMs}; null for none. */
        private static List<Double> p99BySecond(OutputReader reader, long fromMs, long toMs) {
            List<Double> out = new ArrayList<>();
            for (long s = fromMs; s + 1000 <= toMs; s += 1000) {
                out.add(Percentiles.of(reader.latenciesProducedBetween(s, s + 1000), 99));
            }
            return out;
        }

        /**
         * The latencies of the windows produced in the measured interval, and the p99 of each second since the feed
         * started.
         *
         * @param times when the feed started, and the measured interval's start and end (epoch ms)
         */
        private BenchReport.Latency latencyOf(
                double rate,
                long commitMs,
                OutputReader reader,
                long[] times,
                OptionalLong rss,
                Map<String, Long> before,
                Map<String, Long> after,
                Double loadAtStart,
                BenchReport.FeedSilent silent) {
            double[] ms = reader.latenciesProducedBetween(times[1], times[2]);
            double seconds = (times[2] - times[1]) / 1000.0;
            return new BenchReport.Latency(
                    rate,
                    commitMs,
                    settings.batchWaitMs(),
                    settings.batchSize(),
                    seconds,
                    ms.length,
                    ms.length / seconds,
                    Percentiles.of(ms, 50),
                    Percentiles.of(ms, 95),
                    Percentiles.of(ms, 99),
                    Percentiles.of(ms, 100),
                    kbToMb(rss),
                    ratio(delta(after, before, "batchedWindows"), delta(after, before, "batches")),
                    loadAtStart,
                    silent,
                    p99BySecond(reader, times[0], times[2]));
        }

        /** The streamer's S as the phase configured it. */
        private long silenceMs(Map<String, String> config) {
            return Long.parseLong(
                    config.getOrDefault(Setting.ALARM_SILENCE_MS.key(), Setting.ALARM_SILENCE_MS.defaultValue()));
        }

        private void printLatency(String name, BenchReport.Latency l) {
            console.printf(
                    Locale.ROOT,
                    "  %s: %d windows at %.0f/s: p50 %s, p95 %s, p99 %s, max %s ms" + " (mean batch %s)%n",
                    name,
                    l.windows(),
                    l.achievedRatePerSec(),
                    l.p50Ms(),
                    l.p95Ms(),
                    l.p99Ms(),
                    l.maxMs(),
                    l.meanBatchSize());
            console.printf(
                    Locale.ROOT,
                    "  %s: p99 by second since the feed started (ms; measured from second %d): %s%n",
                    name,
                    settings.latencyWarmup().toSeconds(),
                    l.p99BySecondMs().stream()
                            .map(v -> v == null ? "-" : String.format(Locale.ROOT, "%.0f", v))
                            .collect(Collectors.joining(" ")));
            BenchReport.FeedSilent f = l.feedSilent();
            console.printf(
                    Locale.ROOT,
                    "  %s: feed stopped -> FEED_SILENT for %d of %d patients: p50 %s, p95 %s, max %s ms (S = %d ms,"
                            + " target S + 2000)%n",
                    name,
                    f.raised(),
                    f.patients(),
                    f.p50Ms(),
                    f.p95Ms(),
                    f.maxMs(),
                    f.silenceMs());
        }

        BenchReport.Soak soak(Soak soak) throws Exception {
            String name = "soak";
            String appId = "bench-" + runId + "-" + name;
            TopicNames topics = createTopics(appId);
            step(String.format(
                    Locale.ROOT,
                    "%s: the streamer fed %.0f windows/s for %.1f min (commit interval %d"
                            + " ms, batch %d / %d ms), RSS, heap and native memory sampled every %.0f s; growth"
                            + " judged after %.0f s of warm-up",
                    name,
                    soak.ratePerSec(),
                    soak.time().toMillis() / 60_000.0,
                    settings.commitIntervalMs(),
                    settings.batchSize(),
                    settings.batchWaitMs(),
                    soak.sampleInterval().toMillis() / 1000.0,
                    soak.effectiveWarmup().toMillis() / 1000.0));
            try {
                Map<String, String> config =
                        appSettings(topics, appId, settings.batchSize(), settings.commitIntervalMs());
                List<String> jvmOptions = childOptions(null);
                jvmOptions.add("-XX:NativeMemoryTracking=summary");
                Double loadAtStart = load();
                try (OutputReader reader = new OutputReader(
                                client, List.of(topics.scores(), topics.alerts(), topics.heartbeatsDlq()), null);
                        ChildJvm child = ChildJvm.start(BenchChild.MODE_STREAMER, config, jvmOptions, logs, name);
                        InputWriter writer =
                                new InputWriter(client, topics.heartbeats(), lines, settings.patients(), 0)) {
                    child.awaitReady(READY_TIMEOUT);
                    AtomicBoolean stop = new AtomicBoolean();
                    Thread sender = startSender(writer, soak.ratePerSec(), stop);
                    long start = System.nanoTime();
                    List<BenchReport.SoakSample> samples = sampleThroughout(soak, start, writer, reader, topics, child);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    stop.set(true);
                    sender.join(30_000);
                    Map<String, Long> endStats = child.stats();
                    // Memory is what the soak is for: a streamer that fell behind is reported, not an error.
                    awaitAllScored(reader, topics, writer);
                    child.stop(STOP_TIMEOUT);
                    BenchReport.Soak result = SoakAnalysis.analyse(
                            soak,
                            seconds,
                            writer.sent(),
                            reader.count(topics.scores()),
                            samples,
                            nmtMb(endStats),
                            loadAtStart);
                    console.println("  " + result.verdict());
                    return result;
                }
            } finally {
                deleteTopics(topicsOf(topics, appId));
            }
        }

        /** A sample at the start, every interval, and one at the end, each printed as it is taken. */
        private List<BenchReport.SoakSample> sampleThroughout(
                Soak soak, long start, InputWriter writer, OutputReader reader, TopicNames topics, ChildJvm child)
                throws InterruptedException {
            List<BenchReport.SoakSample> samples = new ArrayList<>();
            long interval = soak.sampleInterval().toNanos();
            long total = soak.time().toNanos();
            for (long at = 0; ; at = Math.min(at + interval, total)) {
                while (System.nanoTime() < start + at) {
                    reader.checkHealthy();
                    TimeUnit.NANOSECONDS.sleep(Math.min(start + at - System.nanoTime(), 200_000_000L));
                }
                BenchReport.SoakSample sample =
                        soakSample((System.nanoTime() - start) / 1e9, writer, reader, topics.scores(), child);
                samples.add(sample);
                console.printf(
                        Locale.ROOT,
                        "  ... %4.0f s: sent %,d, scored %,d; RSS %s MB, heap %s / %s MB," + " NMT committed %s MB%n",
                        sample.seconds(),
                        sample.sent(),
                        sample.scored(),
                        mb(sample.rssMb()),
                        mb(sample.heapUsedMb()),
                        mb(sample.heapCommittedMb()),
                        mb(sample.nmtCommittedMb()));
                if (at >= total) {
                    return samples;
                }
            }
        }

        /**
         * The cold-start phase: the broker's own idle, then {@code rate} windows/s from the streamer's ready: the
         * first cold window, the next (steady), then a hot swap to {@code swapTo} and the cold window after it; then, once every window came out, the streamer idle with its model loaded.
         */
        BenchReport.ColdStart coldStart(boolean warmup, double rate, ReleaseTopic releases, ReleaseRecord swapTo)
                throws Exception {
            String name = "cold-start-warmup-" + (warmup ? "on" : "off");
            ColdStartTimes times = settings.coldStart();
            String appId = "bench-" + runId + "-" + name;
            TopicNames topics = createTopics(appId);
            step(String.format(
                    Locale.ROOT,
                    "%s: %.0f s broker idle, then %.0f windows/s: %.0f s after ready, %.0f s steady, a hot swap and"
                            + " %.0f s after it; then %.0f s of the streamer idle",
                    name,
                    times.idleSeconds(),
                    rate,
                    times.windowSeconds(),
                    times.windowSeconds(),
                    times.windowSeconds(),
                    times.idleSeconds()));
            try {
                Map<String, String> config =
                        appSettings(topics, appId, settings.batchSize(), settings.commitIntervalMs());
                config.put(Setting.RELEASE_WARMUP.key(), String.valueOf(warmup));
                Double loadAtStart = load();
                try (OutputReader reader = new OutputReader(
                                client,
                                List.of(topics.scores(), topics.alerts(), topics.heartbeatsDlq()),
                                topics.scores());
                        InputWriter writer =
                                new InputWriter(client, topics.heartbeats(), lines, settings.patients(), 0)) {
                    double[] brokerBaseline = ownCoresAndCompiler(times.idleSample());
                    try (ChildJvm child =
                            ChildJvm.start(BenchChild.MODE_STREAMER, config, childOptions(null), logs, name)) {
                        child.awaitReady(READY_TIMEOUT);
                        long[] marks = feedAndSwap(rate, releases, swapTo, reader, topics, writer, child);
                        // Idle after the traffic: model loaded (the swapped-in one), nothing arriving.
                        TimeUnit.MILLISECONDS.sleep(times.idleSettle().toMillis());
                        Idle idle = idle(child, times.idleSample());
                        child.stop(STOP_TIMEOUT);
                        BenchReport.ColdStart c =
                                coldStartOf(warmup, rate, reader, marks, swapTo, idle, brokerBaseline, loadAtStart);
                        printColdStart(name, c);
                        return c;
                    }
                }
            } finally {
                deleteTopics(topicsOf(topics, appId));
            }
        }

        private void printColdStart(String name, BenchReport.ColdStart c) {
            console.printf(
                    Locale.ROOT,
                    "  %s: p99 %s ms in the first %.0f s, %s ms steady, %s ms after the swap; idle: streamer"
                            + " %s%% of a core (JIT compiler %s%%), broker %s%% (JIT %s%%; %s%%, JIT %s%%, before the"
                            + " streamer started)%n",
                    name,
                    c.firstP99Ms(),
                    c.windowSeconds(),
                    c.steadyP99Ms(),
                    c.afterSwapP99Ms(),
                    percent(c.idleStreamerCores()),
                    percent(c.idleStreamerCompilerCores()),
                    percent(c.idleBrokerCores()),
                    percent(c.idleBrokerCompilerCores()),
                    percent(c.brokerBaselineCores()),
                    percent(c.brokerBaselineCompilerCores()));
        }

        /** Feeds {@code rate} from now; returns the marks: traffic start, end of first window, swap, end. */
        private long[] feedAndSwap(
                double rate,
                ReleaseTopic releases,
                ReleaseRecord swapTo,
                OutputReader reader,
                TopicNames topics,
                InputWriter writer,
                ChildJvm child)
                throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            long start = System.currentTimeMillis();
            Thread sender = startSender(writer, rate, stop);
            Duration window = settings.coldStart().window();
            sleepWithProgress(window, reader, topics.scores(), writer, child);
            long firstEnd = System.currentTimeMillis();
            sleepWithProgress(window, reader, topics.scores(), writer, child);
            long swapAt = System.currentTimeMillis();
            releases.publish(swapTo);
            sleepWithProgress(window.plusSeconds(2), reader, topics.scores(), writer, child);
            stop.set(true);
            sender.join(30_000);
            if (!awaitAllScored(reader, topics, writer)) {
                throw new IllegalStateException("cold start: only " + reader.count(topics.scores()) + " of "
                        + writer.sent() + " windows were scored within " + DRAIN_TIMEOUT.toSeconds() + " s");
            }
            return new long[] {start, firstEnd, swapAt, swapAt + window.toMillis()};
        }

        private BenchReport.ColdStart coldStartOf(
                boolean warmup,
                double rate,
                OutputReader reader,
                long[] marks,
                ReleaseRecord swapTo,
                Idle idle,
                double[] brokerBaseline,
                Double loadAtStart) {
            double[] first = reader.latenciesProducedBetween(marks[0], marks[1]);
            double[] steady = reader.latenciesProducedBetween(marks[1], marks[2]);
            double[] afterSwap = reader.latenciesProducedBetween(marks[2], marks[3]);
            return new BenchReport.ColdStart(
                    warmup,
                    rate,
                    settings.coldStart().windowSeconds(),
                    Percentiles.of(first, 50),
                    Percentiles.of(first, 99),
                    Percentiles.of(steady, 50),
                    Percentiles.of(steady, 99),
                    Percentiles.of(afterSwap, 50),
                    Percentiles.of(afterSwap, 99),
                    swapTo.key(),
                    settings.coldStart().idleSeconds(),
                    finite(idle.child()),
                    finite(idle.childCompiler()),
                    finite(idle.own()),
                    finite(idle.ownCompiler()),
                    finite(brokerBaseline[0]),
                    finite(brokerBaseline[1]),
                    loadAtStart);
        }

        /**
         * The child's and this JVM's CPU over {@code sample}, in cores, and the part of each that was its JIT
         * compiler's (NaN without {@code /proc}).
         */
        private Idle idle(ChildJvm child, Duration sample) throws InterruptedException {
            long self = ProcessHandle.current().pid();
            double child0 = child.cpuSeconds().orElse(Double.NaN);
            double childJit0 = ProcessStats.compilerCpuSeconds(child.pid()).orElse(Double.NaN);
            double ownJit0 = ProcessStats.compilerCpuSeconds(self).orElse(Double.NaN);
            double own = ownCores(sample);
            double seconds = sample.toMillis() / 1000.0;
            return new Idle(
                    (child.cpuSeconds().orElse(Double.NaN) - child0) / seconds,
                    (ProcessStats.compilerCpuSeconds(child.pid()).orElse(Double.NaN) - childJit0) / seconds,
                    own,
                    (ProcessStats.compilerCpuSeconds(self).orElse(Double.NaN) - ownJit0) / seconds);
        }

        /** This JVM's CPU over {@code time} and the part of it that was its JIT compiler's, in cores. */
        private double[] ownCoresAndCompiler(Duration time) throws InterruptedException {
            long self = ProcessHandle.current().pid();
            double jit0 = ProcessStats.compilerCpuSeconds(self).orElse(Double.NaN);
            double cores = ownCores(time);
            return new double[] {
                cores, (ProcessStats.compilerCpuSeconds(self).orElse(Double.NaN) - jit0) / (time.toMillis() / 1000.0)
            };
        }

        /** This JVM's CPU (the embedded broker, the reader, the writer) over {@code time}, in cores. */
        private double ownCores(Duration time) throws InterruptedException {
            double before = ProcessStats.ownCpuSeconds();
            TimeUnit.MILLISECONDS.sleep(time.toMillis());
            return (ProcessStats.ownCpuSeconds() - before) / (time.toMillis() / 1000.0);
        }

        private Thread startSender(InputWriter writer, double rate, AtomicBoolean stop) {
            Thread sender = new Thread(() -> writer.sendAtRate(rate, stop::get), "bench-sender");
            sender.setDaemon(true);
            sender.start();
            return sender;
        }

        /** Waits until every window sent came out (scored or dead-lettered); false after {@link #DRAIN_TIMEOUT}. */
        private boolean awaitAllScored(OutputReader reader, TopicNames topics, InputWriter writer)
                throws InterruptedException {
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (reader.count(topics.scores()) + reader.count(topics.heartbeatsDlq()) < writer.sent()) {
                reader.checkHealthy();
                if (System.nanoTime() > deadline) {
                    return false;
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            return true;
        }

        private BenchReport.SoakSample soakSample(
                double seconds, InputWriter writer, OutputReader reader, String scores, ChildJvm child)
                throws InterruptedException {
            Map<String, Long> stats = child.stats();
            return new BenchReport.SoakSample(
                    seconds,
                    writer.sent(),
                    reader.count(scores),
                    kbToMb(child.rssKb()),
                    bytesToMb(stats.get("heapUsed")),
                    bytesToMb(stats.get("heapCommitted")),
                    bytesToMb(stats.get(BenchChild.NMT_PREFIX + NativeMemory.TOTAL)));
        }

        private void sleepWithProgress(
                Duration time, OutputReader reader, String counted, InputWriter writer, ChildJvm child)
                throws InterruptedException {
            long end = System.nanoTime() + time.toNanos();
            while (System.nanoTime() < end) {
                TimeUnit.NANOSECONDS.sleep(Math.min(1_000_000_000L, Math.max(0, end - System.nanoTime())));
                reader.checkHealthy();
                console.printf(
                        Locale.ROOT,
                        "  ... sent %,d, scored %,d, RSS %d MB%n",
                        writer.sent(),
                        reader.count(counted),
                        child.rssKb().orElse(0) / 1024);
            }
        }

        private Map<String, String> appSettings(TopicNames topics, String appId, int batchSize, long commitMs) {
            Map<String, String> m = new LinkedHashMap<>();
            client.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
            m.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
            m.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.resolve(appId).toString());
            m.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitMs));
            m.put(Setting.TOPIC_HEARTBEATS.key(), topics.heartbeats());
            m.put(Setting.TOPIC_DLQ.key(), topics.heartbeatsDlq());
            m.put(Setting.TOPIC_ALERTS.key(), topics.alerts());
            m.put(Setting.TOPIC_SCORES.key(), topics.scores());
            m.put(Setting.TOPIC_ALARMS.key(), topics.alarms());
            m.put(Setting.TOPIC_MODELS.key(), modelsTopic);
            m.put(
                    Setting.RELEASE_PUBLIC_KEYS.key(),
                    releasePublicKey.toAbsolutePath().toString());
            m.put(Setting.THREADS.key(), String.valueOf(settings.threads()));
            m.put(Setting.BATCH_SIZE.key(), String.valueOf(batchSize));
            m.put(Setting.BATCH_WAIT_MS.key(), String.valueOf(settings.batchWaitMs()));
            m.put(Setting.HTTP_PORT.key(), "-1");
            m.putAll(settings.appConfig());
            StreamerConfig.fromMap(m); // fails here, in one line, rather than in the child
            return m;
        }

        /** The measured JVM's options; with a file, a flight recording of its whole life, dumped on exit. */
        private List<String> childOptions(Path jfrFile) {
            // A new list each time: callers add to it.
            List<String> options = new ArrayList<>(settings.childJvmOptions());
            if (jfrFile != null) {
                options.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + jfrFile);
            }
            return options;
        }

        /** Creates the phase's own topics, named after its application id, and waits until each has a leader. */
        private TopicNames createTopics(String appId) {
            return createTopics(appId, settings.partitions());
        }

        @Override
        public TopicNames createTopics(String appId, int partitions) {
            TopicNames topics = TopicNames.defaults().withPrefix(appId + ".");
            try (Admin admin = Admin.create(client)) {
                TopicSetup.createAll(admin, topics, partitions);
            }
            return topics;
        }

        @Override
        public Map<String, String> appSettings(TopicNames topics, String appId) {
            return appSettings(topics, appId, settings.batchSize(), settings.commitIntervalMs());
        }

        @Override
        public void cleanUp(TopicNames topics, String appId) {
            deleteTopics(topicsOf(topics, appId));
            try {
                ReleaseFolder.deleteRecursively(stateRoot.resolve(appId));
            } catch (java.io.IOException e) {
                console.println("  (could not delete the state of " + appId + ": " + e + ")");
            }
        }

        BenchReport.Failover failover() throws Exception {
            return new FailoverBench(
                            settings.failover(),
                            this,
                            client,
                            lines,
                            settings.patients(),
                            logs,
                            stateRoot,
                            childOptions(null),
                            runId,
                            console)
                    .run();
        }

        /** The phase's topics and Kafka Streams' internal topics of its application id. */
        private List<String> topicsOf(TopicNames topics, String appId) {
            List<String> names = new ArrayList<>(topics.names());
            try (Admin admin = Admin.create(client)) {
                admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                        .filter(t -> t.startsWith(appId + "-"))
                        .forEach(names::add);
            } catch (Exception e) {
                console.println("  (could not list the internal topics of " + appId + ": " + e + ")");
            }
            return names;
        }

        void deleteTopics(List<String> names) {
            try (Admin admin = Admin.create(client)) {
                admin.deleteTopics(names).all().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                console.println("  (could not delete topics " + names + ": " + e + ")");
            }
        }
    }

    private final Map<String, Long> phaseHeap = new LinkedHashMap<>();
    private final Map<String, JfrSummary.Profile> profiles = new LinkedHashMap<>();

    private BenchReport report(
            Instant startedAt,
            Double loadStart,
            TrainingResult trained,
            List<BenchReport.InferencePoint> inference,
            OnKafka measured,
            Map<String, String> files) {
        List<BenchReport.Phase> phases = measured.phases();
        Double streamer = medianRate(phases, PHASE_STREAMER);
        Double ratio = medianOfRatios(phases, PHASE_STREAMER, PHASE_PASS_THROUGH);
        Double gain = medianOfRatios(phases, PHASE_STREAMER, PHASE_PER_RECORD);
        Double gain256 = ratio(inferenceAt(inference, 256), inferenceAt(inference, 1));
        Double toPeerAtLeastOnce = medianOfRatios(phases, PHASE_STREAMER, PEER_AT_LEAST_ONCE);
        Double toPeerTransactional = medianOfRatios(phases, PHASE_STREAMER, PEER_TRANSACTIONAL);
        Double cpuPerWindow = medianOfCpuRatios(phases, PHASE_STREAMER, PHASE_PASS_THROUGH);
        // Memory: the last full-load streamer phase.
        BenchReport.Phase last = phases.stream()
                .filter(p -> p.kind().equals(PHASE_STREAMER))
                .reduce((a, b) -> b)
                .orElse(null);
        Double heapMax = last == null ? null : bytesToMb(phaseHeap.get(last.name()));
        Double rss = last == null ? null : last.rssMb();
        return new BenchReport(
                BenchReport.FORMAT_VERSION,
                startedAt.toString(),
                Duration.between(startedAt, Instant.now()).toMillis() / 1000.0,
                machine(measured.broker(), loadStart),
                settings.describe(),
                trained.release().version(),
                medianRate(phases, PHASE_PASS_THROUGH),
                streamer,
                ratio,
                medianRate(phases, PHASE_PER_RECORD),
                gain,
                medianRate(phases, PEER_AT_LEAST_ONCE),
                medianRate(phases, PEER_TRANSACTIONAL),
                toPeerAtLeastOnce,
                toPeerTransactional,
                cpuPerWindow,
                alarmStageCost(phases),
                medianOfCpuRatios(phases, PHASE_STREAMER, PHASE_ALARMS),
                inference,
                gain256,
                measured.latencies(),
                measured.soak(),
                measured.coldStarts(),
                measured.failover(),
                rss,
                last == null ? null : last.rssPeakMb(),
                last == null ? null : last.heapUsedMb(),
                last == null ? null : last.heapCommittedMb(),
                heapMax,
                phases,
                targets(
                        streamer,
                        new Cost(ratio, cpuPerWindow, toPeerTransactional),
                        gain,
                        gain256,
                        alarmStageCost(phases),
                        measured.latencies(),
                        rss,
                        measured.soak(),
                        measured.failover()),
                profiles.isEmpty() ? null : profiles,
                files);
    }

    /** The issue's targets, each held against its figure. */
    private static List<BenchReport.Target> targets(
            Double streamer,
            Cost cost,
            Double gain,
            Double gain256,
            Double alarmCost,
            List<BenchReport.Latency> latencies,
            Double rss,
            BenchReport.Soak soak,
            BenchReport.Failover failover) {
        List<BenchReport.Target> targets = new ArrayList<>();
        targets.add(target("streamer", ">= 50,000/s", streamer, streamer == null ? null : streamer >= 50_000));
        Double ratio = cost.ratio();
        // Issue 15 raised the ratio's bar from 0.60 to 0.75 and added the two beside it.
        targets.add(target("ratio", ">= 0.75", ratio, ratio == null ? null : ratio >= 0.75));
        Double cpu = cost.cpuPerWindow();
        targets.add(target("cpu-per-window", "<= 2x pass-through's", cpu, cpu == null ? null : cpu <= 2));
        Double peer = cost.toPeerTransactional();
        targets.add(target("peer", ">= 0.8 of transactional peer", peer, peer == null ? null : peer >= 0.8));
        targets.add(target("batching", ">= 5x", gain, gain == null ? null : gain >= 5));
        targets.add(target("inference", ">= 30x", gain256, gain256 == null ? null : gain256 >= 30));
        if (alarmCost != null) {
            targets.add(target("alarms", "<= 10%", alarmCost, alarmCost <= 0.10));
        }
        for (BenchReport.Latency l : latencies) {
            if (l.ratePerSec() <= 1000) {
                targets.add(target(
                        BenchReport.latencyKey(l),
                        "p99 <= 100 ms",
                        l.p99Ms(),
                        l.p99Ms() == null ? null : l.p99Ms() <= 100));
            }
        }
        targets.add(target("rss", "<= 512 MB", rss, rss == null ? null : rss <= 512));
        if (soak != null) {
            targets.add(target(
                    "soak",
                    String.format(Locale.ROOT, "RSS growth after warm-up <= %.0f MB", SoakAnalysis.TOLERANCE_MB),
                    soak.rssGrowthMb(),
                    soak.grows() == null ? null : !soak.grows()));
        }
        if (failover != null) {
            failover.runs().forEach(r -> targets.add(failoverTarget(r)));
        }
        return targets;
    }

    /**
     * The issue's failover bounds: after a kill every window readable within 10 s of its production; a frozen
     * instance's partitions scoring again within 15 s; a restarted instance scoring again within 10 s of its start.
     */
    private static BenchReport.Target failoverTarget(BenchReport.FailoverRun r) {
        String key = BenchReport.failoverKey(r);
        return switch (r.fault()) {
            case FailoverBench.KILL ->
                target(
                        key,
                        "worst delay <= 10 s",
                        r.worstDelayMs() == null ? null : r.worstDelayMs() / 1000,
                        r.worstDelayMs() == null ? null : r.worstDelayMs() <= 10_000 && exact(r));
            case FailoverBench.FREEZE ->
                target(
                        key,
                        "moved, scoring <= 15 s",
                        r.readableAgainSeconds(),
                        r.readableAgainSeconds() == null ? null : r.readableAgainSeconds() <= 15 && exact(r));
            default ->
                target(
                        key,
                        "scoring <= 10 s of start",
                        r.readableAgainSeconds(),
                        r.readableAgainSeconds() == null ? null : r.readableAgainSeconds() <= 10 && exact(r));
        };
    }

    private static boolean exact(BenchReport.FailoverRun r) {
        return r.missing() == 0 && r.duplicates() == 0;
    }

    private static BenchReport.Machine machine(String broker, Double loadStart) {
        return new BenchReport.Machine(
                Runtime.getRuntime().availableProcessors(),
                ProcessStats.cpuModel(),
                ProcessStats.memTotalMb().isPresent()
                        ? ProcessStats.memTotalMb().getAsLong()
                        : null,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                broker,
                loadStart,
                load());
    }

    /**
     * What a window costs against the pass-through and the transactional plain-client peer, each the median over
     * the repetitions of one repetition's ratio.
     *
     * @param ratio               streamer windows/s over the pass-through's
     * @param cpuPerWindow        the streamer's CPU per window over the pass-through's
     * @param toPeerTransactional streamer windows/s over the transactional peer's
     */
    private record Cost(Double ratio, Double cpuPerWindow, Double toPeerTransactional) {}

    /** 1 - the streamer's windows/s over those of the streamer without its alarm stage, median over repetitions. */
    private Double alarmStageCost(List<BenchReport.Phase> phases) {
        Double withOverWithout = medianOfRatios(phases, PHASE_STREAMER, PHASE_ALARMS);
        return withOverWithout == null ? null : 1 - withOverWithout;
    }

    /** The median over the repetitions of each one's ratio of two kinds of phase's CPU per window. */
    private Double medianOfCpuRatios(List<BenchReport.Phase> phases, String numerator, String denominator) {
        List<Double> ratios = new ArrayList<>();
        for (int r = 1; r <= settings.repeat(); r++) {
            ratios.add(ratio(cpuOf(phases, numerator, r), cpuOf(phases, denominator, r)));
        }
        return Percentiles.median(ratios);
    }

    private static Double cpuOf(List<BenchReport.Phase> phases, String kind, int repeat) {
        return phases.stream()
                .filter(p -> p.kind().equals(kind) && p.repeat() == repeat)
                .map(BenchReport.Phase::appCpuMicrosPerWindow)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    /** The median over the repetitions of each one's ratio of two kinds of phase. */
    private Double medianOfRatios(List<BenchReport.Phase> phases, String numerator, String denominator) {
        List<Double> ratios = new ArrayList<>();
        for (int r = 1; r <= settings.repeat(); r++) {
            ratios.add(ratio(rateOf(phases, numerator, r), rateOf(phases, denominator, r)));
        }
        return Percentiles.median(ratios);
    }

    private static BenchReport.Target target(String name, String goal, Double value, Boolean met) {
        return new BenchReport.Target(name, goal, value, met);
    }

    private static Double rateOf(List<BenchReport.Phase> phases, String kind, int repeat) {
        return phases.stream()
                .filter(p -> p.kind().equals(kind) && p.repeat() == repeat)
                .map(BenchReport.Phase::windowsPerSec)
                .findFirst()
                .orElse(null);
    }

    private static Double medianRate(List<BenchReport.Phase> phases, String kind) {
        return Percentiles.median(phases.stream()
                .filter(p -> p.kind().equals(kind))
                .map(BenchReport.Phase::windowsPerSec)
                .collect(Collectors.toList()));
    }

    private static Double inferenceAt(List<BenchReport.InferencePoint> inference, int batchSize) {
        return inference.stream()
                .filter(p -> p.batchSize() == batchSize)
                .map(BenchReport.InferencePoint::windowsPerSec)
                .findFirst()
                .orElse(null);
    }

    private static Double ratio(Number a, Number b) {
        if (a == null || b == null || b.doubleValue() == 0) {
            return null;
        }
        return finite(a.doubleValue() / b.doubleValue());
    }

    private static Long delta(Map<String, Long> after, Map<String, Long> before, String key) {
        Long a = after.get(key);
        Long b = before.get(key);
        return a == null || b == null ? null : a - b;
    }

    /** NMT's committed megabytes per category from a child's stats, largest first. */
    private static Map<String, Double> nmtMb(Map<String, Long> stats) {
        Map<String, Double> out = new LinkedHashMap<>();
        stats.entrySet().stream()
                .filter(e -> e.getKey().startsWith(BenchChild.NMT_PREFIX))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.put(e.getKey().substring(BenchChild.NMT_PREFIX.length()), e.getValue() / MB));
        return out;
    }

    private static String percent(Double cores) {
        return cores == null ? "-" : String.format(Locale.ROOT, "%.2f", 100 * cores);
    }

    private static String mb(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.0f", x);
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    private static Double kbToMb(OptionalLong kb) {
        return kb.isPresent() ? kb.getAsLong() / 1024.0 : null;
    }

    private static Double bytesToMb(Long bytes) {
        return bytes == null || bytes < 0 ? null : bytes / MB;
    }

    /**
     * {@code release} as a new version created now (a new digest, so the streamer swaps to it): what a hot swap
     * publishes; sealed from a copy of its SavedModel under {@code scratch}.
     */
    private static ReleaseBundle reversioned(ReleaseBundle release, String suffix, Path scratch) throws Exception {
        ReleaseManifest m = release.manifest();
        Path dir = scratch.resolve("release-" + suffix);
        ReleaseFolder.deleteRecursively(dir);
        release.writeTo(dir);
        ReleaseManifest draft = new ReleaseManifest(
                m.formatVersion(),
                m.modelName(),
                m.version() + "-" + suffix,
                Instant.now().toString(),
                m.inputLength(),
                m.serving(),
                m.scaler(),
                m.scoring(),
                m.thresholdPolicy(),
                m.provenance(),
                List.of(),
                null);
        return ReleaseBundle.seal(draft, dir.resolve(ReleaseBundle.SAVED_MODEL_DIR));
    }

    private static Double load() {
        OptionalDouble l = ProcessStats.loadAverage();
        return l.isPresent() ? l.getAsDouble() : null;
    }

    private void step(String message) {
        console.println("==> " + message);
    }
}
