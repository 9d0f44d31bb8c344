package ecgdetector.bench;

import ecgdetector.app.ExtensionCommand;
import ecgdetector.app.KafkaOptions;
import ecgdetector.app.TrainingSettingOptions;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        header = "Measure the streamer's throughput, latency and memory with the real model.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = BenchCommand.ReleaseSourceOptions.class,
        description = {
            "Measures the streamer with the real model on real ECG5000 beats, end to end",
            "through Kafka (an embedded broker unless --bootstrap-servers), in one run:",
            "  inference    the DJL predictor alone at several batch sizes;",
            "  passthrough  the ceiling: a Kafka Streams app with the streamer's",
            "               configuration (exactly-once, partitions, threads, commit",
            "               interval) that only copies the input records to an output;",
            "  streamer     the streamer, batched: windows in, scores and alerts out;",
            "  peer         the same job with plain Kafka clients (poll a batch, decode,",
            "               one model call, produce the same JSON records, commit), once",
            "               at-least-once and once transactional;",
            "  per-record   the streamer with batch size 1;",
            "  latency      produce time -> score readable (read_committed) at fixed rates;",
            "  soak         (--soak only) the streamer at a steady rate for minutes, its",
            "               RSS, heap and native memory sampled over time;",
            "  failover     (--phases failover only) several streamer instances fed at a",
            "               fixed rate while one is SIGKILLed, or frozen past its session",
            "               timeout, or (alone) killed and restarted: the worst wait of a",
            "               window and how soon every partition scores again.",
            "Inputs are written before each app starts; each app runs in a child JVM",
            "with a fresh application id and fresh topics. Throughput = windows / (time",
            "from the app consuming to its last output readable by a read_committed",
            "consumer).",
            "",
            "Prints a table and writes DIR/bench.json; the children's logs go to DIR/logs/."
        })
public final class BenchCommand implements Callable<Integer>, ExtensionCommand {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "out/bench",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--train-dir",
            paramLabel = "DIR",
            defaultValue = "out/demo/train",
            description = "Where the model is reused from, or trained into if it does not match the data"
                    + " and recipe (default: ${DEFAULT-VALUE}, the demo's).")
    Path trainDir;

    @Option(
            names = "--phases",
            split = ",",
            paramLabel = "PHASE",
            description =
                    "Phases to run (default all but soak and failover): inference, passthrough, streamer, peer (the"
                            + " plain-client peer, at-least-once and transactional), alarms (the streamer"
                            + " without its alarm stage, for the stage's cost), per-record, latency,"
                            + " cold-start, soak, failover.")
    List<String> phases;

    @Option(
            names = "--windows",
            paramLabel = "N",
            defaultValue = "200000",
            description = "Windows per throughput phase (default ${DEFAULT-VALUE}).")
    long windows;

    @Option(
            names = "--warmup-windows",
            paramLabel = "N",
            defaultValue = "100000",
            description = "Windows of an unreported streamer run before every phase on Kafka, to warm up"
                    + " the broker, and sent in bulk to each latency phase's streamer before its fixed-rate feed, to"
                    + " warm up its JIT; 0 = none (default ${DEFAULT-VALUE}).")
    long warmupWindows;

    @Option(
            names = "--per-record-windows",
            paramLabel = "N",
            defaultValue = "50000",
            description = "Windows of the batch-size-1 phase (default ${DEFAULT-VALUE}).")
    long perRecordWindows;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "3",
            description = "Partitions of the input and output topics (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "Stream threads of the measured apps (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "256",
            description = "The streamer's batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--batch-wait-ms",
            paramLabel = "MS",
            description = "The streamer's longest batch wait (default ${DEFAULT-VALUE}, the streamer's).")
    long batchWaitMs = Long.parseLong(Setting.BATCH_WAIT_MS.defaultValue());

    @Option(
            names = "--commit-interval-ms",
            paramLabel = "MS",
            description =
                    "Kafka Streams' commit.interval.ms for every app (default ${DEFAULT-VALUE}," + " the streamer's).")
    long commitIntervalMs = StreamerConfig.DEFAULT_COMMIT_INTERVAL_MS;

    @Option(
            names = "--patients",
            paramLabel = "N",
            defaultValue = "100",
            description = "Record keys the windows are spread over (default ${DEFAULT-VALUE}).")
    int patients;

    @Option(
            names = "--repeat",
            paramLabel = "N",
            defaultValue = "1",
            description = "Runs of the three throughput phases, in turn; medians are reported"
                    + " (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
            names = "--inference-batch-sizes",
            paramLabel = "N",
            split = ",",
            defaultValue = "1,32,256,1024",
            description = "Batch sizes of the inference phase (default ${DEFAULT-VALUE}).")
    List<Integer> inferenceBatchSizes;

    @Option(
            names = "--inference-seconds",
            paramLabel = "S",
            defaultValue = "3",
            description = "Measured time per batch size (default ${DEFAULT-VALUE}).")
    double inferenceSeconds;

    @Option(
            names = "--latency-rates",
            paramLabel = "PER_S",
            split = ",",
            defaultValue = "1000,5000",
            description = "Input rates of the latency phases, windows/s (default ${DEFAULT-VALUE}).")
    List<Double> latencyRates;

    @Option(
            names = "--latency-commit-intervals-ms",
            split = ",",
            paramLabel = "MS",
            description = "Commit intervals the latency phases run with, each with each rate"
                    + " (default: --commit-interval-ms).")
    List<Long> latencyCommitIntervalsMs;

    @Option(
            names = "--latency-warmup-seconds",
            paramLabel = "S",
            defaultValue = "3",
            description = "Fed but not measured, per latency phase (default ${DEFAULT-VALUE}).")
    double latencyWarmupSeconds;

    @Option(
            names = "--latency-seconds",
            paramLabel = "S",
            defaultValue = "15",
            description = "Measured time per latency phase (default ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(
            names = "--child-heap",
            paramLabel = "SIZE",
            defaultValue = "256m",
            description = "-Xmx of the measured apps' JVMs (default ${DEFAULT-VALUE}).")
    String childHeap;

    @Option(
            names = "--child-jvm-opt",
            paramLabel = "OPT",
            description = "One more JVM option of the measured apps, without its leading '-' (which would"
                    + " read as -X), e.g. --child-jvm-opt XX:+UseSerialGC; repeatable.")
    List<String> childJvmOptions = new ArrayList<>();

    @Option(
            names = "--app-config",
            paramLabel = "KEY=VALUE",
            description = "A Kafka Streams (or ecg.*) setting of every measured app, e.g."
                    + " --app-config producer.linger.ms=5; repeatable.")
    Map<String, String> appConfig = new LinkedHashMap<>();

    @Option(
            names = "--broker-config",
            paramLabel = "KEY=VALUE",
            description = "A setting of the embedded broker over its own (not with --bootstrap-servers), e.g."
                    + " --broker-config group.min.session.timeout.ms=2000; repeatable.")
    Map<String, String> brokerConfig = new LinkedHashMap<>();

    @Option(
            names = "--soak",
            paramLabel = "MINUTES",
            description = "Soak: feed the streamer --soak-rate windows/s for MINUTES (fractions allowed) and sample"
                    + " its RSS, heap and native memory over time. Runs alone unless --phases names others too.")
    Double soakMinutes;

    @Option(
            names = "--soak-rate",
            paramLabel = "PER_S",
            defaultValue = "5000",
            description = "Input rate of the soak, windows/s (default ${DEFAULT-VALUE}).")
    double soakRate;

    @Option(
            names = "--soak-sample-seconds",
            paramLabel = "S",
            defaultValue = "10",
            description = "Seconds between the soak's memory samples (default ${DEFAULT-VALUE}).")
    double soakSampleSeconds;

    @Option(
            names = "--soak-warmup-minutes",
            paramLabel = "M",
            defaultValue = "2",
            description =
                    "Growth is judged after this much of the soak, at most half of it" + " (default ${DEFAULT-VALUE}).")
    double soakWarmupMinutes;

    @Option(
            names = "--cold-window-seconds",
            paramLabel = "S",
            defaultValue = "10",
            description = "Cold start: seconds after ready (and after the hot swap) counted as cold, and of the steady"
                    + " part between (default ${DEFAULT-VALUE}).")
    double coldWindowSeconds;

    @Option(
            names = "--idle-seconds",
            paramLabel = "S",
            defaultValue = "10",
            description = "Cold start: seconds of idle CPU sampled, of the broker alone and of the streamer with its"
                    + " model loaded (default ${DEFAULT-VALUE}).")
    double idleSeconds;

    @Option(
            names = "--failover-faults",
            split = ",",
            paramLabel = "FAULT",
            defaultValue = "kill,freeze,restart",
            description = "Faults of the failover phase, each on fresh topics (default ${DEFAULT-VALUE}).")
    List<String> failoverFaults;

    @Option(
            names = "--failover-instances",
            paramLabel = "N",
            defaultValue = "3",
            description = "Streamer instances sharing the partitions in the kill and freeze faults"
                    + " (default ${DEFAULT-VALUE}).")
    int failoverInstances;

    @Option(
            names = "--failover-partitions",
            paramLabel = "N",
            defaultValue = "6",
            description = "Partitions of the failover phase's topics (default ${DEFAULT-VALUE}).")
    int failoverPartitions;

    @Option(
            names = "--failover-rate",
            paramLabel = "PER_S",
            defaultValue = "400",
            description = "Input rate throughout the failover phase, windows/s (default ${DEFAULT-VALUE}).")
    double failoverRate;

    @Option(
            names = "--failover-warmup-seconds",
            paramLabel = "S",
            defaultValue = "30",
            description = "Fed before each fault (default ${DEFAULT-VALUE}).")
    double failoverWarmupSeconds;

    @Option(
            names = "--failover-observe-seconds",
            paramLabel = "S",
            defaultValue = "30",
            description = "Fed after each fault, after the SIGCONT for a freeze (default ${DEFAULT-VALUE}).")
    double failoverObserveSeconds;

    @Option(
            names = "--failover-freeze-seconds",
            paramLabel = "S",
            defaultValue = "20",
            description = "How long the frozen instance stays frozen, longer than the session timeout"
                    + " (default ${DEFAULT-VALUE}).")
    double failoverFreezeSeconds;

    @Option(
            names = "--jfr",
            description = "Record the throughput phases with Java Flight Recorder"
                    + " (DIR/logs/*.jfr) and print where their CPU went.")
    boolean jfr;

    @Option(
            names = "--phase-timeout-seconds",
            paramLabel = "S",
            defaultValue = "600",
            description = "Longest a throughput phase may take (default ${DEFAULT-VALUE}).")
    long phaseTimeoutSeconds;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        Set<String> chosen = new LinkedHashSet<>();
        if (phases != null) {
            chosen.addAll(phases);
        } else if (soakMinutes == null) {
            chosen.addAll(Bench.ALL_PHASES);
        }
        if (soakMinutes != null) {
            chosen.add(Bench.PHASE_SOAK);
        }
        Bench.Soak soak = new Bench.Soak(
                seconds(60 * (soakMinutes == null ? 10 : soakMinutes)),
                soakRate,
                seconds(soakSampleSeconds),
                seconds(60 * soakWarmupMinutes));
        TrainingSettingOptions.ReleaseSource source = TrainingSettingOptions.releaseSource(spec);
        Bench.Settings settings = new Bench.Settings(
                source.data(),
                out,
                trainDir,
                source.recipe(),
                source.retrain(),
                Optional.ofNullable(kafka.bootstrapServers()),
                kafka.clientProperties(),
                brokerConfig,
                chosen,
                windows,
                warmupWindows,
                perRecordWindows,
                partitions,
                threads,
                batchSize,
                batchWaitMs,
                commitIntervalMs,
                patients,
                repeat,
                inferenceBatchSizes,
                seconds(inferenceSeconds),
                latencyRates,
                latencyCommitIntervalsMs == null ? List.of(commitIntervalMs) : latencyCommitIntervalsMs,
                seconds(latencyWarmupSeconds),
                seconds(latencySeconds),
                jvmOptions(),
                appConfig,
                jfr,
                Duration.ofSeconds(phaseTimeoutSeconds),
                soak,
                new Bench.ColdStartTimes(seconds(coldWindowSeconds), seconds(idleSeconds), seconds(5)),
                new FailoverBench.Settings(
                        failoverFaults,
                        failoverInstances,
                        failoverPartitions,
                        failoverRate,
                        seconds(failoverWarmupSeconds),
                        seconds(failoverObserveSeconds),
                        seconds(failoverFreezeSeconds)));
        BenchReport report = new Bench(settings, System.out).run();
        System.out.println(report.table());
        return 0;
    }

    private List<String> jvmOptions() {
        if (!childHeap.matches("\\d+[kKmMgG]?")) {
            throw new IllegalArgumentException("--child-heap must be a size like 256m, got '" + childHeap + "'");
        }
        List<String> options = new ArrayList<>(List.of("-Xmx" + childHeap));
        for (String option : childJvmOptions) {
            String o = option.trim();
            options.add(o.startsWith("-") ? o : "-" + o);
        }
        return options;
    }

    private static Duration seconds(double s) {
        if (!(s >= 0)) {
            throw new IllegalArgumentException("a time in seconds must be >= 0, got " + s);
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }

    /** {@code --data}, {@code --recipe} as {@code ./ecg train} declares them, and {@code --retrain}. */
    public static final class ReleaseSourceOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            TrainingSettingOptions.addReleaseSource(command);
            return command;
        }
    }
}
