package ecgdetector.app.demo;

import ecgdetector.app.kafka.HeartbeatProducer;
import ecgdetector.app.kafka.KafkaCluster;
import ecgdetector.app.replay.FeedReplayer;
import ecgdetector.app.replay.PatientKeys;
import ecgdetector.broker.TopicSetup;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.kafka.TopicCheck;
import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.model.release.TrustedReleaseKeys;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.Heartbeat;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.alarms.AlarmEvaluation;
import ecgdetector.trainer.data.DataSource;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.evaluation.ConfusionMatrix;
import ecgdetector.trainer.model.KerasStyleProgress;
import ecgdetector.trainer.release.ReleaseFolder;
import ecgdetector.view.ViewSettings;
import ecgdetector.view.WardView;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole product on one machine: train (or reuse) a release, publish it, start the streamer,
 * replay the held-out test beats as live monitors, read what comes out as a downstream consumer, and
 * hold the live result against the trainer's offline evaluation of the very same beats.
 */
public final class Demo {

    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The first seconds of the run, reported apart from the steady latency: the JVM compiles the stream's code
     * and the clients set up their transactions then, so a window's latency is several times the steady one.
     */
    static final int COLD_SECONDS = 10;

    /**
     * @param data             path or URL of ecg.csv, as for {@code train}
     * @param out              train/ (report, plots, release) and summary.json go here
     * @param ratePerSecond    windows per second the replay sends; 0 = as fast as possible
     * @param patients         monitored patients the beats are spread over (record keys)
     * @param bootstrapServers an existing cluster; empty = an embedded broker
     * @param kafka            client properties for an existing cluster (SASL, SSL, ...)
     * @param retrain          train even if a release from the same data and settings exists
     * @param timeout          how long to wait for every window to be scored after the replay
     * @param viewPort         the ward view's port (0 = any free one); empty = no ward view
     * @param keepOpen         after the summary, keep the broker, the streamer and the view running until the
     *                         process is stopped (Ctrl-C), to look at the ward
     */
    public record Settings(
            Optional<String> data,
            Path out,
            Recipe recipe,
            double ratePerSecond,
            int patients,
            Optional<String> bootstrapServers,
            Properties kafka,
            boolean retrain,
            Duration timeout,
            OptionalInt viewPort,
            boolean keepOpen) {}

    /** The alarm scenarios the summary shows: seeded, so every run shows the same figures for a release. */
    private static final long ALARM_SEED = 13;

    private static final int ALARM_PATIENT_HOURS = 20;
    private static final int ALARM_TRIALS = 500;

    private final Settings settings;
    private final PrintStream console;
    /** Tags this run's application and beat ids, so nothing of another run is counted. */
    private final String runId = Long.toString(System.currentTimeMillis(), 36);

    public Demo(Settings settings, PrintStream console) {
        this.settings = settings;
        this.console = console;
    }

    public DemoSummary run() throws Exception {
        Path dataFile = DataSource.standard(console::println).resolve(settings.data());
        Model model = trainOrReuse(EcgCsv.read(dataFile));
        TrainingResult trained = model.trained();
        ReleaseKeyFiles.Pair keys = keys();

        // Not under /tmp: Kafka Streams warns that an OS may clear it under a running application.
        Path stateDir =
                Files.createTempDirectory(Files.createDirectories(settings.out().toAbsolutePath()), ".streams-state-");
        try (KafkaCluster cluster = KafkaCluster.start(settings.bootstrapServers(), settings.kafka(), console)) {
            Properties client = cluster.client();
            TopicNames topics = TopicNames.defaults();
            createTopicsAndPublish(client, topics, trained, keys);

            String applicationId = "ecg-demo-" + runId;
            startAtTheEnd(client, applicationId, topics.heartbeats());
            try (StreamerApp streamer =
                            StreamerApp.start(streamerConfig(client, applicationId, stateDir, keys.publicKey()));
                    LiveOutputs outputs = new LiveOutputs(
                            client,
                            topics.scores(),
                            topics.alerts(),
                            topics.heartbeatsDlq(),
                            topics.alarms(),
                            runId + "-test-",
                            replaySource(),
                            console);
                    WardView view = startView(client, keys)) {
                awaitReady(streamer);
                announceReplay(streamer, trained);
                long replayStart = System.currentTimeMillis();
                FeedReplayer.Result replay = replay(client, topics.heartbeats(), trained.test(), outputs);
                requireDelivered(replay);
                awaitScored(outputs, replay.progress().acknowledged());
                DemoSummary summary = summarize(model, replay, outputs, replayStart, cluster.bootstrapServers());
                keepOpenIfAsked(summary, view);
                return summary;
            }
        } finally {
            ReleaseFolder.deleteRecursively(stateDir);
        }
    }

    /** The release the demo serves, and whether it was reused rather than trained now. */
    private record Model(TrainingResult trained, boolean reused) {}

    private Model trainOrReuse(EcgDataset dataset) throws Exception {
        TrainingOptions options = TrainingOptions.of(
                settings.recipe(), settings.data(), settings.out().resolve("train"));
        TrainingJob job = new TrainingJob(console, KerasStyleProgress.toStandardOutput());
        Optional<TrainingResult> reused = settings.retrain() ? Optional.empty() : job.reuse(options, dataset);
        step(
                reused.isPresent()
                        ? "Reusing release " + reused.get().release().version() + " (same data and settings)"
                        : "Training the detector (" + options.recipe().id() + " recipe)");
        return reused.isPresent() ? new Model(reused.get(), true) : new Model(job.run(options, dataset), false);
    }

    private void createTopicsAndPublish(
            Properties client, TopicNames topics, TrainingResult trained, ReleaseKeyFiles.Pair keys) throws Exception {
        try (Admin admin = Admin.create(client)) {
            TopicSetup.createAll(admin, topics, EcgTopic.DEFAULT_PARTITIONS);
        }
        ReleaseTopic.Published published =
                new ReleaseTopic(client, topics.models()).publish(ReleaseRecord.signed(trained.release(), keys.key()));
        step("Published " + published.version() + " to " + published.topic());
    }

    /** The ward view on the demo's cluster, or null without one. */
    private WardView startView(Properties client, ReleaseKeyFiles.Pair keys) throws IOException {
        if (settings.viewPort().isEmpty()) {
            return null;
        }
        ReleaseVerifier releases = ReleaseVerifier.signedBy(
                TrustedReleaseKeys.of(List.of(keys.key().publicKey())), ReleaseVerifier.DEFAULT_MAX_BYTES);
        WardView view =
                WardView.start(ViewSettings.local(client, settings.viewPort().getAsInt(), releases));
        step("Ward view: " + view.url() + " (open it in a browser)");
        return view;
    }

    /** With --keep-open: the summary first, then everything stays up until the process is stopped. */
    private void keepOpenIfAsked(DemoSummary summary, WardView view) throws InterruptedException {
        if (!settings.keepOpen()) {
            return;
        }
        console.println(summary.describe());
        step((view == null ? "Broker and streamer" : "Ward view at " + view.url() + ", broker and streamer")
                + " keep running; Ctrl-C stops");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "ecg-demo-shutdown"));
        stopped.await();
    }

    private void announceReplay(StreamerApp streamer, TrainingResult trained) {
        step(String.format(
                Locale.ROOT,
                "Streamer ready (metrics: http://127.0.0.1:%d/metrics). Replaying %d held-out"
                        + " test beats from %d patients at %s",
                streamer.httpPort(),
                trained.test().size(),
                settings.patients(),
                settings.ratePerSecond() > 0
                        ? String.format(Locale.ROOT, "%.0f windows/s", settings.ratePerSecond())
                        : "full speed"));
    }

    private static void requireDelivered(FeedReplayer.Result replay) {
        if (replay.progress().failed() > 0) {
            throw new IllegalStateException(
                    "the replay could not deliver " + replay.progress().failed() + " windows: "
                            + replay.progress().firstError());
        }
    }

    /**
     * The demo's own release key pair, under its output folder ({@code DIR/keys}): made on the first run, used by
     * every later one, never the user's default pair.
     */
    private ReleaseKeyFiles.Pair keys() throws java.io.IOException {
        Path dir = settings.out().resolve("keys");
        ReleaseKeyFiles.Pair pair = ReleaseKeyFiles.loadOrCreate(
                dir.resolve(ReleaseKeyFiles.PRIVATE_KEY_FILE), dir.resolve(ReleaseKeyFiles.PUBLIC_KEY_FILE), false);
        if (pair.created()) {
            step("Created the demo's release signing key " + pair.key().keyId() + " in " + dir);
        }
        return pair;
    }

    /**
     * Commits the input topic's current end as the new application's starting point: on a cluster that
     * already holds heartbeats (earlier demos, real monitors) the demo scores only what it sends.
     */
    private static void startAtTheEnd(Properties client, String applicationId, String topic) throws Exception {
        try (Admin admin = Admin.create(client)) {
            TopicCheck.Result found = TopicCheck.describe(
                    admin, client, List.of(topic), TOPIC_CHECK_TIMEOUT, "DESCRIBE on topic " + topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            found.partitions(topic).forEach(p -> latest.put(p, OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get()
                    .forEach((tp, info) -> start.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(applicationId, start).all().get();
        }
    }

    private StreamerConfig streamerConfig(Properties client, String applicationId, Path stateDir, Path publicKey) {
        Map<String, String> map = new LinkedHashMap<>();
        client.forEach((k, v) -> map.put(String.valueOf(k), String.valueOf(v)));
        // A new application each run, started at the input's end (see startAtTheEnd).
        map.put("application.id", applicationId);
        map.put("state.dir", stateDir.toString());
        map.put(StreamerConfig.Setting.HTTP_HOST.key(), "127.0.0.1");
        map.put(StreamerConfig.Setting.HTTP_PORT.key(), "0");
        map.put(StreamerConfig.Setting.BATCH_WAIT_MS.key(), "20");
        map.put(StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.key(), publicKey.toString());
        return StreamerConfig.fromMap(map);
    }

    private void awaitReady(StreamerApp streamer) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!streamer.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the streamer did not become ready within 120 s: " + streamer.health());
            }
            Thread.sleep(100);
        }
    }

    private FeedReplayer.Result replay(Properties client, String topic, Heartbeats test, LiveOutputs outputs) {
        List<String> lines = new ArrayList<>(test.size());
        PatientKeys keys = PatientKeys.of(settings.patients());
        for (int i = 0; i < test.size(); i++) {
            Heartbeat window =
                    new Heartbeat(keys.keyFor(i), beatId(i), null, test.beats()[i], test.normal()[i] ? 1.0 : 0.0);
            lines.add(new String(HeartbeatJson.write(window), StandardCharsets.UTF_8));
        }
        try (KafkaProducer<String, String> producer = HeartbeatProducer.open(
                client,
                topic,
                Map.of(ProducerConfig.CLIENT_ID_CONFIG, "ecg-demo-" + runId),
                new StringSerializer(),
                new StringSerializer())) {
            FeedReplayer replayer = new FeedReplayer(
                    producer,
                    new FeedReplayer.Settings(topic, settings.ratePerSecond(), keys, false, 0, replaySource()));
            return replayer.replay(
                    lines,
                    progress -> console.printf(
                            Locale.ROOT,
                            "  ... sent %d/%d, scored %d, alerts %d, alarm transitions %d, dead letters %d%n",
                            progress.sent(),
                            test.size(),
                            scoredOfThisRun(outputs),
                            outputs.alerts(),
                            outputs.alarms(),
                            outputs.deadLettered()));
        }
    }

    private static long scoredOfThisRun(LiveOutputs outputs) {
        return outputs.scores().size();
    }

    private void awaitScored(LiveOutputs outputs, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (scoredOfThisRun(outputs) < expected) {
            if (outputs.failure() != null) {
                throw new IllegalStateException("reading the streamer's output failed", outputs.failure());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(
                        Locale.ROOT,
                        "only %d of %d windows were scored within %d s",
                        scoredOfThisRun(outputs),
                        expected,
                        settings.timeout().toSeconds()));
            }
            Thread.sleep(50);
        }
    }

    private DemoSummary summarize(
            Model model, FeedReplayer.Result replay, LiveOutputs outputs, long replayStart, String bootstrap)
            throws IOException {
        TrainingResult trained = model.trained();
        Comparison live = compare(trained, outputs);
        double seconds = Math.max(1, outputs.lastScoredAtMs() - replayStart) / 1000.0;
        DemoSummary summary = new DemoSummary(
                trained.release().modelName(),
                trained.release().version(),
                model.reused(),
                replay.progress().acknowledged(),
                live.scored(),
                outputs.alerts(),
                outputs.alarms(),
                outputs.raisedByType(),
                new AlarmEvaluation(trained, ALARM_SEED, ALARM_PATIENT_HOURS, ALARM_TRIALS).runRule(AlarmRule.DEFAULT),
                outputs.deadLettered(),
                live.confusion().accuracy(),
                live.confusion().precision(),
                live.confusion().recall(),
                trained.report().test().accuracy(),
                trained.report().test().precision(),
                trained.report().test().recall(),
                live.mismatches(),
                live.maxDifference(),
                live.scored() / seconds,
                percentile(live.steadyLatencies(), 50),
                percentile(live.steadyLatencies(), 99),
                percentile(live.coldLatencies(), 50),
                percentile(live.coldLatencies(), 99),
                COLD_SECONDS,
                settings.patients(),
                settings.ratePerSecond(),
                bootstrap,
                files());
        Files.createDirectories(settings.out());
        Files.write(
                settings.out().resolve("summary.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(summary));
        return summary;
    }

    /**
     * The live result held against the offline one, beat by beat.
     *
     * @param mismatches      test beats not scored live, or scored differently from offline
     * @param steadyLatencies the latencies of the beats produced after the first {@link #COLD_SECONDS} of the
     *                        run (all of them if none was), ascending
     * @param coldLatencies   those of the beats produced in the first {@link #COLD_SECONDS}, ascending
     */
    private record Comparison(
            ConfusionMatrix confusion,
            long mismatches,
            double maxDifference,
            int scored,
            double[] steadyLatencies,
            double[] coldLatencies) {}

    /** The latencies of {@code scored} sorted, split at {@link #COLD_SECONDS} after the first was produced. */
    private static double[][] coldAndSteady(List<LiveOutputs.LiveScore> scored) {
        long first = scored.stream()
                .mapToLong(LiveOutputs.LiveScore::producedAtMs)
                .min()
                .orElse(0);
        long split = first + COLD_SECONDS * 1000L;
        double[] cold = scored.stream()
                .filter(s -> s.producedAtMs() < split)
                .mapToDouble(LiveOutputs.LiveScore::latencyMs)
                .sorted()
                .toArray();
        double[] steady = scored.stream()
                .filter(s -> s.producedAtMs() >= split)
                .mapToDouble(LiveOutputs.LiveScore::latencyMs)
                .sorted()
                .toArray();
        return steady.length == 0 ? new double[][] {cold, cold} : new double[][] {cold, steady};
    }

    private Comparison compare(TrainingResult trained, LiveOutputs outputs) {
        Heartbeats test = trained.test();
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        long mismatches = 0;
        double maxDifference = 0;
        List<LiveOutputs.LiveScore> scored = new ArrayList<>();
        Map<String, LiveOutputs.LiveScore> byBeat = new java.util.HashMap<>();
        outputs.scores().values().forEach(s -> byBeat.put(s.beatId(), s));
        for (int i = 0; i < test.size(); i++) {
            LiveOutputs.LiveScore live = byBeat.get(beatId(i));
            if (live == null) {
                mismatches++;
                continue;
            }
            scored.add(live);
            // Bit for bit: the streamer scores through the same code as the trainer's evaluation.
            if (Float.compare(live.score(), trained.testScores()[i]) != 0) {
                mismatches++;
                maxDifference = Math.max(maxDifference, Math.abs((double) live.score() - trained.testScores()[i]));
            }
            boolean anomaly = !test.normal()[i];
            if (live.anomaly()) {
                tp += anomaly ? 1 : 0;
                fp += anomaly ? 0 : 1;
            } else {
                fn += anomaly ? 1 : 0;
                tn += anomaly ? 0 : 1;
            }
        }
        double[][] coldAndSteady = coldAndSteady(scored);
        return new Comparison(
                new ConfusionMatrix(tp, fp, tn, fn),
                mismatches,
                maxDifference,
                scored.size(),
                coldAndSteady[1],
                coldAndSteady[0]);
    }

    private Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        Path trainDir = settings.out().resolve("train");
        files.put("report", trainDir.resolve("report.json").toString());
        files.put("plots", trainDir.resolve("*.png").toString());
        files.put("release", trainDir.resolve("release").toString());
        files.put("summary", settings.out().resolve("summary.json").toString());
        return files;
    }

    /** Nearest-rank percentile of sorted values; NaN for none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private String replaySource() {
        return "demo-" + runId;
    }

    private String beatId(int testRow) {
        return String.format(Locale.ROOT, "%s-test-%04d", runId, testRow);
    }

    private void step(String message) {
        console.println("==> " + message);
    }
}
