package ecgdetector.app;

import ecgdetector.app.kafka.HeartbeatProducer;
import ecgdetector.app.replay.FeedReplayer;
import ecgdetector.app.replay.FileLines;
import ecgdetector.app.replay.PatientKeys;
import ecgdetector.schemas.EcgTopic;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "replay",
        header = "Send a CSV or JSON-lines file to the heartbeat topic as a live monitoring feed.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Simulates a ward of heart monitors on any Kafka cluster: sends the lines of",
            "a file (raw ecg.csv rows, or JSON heartbeat windows one a line) to the",
            "heartbeats topic at a steady rate, keyed by patient, patients taken in turn",
            "so that each one's beats stay in order.",
            "",
            "Lines go as they are, bad ones included: rejecting those is the streamer's",
            "job (it dead-letters them). Blank lines and # comments are skipped. Each",
            "record carries a header ecg.replay.source = FILE:LINE. Progress goes to",
            "stderr once a second; Ctrl-C stops, flushes and prints the summary.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  ./ecg replay --bootstrap-servers 127.0.0.1:9092 \\",
            "      --file ../shared/data/ecg.csv",
            "  ./ecg replay --bootstrap-servers 127.0.0.1:9092 --file ecg.csv \\",
            "      --rate 500 --patients 50 --loop",
            "  ./ecg replay --bootstrap-servers broker:9093 \\",
            "      --kafka-config client.properties --file beats.jsonl \\",
            "      --rate 0 --loop --count 100000"
        })
final class ReplayCommand implements Callable<Integer> {

    /** How long Ctrl-C waits for the records in flight to be acknowledged before dropping them. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    @Option(
            names = {"-f", "--file"},
            paramLabel = "PATH",
            required = true,
            description = "Lines to send: ecg.csv rows (140 samples, optional label) or JSON heartbeat "
                    + "windows, one a line; .gz is read as gzip.")
    Path file;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic to send to (default ${DEFAULT-VALUE}).")
    String topic = EcgTopic.HEARTBEATS.defaultName();

    @Option(
            names = "--rate",
            paramLabel = "N",
            defaultValue = "100",
            description = "Records (heartbeat windows) per second, held on average over time; "
                    + "0 = as fast as the cluster takes them (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--patients",
            paramLabel = "N",
            defaultValue = "10",
            description = "Patients to spread the records over, round-robin; keys patient-0001 .. "
                    + "(default ${DEFAULT-VALUE}).")
    int patients;

    @Option(
            names = "--no-keys",
            description = "Send records without a key (the producer spreads them; no per-patient order).")
    boolean noKeys;

    @Option(names = "--loop", description = "Start again from the first line at the end of the file.")
    boolean loop;

    @Option(
            names = "--count",
            paramLabel = "N",
            defaultValue = "0",
            description = "Stop after N records; 0 = no limit (default).")
    long count;

    @Mixin
    KafkaOptions kafka;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No such file: " + file);
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(
                    "--rate must be a number >= 0 (0 = as fast as possible), " + "got " + rate);
        }
        if (!noKeys && patients < 1) {
            throw new IllegalArgumentException("--patients must be at least 1 (or use --no-keys), got " + patients);
        }
        if (count < 0) {
            throw new IllegalArgumentException("--count must be >= 0 (0 = no limit), got " + count);
        }
        String servers = kafka.bootstrapServers();
        if (servers == null) {
            throw new IllegalArgumentException("No Kafka cluster given: use --bootstrap-servers HOST:PORT or set"
                    + " ECG_BOOTSTRAP_SERVERS (./ecg broker runs one at 127.0.0.1:9092)");
        }
        PatientKeys keys = noKeys ? PatientKeys.none() : PatientKeys.of(patients);
        FeedReplayer.Settings settings = new FeedReplayer.Settings(
                topic, rate, keys, loop, count, file.getFileName().toString());
        // Fails in one clear line where the first record would fail after a minute of retries: a cluster that
        // does not answer, a topic that does not exist.
        KafkaProducer<String, String> producer = HeartbeatProducer.open(
                kafka.clientProperties(),
                topic,
                Map.of(ProducerConfig.CLIENT_ID_CONFIG, "ecg-replay"),
                new StringSerializer(),
                new StringSerializer());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        err.println(start(servers, keys));
        err.flush();

        // The JVM ends when the shutdown hook returns, so on Ctrl-C the hook waits for the summary.
        CountDownLatch finished = new CountDownLatch(1);
        FeedReplayer.Result result;
        try {
            result = replayUntilDoneOrStopped(settings, producer, finished, err);
            out.println(summary(result));
            out.flush();
        } finally {
            finished.countDown();
        }
        return check(result);
    }

    /**
     * The replay, with a shutdown hook that turns Ctrl-C into a clean stop. Closes the producer.
     */
    private FeedReplayer.Result replayUntilDoneOrStopped(
            FeedReplayer.Settings settings,
            KafkaProducer<String, String> producer,
            CountDownLatch finished,
            PrintWriter err) {
        AtomicBoolean stopping = new AtomicBoolean();
        try {
            FeedReplayer replayer = new FeedReplayer(producer, settings);
            Thread hook =
                    new Thread(() -> stopAndWait(replayer, producer, stopping, finished, err), "ecg-replay-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            ProgressLine progress = new ProgressLine(err, System.console() != null);
            try {
                return replayer.replay(new FileLines(file), progress);
            } catch (KafkaException | IllegalStateException e) {
                if (!stopping.get()) {
                    throw e;
                }
                // The hook closed the producer under a send or flush that was stuck; the counts
                // stand.
                return new FeedReplayer.Result(replayer.progress(), FeedReplayer.Ending.STOPPED);
            } finally {
                progress.end();
                removeQuietly(hook);
            }
        } finally {
            producer.close(STOP_GRACE);
        }
    }

    private int check(FeedReplayer.Result result) {
        FeedReplayer.Progress p = result.progress();
        switch (result.ending()) {
            case NOTHING_TO_SEND:
                throw new IllegalArgumentException(file + " holds no records (only blank or # lines)");
            case DELIVERY_FAILED:
                Exception error = p.firstError();
                throw new IllegalStateException(p.failed()
                        + " record(s) not delivered to "
                        + topic
                        + ": "
                        + (error.getMessage() != null
                                ? error.getMessage()
                                : error.getClass().getSimpleName()));
            default:
                return 0;
        }
    }

    /**
     * Ctrl-C: stop sending and let what is in flight be acknowledged. A producer still stuck after
     * {@link #STOP_GRACE} (a broker that went away) is closed under the replay, which then ends
     * with those records counted as failed, and the summary is still printed.
     */
    private static void stopAndWait(
            FeedReplayer replayer,
            KafkaProducer<String, String> producer,
            AtomicBoolean stopping,
            CountDownLatch finished,
            PrintWriter err) {
        stopping.set(true);
        replayer.stop();
        try {
            if (finished.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            err.println("ecg replay: records in flight not acknowledged within "
                    + STOP_GRACE.toSeconds()
                    + " s; dropping them");
            err.flush();
            producer.close(Duration.ZERO);
            if (!finished.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                err.println("ecg replay: the replay did not end; exiting without a summary");
                err.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down, and the hook is what is running; nothing to remove.
        }
    }

    private String start(String servers, PatientKeys keys) {
        String pace = rate == 0 ? "as fast as possible" : String.format(Locale.ROOT, "%s records/s", number(rate));
        String keyText = keys.patients() == 0
                ? "without keys"
                : String.format(
                        Locale.ROOT,
                        "over %d patient%s (%s)",
                        keys.patients(),
                        keys.patients() == 1 ? "" : "s",
                        keys.describe());
        String until = count > 0 ? String.format(Locale.ROOT, ", %,d records", count) : "";
        return String.format(
                Locale.ROOT,
                "Replaying %s to %s on %s, %s, %s%s%s. Ctrl-C stops.",
                file,
                topic,
                servers,
                pace,
                keyText,
                loop ? ", looping" : "",
                until);
    }

    String summary(FeedReplayer.Result result) {
        FeedReplayer.Progress p = result.progress();
        String ending = switch (result.ending()) {
            case END_OF_LINES -> "end of file";
            case COUNT_REACHED -> "--count reached";
            case STOPPED -> "stopped";
            case DELIVERY_FAILED -> "delivery failed";
            case NOTHING_TO_SEND -> "nothing to send";
        };
        return String.format(
                Locale.ROOT,
                "Sent %,d records to %s in %.1f s (%.1f/s; %,d CSV, %,d JSON; %d pass%s): %,d"
                        + " acknowledged, %,d failed, %,d blank/comment lines skipped; %s.",
                p.sent(),
                topic,
                p.elapsedSeconds(),
                p.acknowledgedPerSecond(),
                p.csvLines(),
                p.jsonLines(),
                p.pass(),
                p.pass() == 1 ? "" : "es",
                p.acknowledged(),
                p.failed(),
                p.skipped(),
                ending);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    /**
     * Progress on stderr: rewritten in place on a terminal, a line at a time otherwise (logs, CI),
     * never more often than the replayer calls, once a second.
     */
    static final class ProgressLine implements FeedReplayer.Listener {
        private final PrintWriter err;
        private final boolean inPlace;
        private long lastSent;
        private long lastNanos;
        private int lastLength;

        ProgressLine(PrintWriter err, boolean inPlace) {
            this.err = err;
            this.inPlace = inPlace;
        }

        @Override
        public void progress(FeedReplayer.Progress p) {
            double recent = (p.sent() - lastSent) * 1e9 / Math.max(1, p.elapsedNanos() - lastNanos);
            lastSent = p.sent();
            lastNanos = p.elapsedNanos();
            String line = String.format(
                    Locale.ROOT,
                    "replay: %,d sent, %,d acknowledged, %,d failed, %.1f/s now, %.0f s in",
                    p.sent(),
                    p.acknowledged(),
                    p.failed(),
                    recent,
                    p.elapsedSeconds());
            if (inPlace) {
                err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
                lastLength = line.length();
            } else {
                err.println(line);
            }
            err.flush();
        }

        void end() {
            if (inPlace && lastLength > 0) {
                err.println();
                err.flush();
            }
        }
    }
}
