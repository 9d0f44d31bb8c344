package ecgdetector.bench;

import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The failover phase of {@code ./ecg bench}: several streamer instances of one application, each in a JVM of its
 * own, fed at a fixed rate while one of them fails, and how long patients' windows waited, as a downstream
 * {@code read_committed} consumer saw it ({@link ScoreTimeline}, {@link FailoverFigures}). Three faults, each on
 * fresh topics and a fresh group:
 * <ul>
 *   <li><b>kill</b>: SIGKILL of one instance: the others take its partitions once its session expires and its
 *       open transaction is aborted;</li>
 *   <li><b>freeze</b>: SIGSTOP of one instance for longer than the session timeout, then SIGCONT: it is fenced,
 *       its partitions move, and when it wakes up it rejoins without writing anything twice;</li>
 *   <li><b>restart</b>: one instance alone, SIGKILLed and started again at once on its state folder: how soon it
 *       scores again after its start.</li>
 * </ul>
 */
final class FailoverBench {

    static final String KILL = "kill";
    static final String FREEZE = "freeze";
    static final String RESTART = "restart";

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** Windows produced this long before a fault may already be caught in it (an open transaction). */
    private static final long BEFORE_FAULT_MS = 2000;

    private static final List<String> GROUP_KEYS = List.of(
            StreamsConfig.GROUP_PROTOCOL_CONFIG,
            "session.timeout.ms",
            "heartbeat.interval.ms",
            StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG,
            StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG,
            StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG,
            "producer.transaction.timeout.ms",
            "transaction.timeout.ms",
            StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);

    /**
     * @param instances how many instances share the partitions in the kill and freeze runs (at least 2)
     * @param warmup    fed before the fault, not measured but for the baseline
     * @param observe   fed after the fault (for freeze: after the SIGCONT)
     * @param freeze    how long the frozen instance stays frozen; longer than the session timeout to be fenced
     */
    record Settings(
            List<String> faults,
            int instances,
            int partitions,
            double ratePerSec,
            Duration warmup,
            Duration observe,
            Duration freeze) {
        Settings {
            if (instances < 2 || partitions < 1 || !(ratePerSec > 0)) {
                throw new IllegalArgumentException("--failover-instances must be at least 2, --failover-partitions"
                        + " at least 1 and --failover-rate above 0");
            }
            for (String fault : faults) {
                if (!List.of(KILL, FREEZE, RESTART).contains(fault)) {
                    throw new IllegalArgumentException(
                            "unknown fault '" + fault + "'; known: " + KILL + ", " + FREEZE + ", " + RESTART);
                }
            }
            faults = List.copyOf(faults);
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("faults", faults);
            m.put("instances", instances);
            m.put("partitions", partitions);
            m.put("ratePerSec", ratePerSec);
            m.put("warmupSeconds", warmup.toMillis() / 1000.0);
            m.put("observeSeconds", observe.toMillis() / 1000.0);
            m.put("freezeSeconds", freeze.toMillis() / 1000.0);
            return m;
        }
    }

    /** What the failover phase needs of the bench: fresh topics, an instance's settings, and cleaning up after. */
    interface Cluster {
        TopicNames createTopics(String appId, int partitions);

        /** The settings of an instance of {@code appId} on {@code topics}, before its name and state folder. */
        Map<String, String> appSettings(TopicNames topics, String appId);

        void cleanUp(TopicNames topics, String appId);
    }

    private final Settings settings;
    private final Cluster cluster;
    private final Properties client;
    private final List<String> lines;
    private final int patients;
    private final Path logs;
    private final Path stateRoot;
    private final List<String> jvmOptions;
    private final String runId;
    private final PrintStream console;

    FailoverBench(
            Settings settings,
            Cluster cluster,
            Properties client,
            List<String> lines,
            int patients,
            Path logs,
            Path stateRoot,
            List<String> jvmOptions,
            String runId,
            PrintStream console) {
        this.settings = settings;
        this.cluster = cluster;
        this.client = client;
        this.lines = lines;
        this.patients = patients;
        this.logs = logs;
        this.stateRoot = stateRoot;
        this.jvmOptions = jvmOptions;
        this.runId = runId;
        this.console = console;
    }

    BenchReport.Failover run() throws Exception {
        List<BenchReport.FailoverRun> runs = new ArrayList<>();
        Map<String, String> group = Map.of();
        for (String fault : settings.faults()) {
            String appId = "bench-" + runId + "-failover-" + fault;
            TopicNames topics = cluster.createTopics(appId, settings.partitions());
            try {
                Map<String, String> base = cluster.appSettings(topics, appId);
                group = groupSettings(base);
                runs.add(
                        fault.equals(RESTART)
                                ? restart(appId, topics, base)
                                : killOrFreeze(fault, appId, topics, base));
            } finally {
                cluster.cleanUp(topics, appId);
            }
        }
        return new BenchReport.Failover(
                settings.instances(), settings.partitions(), settings.ratePerSec(), group, runs);
    }

    /** The settings that decide the figures, as the streamer resolves them for an instance. */
    private static Map<String, String> groupSettings(Map<String, String> base) {
        Properties resolved = StreamerConfig.fromMap(base).streamsProperties();
        Map<String, String> out = new TreeMap<>();
        for (String key : GROUP_KEYS) {
            if (resolved.getProperty(key) != null) {
                out.put(key, resolved.getProperty(key));
            }
        }
        out.put("static membership", String.valueOf(resolved.getProperty("group.instance.id") != null));
        return out;
    }

    private BenchReport.FailoverRun killOrFreeze(
            String fault, String appId, TopicNames topics, Map<String, String> base) throws Exception {
        step(String.format(
                Locale.ROOT,
                "failover, %s: %d instances on %d partitions fed %.0f windows/s; after %d s, %s one of them",
                fault,
                settings.instances(),
                settings.partitions(),
                settings.ratePerSec(),
                settings.warmup().toSeconds(),
                fault.equals(KILL)
                        ? "SIGKILL"
                        : "SIGSTOP for " + settings.freeze().toSeconds() + " s (then SIGCONT)"));
        try (ScoreTimeline timeline = new ScoreTimeline(client, topics.scores());
                Instances instances = new Instances(appId, base);
                InputWriter writer = new InputWriter(client, topics.heartbeats(), lines, patients, 0)) {
            for (int i = 0; i < settings.instances(); i++) {
                instances.start(i);
            }
            instances.awaitSettled(settings.partitions(), settings.instances());
            Feed feed = Feed.start(writer, settings.ratePerSec());
            long fedFrom = System.currentTimeMillis();
            watch(settings.warmup(), timeline, writer);
            Map<String, Long> restoredBefore = instances.restores(1, settings.instances());
            long faultAt = System.currentTimeMillis();
            ChildJvm victim = instances.get(0);
            if (fault.equals(KILL)) {
                victim.kill();
            } else {
                victim.freeze();
            }
            Duration patience = fault.equals(KILL) ? settings.observe() : settings.freeze();
            Double moved = instances.awaitHeldBy(1, settings.instances(), settings.partitions(), faultAt, patience);
            if (fault.equals(FREEZE)) {
                watch(remaining(faultAt, settings.freeze()), timeline, writer);
                victim.thaw();
            }
            watch(settings.observe(), timeline, writer);
            feed.stop();
            long stoppedAt = System.currentTimeMillis();
            drain(timeline, writer);
            Map<String, Long> restoredAfter = instances.restores(1, settings.instances());
            return figures(
                    fault,
                    timeline,
                    writer,
                    fedFrom,
                    faultAt,
                    faultAt,
                    stoppedAt,
                    moved,
                    null,
                    restoredBefore,
                    restoredAfter);
        }
    }

    private BenchReport.FailoverRun restart(String appId, TopicNames topics, Map<String, String> base)
            throws Exception {
        step(String.format(
                Locale.ROOT,
                "failover, restart: 1 instance on %d partitions fed %.0f windows/s; after %d s, SIGKILL and at once"
                        + " started again on its state folder",
                settings.partitions(),
                settings.ratePerSec(),
                settings.warmup().toSeconds()));
        try (ScoreTimeline timeline = new ScoreTimeline(client, topics.scores());
                Instances instances = new Instances(appId, base);
                InputWriter writer = new InputWriter(client, topics.heartbeats(), lines, patients, 0)) {
            instances.start(0);
            instances.awaitSettled(settings.partitions(), 1);
            Feed feed = Feed.start(writer, settings.ratePerSec());
            long fedFrom = System.currentTimeMillis();
            watch(settings.warmup(), timeline, writer);
            long killedAt = System.currentTimeMillis();
            instances.get(0).kill();
            long startedAt = System.currentTimeMillis();
            ChildJvm again = instances.start(0);
            double ready = (again.awaitReady(READY_TIMEOUT) - startedAt) / 1000.0;
            watch(remaining(killedAt, settings.observe()), timeline, writer);
            feed.stop();
            long stoppedAt = System.currentTimeMillis();
            drain(timeline, writer);
            Map<String, Long> restored = instances.restores(0, 1);
            return figures(
                    RESTART, timeline, writer, fedFrom, killedAt, startedAt, stoppedAt, null, ready, Map.of(),
                    restored);
        }
    }

    /**
     * @param faultAt when the fault happened: windows produced from a little before it on count as caught in it
     * @param since   what "readable again" is measured from: the fault, or the restarted process's start
     */
    private BenchReport.FailoverRun figures(
            String fault,
            ScoreTimeline timeline,
            InputWriter writer,
            long fedFrom,
            long faultAt,
            long since,
            long stoppedAt,
            Double moved,
            Double ready,
            Map<String, Long> restoredBefore,
            Map<String, Long> restoredAfter) {
        List<ScoreTimeline.Seen> seen = timeline.snapshot();
        Set<Integer> partitions =
                IntStream.range(0, settings.partitions()).boxed().collect(Collectors.toSet());
        long distinct = FailoverFigures.distinct(seen);
        long restoredRecords =
                restoredAfter.getOrDefault("restoredRecords", 0L) - restoredBefore.getOrDefault("restoredRecords", 0L);
        Long restoreMaxMs = restoredAfter.get("restoreMaxMs");
        BenchReport.FailoverRun run = new BenchReport.FailoverRun(
                fault,
                writer.sent(),
                distinct,
                FailoverFigures.duplicates(seen),
                Math.max(0, writer.sent() - distinct),
                FailoverFigures.worstDelayMs(seen, fedFrom + 1000, faultAt - BEFORE_FAULT_MS),
                FailoverFigures.worstDelayMs(seen, faultAt - BEFORE_FAULT_MS, stoppedAt),
                FailoverFigures.delayPercentileMs(seen, faultAt - BEFORE_FAULT_MS, stoppedAt, 99),
                FailoverFigures.readableAgainSeconds(seen, partitions, faultAt, since),
                FailoverFigures.longestSilenceSeconds(seen, partitions, faultAt - BEFORE_FAULT_MS, stoppedAt),
                moved,
                ready,
                restoredRecords,
                restoreMaxMs == null ? null : restoreMaxMs / 1000.0,
                load());
        console.printf(
                Locale.ROOT,
                "  %s: worst produce-to-readable %s ms (before the fault %s ms), p99 %s ms; every partition readable"
                        + " again %s s after the %s; longest silence %s s; partitions moved in %s s; %,d sent, %,d"
                        + " missing, %,d twice%n",
                fault,
                num(run.worstDelayMs()),
                num(run.baselineWorstDelayMs()),
                num(run.p99DelayMs()),
                run.readableAgainSeconds(),
                fault.equals(RESTART) ? "new process started" : "fault",
                run.longestSilenceSeconds(),
                run.partitionsMovedSeconds(),
                run.sent(),
                run.missing(),
                run.duplicates());
        describeFirst(seen, fault, faultAt, since);
        describeWorst(
                "before the fault", FailoverFigures.worst(seen, fedFrom + 1000, faultAt - BEFORE_FAULT_MS), faultAt);
        describeWorst("from the fault on", FailoverFigures.worst(seen, faultAt - BEFORE_FAULT_MS, stoppedAt), faultAt);
        return run;
    }

    /** When the first windows produced after the fault were scored and became readable, overall and per partition. */
    private void describeFirst(List<ScoreTimeline.Seen> seen, String fault, long faultAt, long since) {
        seen.stream()
                .filter(x -> x.producedMs() >= faultAt)
                .min(java.util.Comparator.comparingLong(ScoreTimeline.Seen::scoredMs))
                .ifPresent(first -> console.printf(
                        Locale.ROOT,
                        "    first window produced after the fault: scored %.1f s, readable %.1f s after the %s%n",
                        (first.scoredMs() - since) / 1000.0,
                        (first.visibleMs() - since) / 1000.0,
                        fault.equals(RESTART) ? "new process started" : "fault"));
        console.printf(
                Locale.ROOT,
                "    per partition, its first window produced after the fault: scored / readable, s after the %s: %s%n",
                fault.equals(RESTART) ? "new process started" : "fault",
                FailoverFigures.firstAfter(seen, faultAt).entrySet().stream()
                        .map(e -> String.format(
                                Locale.ROOT,
                                "%d %.1f/%.1f",
                                e.getKey(),
                                (e.getValue().scoredMs() - since) / 1000.0,
                                (e.getValue().visibleMs() - since) / 1000.0))
                        .collect(Collectors.joining(", ")));
    }

    private void describeWorst(String when, ScoreTimeline.Seen worst, long faultAt) {
        if (worst != null) {
            console.printf(
                    Locale.ROOT,
                    "    longest wait %s: window %s (partition %d), produced %+.1f s from the fault, readable %.1f s"
                            + " later%n",
                    when,
                    worst.windowId(),
                    worst.partition(),
                    (worst.producedMs() - faultAt) / 1000.0,
                    worst.delayMs() / 1000.0);
        }
    }

    /** Waits until every window sent has a score (or the drain timeout passed). */
    private void drain(ScoreTimeline timeline, InputWriter writer) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (FailoverFigures.distinct(timeline.snapshot()) < writer.sent() && System.nanoTime() < deadline) {
            timeline.checkHealthy();
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** Sleeps {@code time}, printing progress once a second. */
    private void watch(Duration time, ScoreTimeline timeline, InputWriter writer) throws InterruptedException {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            TimeUnit.NANOSECONDS.sleep(Math.min(1_000_000_000L, Math.max(0, end - System.nanoTime())));
            timeline.checkHealthy();
            console.printf(Locale.ROOT, "  ... sent %,d, scored %,d%n", writer.sent(), timeline.size());
        }
    }

    private static Duration remaining(long fromMs, Duration total) {
        return Duration.ofMillis(Math.max(0, fromMs + total.toMillis() - System.currentTimeMillis()));
    }

    private void step(String message) {
        console.println("==> " + message);
    }

    private static String num(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.0f", x);
    }

    private static Double load() {
        OptionalDouble l = ProcessStats.loadAverage();
        return l.isPresent() ? l.getAsDouble() : null;
    }

    /** The heartbeat producer at a fixed rate on a thread of its own, until stopped. */
    private record Feed(Thread thread, AtomicBoolean stopped) {
        static Feed start(InputWriter writer, double rate) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread thread = new Thread(() -> writer.sendAtRate(rate, stop::get), "bench-failover-feed");
            thread.setDaemon(true);
            thread.start();
            return new Feed(thread, stop);
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            thread.join(30_000);
        }
    }

    /** The instances of one application, each a streamer in a child JVM with a name and state folder of its own. */
    private final class Instances implements AutoCloseable {
        private final String appId;
        private final Map<String, String> base;
        private final Map<Integer, ChildJvm> running = new TreeMap<>();
        private final List<ChildJvm> all = new ArrayList<>();
        private int starts;

        Instances(String appId, Map<String, String> base) {
            this.appId = appId;
            this.base = base;
        }

        /** Starts instance {@code i} (again, if it ran before: same name, same state folder). */
        ChildJvm start(int i) throws Exception {
            Map<String, String> config = new LinkedHashMap<>(base);
            config.put(Setting.INSTANCE_NAME.key(), "instance-" + i);
            config.put(
                    StreamsConfig.STATE_DIR_CONFIG,
                    stateRoot.resolve(appId).resolve("instance-" + i).toString());
            ChildJvm child = ChildJvm.start(
                    BenchChild.MODE_STREAMER, config, jvmOptions, logs, appId + "-" + i + "-" + ++starts);
            running.put(i, child);
            all.add(child);
            return child;
        }

        ChildJvm get(int i) {
            return running.get(i);
        }

        /** Until every instance is ready and they hold every partition between them, each some, with standbys. */
        void awaitSettled(int partitions, int count) throws InterruptedException {
            for (int i = 0; i < count; i++) {
                running.get(i).awaitReady(READY_TIMEOUT);
            }
            long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                List<Map<String, Long>> stats = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    stats.add(running.get(i).stats());
                }
                long active = stats.stream()
                        .mapToLong(s -> s.getOrDefault("activeTasks", 0L))
                        .sum();
                long standby = stats.stream()
                        .mapToLong(s -> s.getOrDefault("standbyTasks", 0L))
                        .sum();
                boolean everyOne = stats.stream().allMatch(s -> s.getOrDefault("activeTasks", 0L) > 0);
                if (active == partitions && everyOne && (count == 1 || standby >= partitions)) {
                    console.printf(Locale.ROOT, "  settled: %d active and %d standby tasks%n", active, standby);
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
            console.println("  (the group did not settle within " + SETTLE_TIMEOUT.toSeconds() + " s; going on)");
        }

        /** Seconds from {@code since} until instances {@code from..to-1} hold every partition; null if not in time. */
        Double awaitHeldBy(int from, int to, int partitions, long since, Duration patience)
                throws InterruptedException {
            long deadline = System.nanoTime() + patience.toNanos();
            while (System.nanoTime() < deadline) {
                long active = 0;
                for (int i = from; i < to; i++) {
                    active += running.get(i).stats().getOrDefault("activeTasks", 0L);
                }
                if (active == partitions) {
                    return (System.currentTimeMillis() - since) / 1000.0;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            return null;
        }

        /** Restore totals of instances {@code from..to-1}: restored records summed, the longest restore. */
        Map<String, Long> restores(int from, int to) throws InterruptedException {
            long records = 0;
            long maxMs = 0;
            for (int i = from; i < to; i++) {
                Map<String, Long> s = running.get(i).stats();
                records += s.getOrDefault("restoredRecords", 0L);
                maxMs = Math.max(maxMs, s.getOrDefault("restoreMaxMs", 0L));
            }
            return Map.of("restoredRecords", records, "restoreMaxMs", maxMs);
        }

        @Override
        public void close() {
            for (ChildJvm child : all) {
                try {
                    if (child.isAlive()) {
                        child.thaw();
                        child.stop(STOP_TIMEOUT);
                    }
                } catch (Exception e) {
                    child.close();
                }
            }
        }
    }
}
