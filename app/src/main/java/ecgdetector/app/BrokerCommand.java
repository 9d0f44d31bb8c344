package ecgdetector.app;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "broker",
        header = "Run a real single-node Kafka broker on 127.0.0.1 with the project's topics.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs a real single-node Kafka broker (KRaft) inside this process, on",
            "127.0.0.1 only, with the project's topics created. Kafka's console tools,",
            "./ecg train, stream and replay, or any other client can use it: nothing else",
            "to install. Runs until Ctrl-C (or SIGTERM), then stops cleanly.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  ./ecg broker                 # 127.0.0.1:9092, data in out/broker",
            "  ./ecg broker --port 19092 --data-dir /tmp/ecg-kafka --partitions 6"
        })
final class BrokerCommand implements Callable<Integer> {

    private static final String LOCK_FILE = "ecg-broker.lock";
    private static final long DESCRIBE_TIMEOUT_SECONDS = 30;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "9092",
            description = "Client port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            defaultValue = "out/broker",
            description = "Where the broker keeps its data (default ${DEFAULT-VALUE}, under the working"
                    + " folder). Kept on exit: started again on the same folder, the broker"
                    + " finds its topics and records. Delete it to start afresh.")
    Path dataDir;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "" + EcgTopic.DEFAULT_PARTITIONS,
            description = "Partitions of the data topics (heartbeats, its dead-letter topic, alerts,"
                    + " scores) when they are created; existing topics are left as they are"
                    + " (default ${DEFAULT-VALUE}). The models topic always has 1.")
    int partitions;

    @Spec
    CommandSpec spec;

    private volatile Running running;

    @Override
    public Integer call() throws InterruptedException {
        Running broker = prepare();
        // Registered before the broker starts, so Ctrl-C during a slow first start still stops it.
        Thread hook = new Thread(this::stop, "ecg-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PrintWriter err = spec.commandLine().getErr();
            err.println("Starting Kafka broker on " + EmbeddedKafkaBroker.HOST + ":" + port + " ...");
            err.flush();
            broker.start();
            PrintWriter out = spec.commandLine().getOut();
            out.print(banner(broker));
            out.flush();
            broker.awaitClosed();
        } finally {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down: the hook is running, or ran; nothing to remove.
            }
        }
        return 0;
    }

    /**
     * Starts the broker and creates the topics, without waiting: what the command does before it
     * blocks.
     */
    Running start() {
        Running broker = prepare();
        try {
            broker.start();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** The broker of the current or last run; null before one was prepared. */
    Running running() {
        return running;
    }

    /** What Ctrl-C does: stops the broker, once, and says so. Safe from any thread. */
    void stop() {
        Running broker = running;
        if (broker != null && broker.shutDown()) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("Kafka broker stopped; its data stays in " + broker.dataDir() + ".");
            out.flush();
        }
    }

    private Running prepare() {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        Running broker = new Running(
                dir,
                lock(dir),
                EmbeddedKafkaBroker.builder().port(port).dataDir(dir).build(),
                partitions);
        running = broker;
        return broker;
    }

    /**
     * Two brokers on one folder would corrupt it; Kafka would refuse too, but only halfway through
     * starting, with a stack trace.
     */
    private static FileLock lock(Path dir) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        } catch (OverlappingFileLockException e) {
            // Held by this JVM: the same answer as held by another process.
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException("Cannot use " + dir + " as the broker's data folder: " + e, e);
        }
        closeQuietly(channel);
        throw new IllegalStateException(
                "Another broker is using " + dir + "; stop it, or give this one another --data-dir");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing was locked through it.
            }
        }
    }

    static String banner(Running broker) {
        String servers = broker.bootstrapServers();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%nKafka broker (KRaft, one node) running at %s%n", servers));
        s.append(String.format(
                Locale.ROOT, "  data in %s, kept across restarts (delete it to start afresh)%n%n", broker.dataDir()));
        s.append("Topics:").append(System.lineSeparator());
        for (TopicState t : broker.topics()) {
            s.append(String.format(
                    Locale.ROOT,
                    "  %-20s %2d partition%s  %-8s %s%n",
                    t.name(),
                    t.partitions(),
                    t.partitions() == 1 ? " " : "s",
                    t.created() ? "created" : "existing",
                    t.role()));
        }
        s.append(String.format(
                Locale.ROOT,
                "%nTry it from another terminal (Kafka's console tools " + "shown; any Kafka client works):%n"));
        s.append(String.format(Locale.ROOT, "  ./ecg train --bootstrap-servers %s%n", servers));
        s.append(String.format(Locale.ROOT, "  ./ecg stream --bootstrap-servers %s%n", servers));
        s.append(String.format(
                Locale.ROOT,
                "  head -n 1 ecg.csv | kafka-console-producer.sh " + "--bootstrap-server %s --topic %s%n",
                servers,
                EcgTopic.HEARTBEATS.defaultName()));
        s.append(String.format(
                Locale.ROOT,
                "  kafka-console-consumer.sh --bootstrap-server %s "
                        + "--topic %s --from-beginning --isolation-level read_committed%n",
                servers,
                EcgTopic.ALERTS.defaultName()));
        s.append(String.format(
                Locale.ROOT,
                "  ./ecg replay --bootstrap-servers %s --file ecg.csv " + "--rate 100 --patients 10 --loop%n",
                servers));
        s.append(String.format(Locale.ROOT, "%nCtrl-C stops the broker.%n"));
        return s.toString();
    }

    /** One of the project's topics as the broker has it. */
    record TopicState(String name, int partitions, boolean created, String role) {}

    /** A started (or starting) broker with its topics; {@link #close()} stops it. */
    static final class Running implements AutoCloseable {
        private final Path dataDir;
        private final FileLock lock;
        private final EmbeddedKafkaBroker broker;
        private final int partitions;
        private final AtomicBoolean closing = new AtomicBoolean();
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile List<TopicState> topics = List.of();

        Running(Path dataDir, FileLock lock, EmbeddedKafkaBroker broker, int partitions) {
            this.dataDir = dataDir;
            this.lock = lock;
            this.broker = broker;
            this.partitions = partitions;
        }

        void start() {
            broker.start();
            TopicNames names = TopicNames.defaults();
            try (Admin admin = Admin.create(broker.adminProperties())) {
                Set<String> before = admin.listTopics().names().get(DESCRIBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                TopicSetup.createAll(admin, names, partitions);
                Map<String, TopicDescription> described = admin.describeTopics(names.names())
                        .allTopicNames()
                        .get(DESCRIBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                List<TopicState> states = new ArrayList<>();
                for (EcgTopic topic : EcgTopic.values()) {
                    String name = names.name(topic);
                    states.add(new TopicState(
                            name, described.get(name).partitions().size(), !before.contains(name), role(topic)));
                }
                topics = List.copyOf(states);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(
                        "Kafka broker started at "
                                + broker.bootstrapServers()
                                + " but its topics could not be listed: "
                                + e.getMessage(),
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating the topics", e);
            }
        }

        String bootstrapServers() {
            return broker.bootstrapServers();
        }

        int port() {
            return broker.port();
        }

        Path dataDir() {
            return dataDir;
        }

        List<TopicState> topics() {
            return topics;
        }

        boolean isRunning() {
            return broker.isRunning();
        }

        /** Returns once the broker was shut down, from whichever thread did it. */
        void awaitClosed() throws InterruptedException {
            closed.await();
        }

        @Override
        public void close() {
            shutDown();
        }

        /**
         * Stops the broker (its data stays) and frees the data folder. Returns true if this call
         * stopped a running broker; a concurrent call waits until the first is done.
         */
        boolean shutDown() {
            if (!closing.compareAndSet(false, true)) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            }
            boolean wasRunning = broker.isRunning();
            try {
                broker.close();
            } finally {
                try {
                    lock.acquiredBy().close();
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot release " + dataDir.resolve(LOCK_FILE), e);
                } finally {
                    closed.countDown();
                }
            }
            return wasRunning;
        }

        private static String role(EcgTopic topic) {
            return switch (topic) {
                case HEARTBEATS -> "heartbeat windows in: ecg.csv lines or JSON";
                case HEARTBEATS_DLQ -> "unreadable records, with the reason";
                case ALERTS -> "anomalous beats (read_committed)";
                case SCORES -> "every beat's score";
                case ALARMS -> "alarm transitions: episodes, silent feeds, unmonitored patients (read_committed)";
                case MODELS -> "model releases (compacted)";
            };
        }
    }
}
