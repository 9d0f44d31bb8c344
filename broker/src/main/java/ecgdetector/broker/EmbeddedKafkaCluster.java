package ecgdetector.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A production-shaped Kafka cluster on {@value EmbeddedKafkaBroker#HOST}: three (or more) KRaft nodes, each a
 * broker and a controller, all of them voters of one quorum (a majority keeps the cluster available, so one node
 * may be lost), every topic replicated three times with {@code min.insync.replicas=2} ({@link BrokerSetting}).
 * Each node runs in a JVM of its own ({@link ClusterNode}), so that {@link #kill(int)} is a real SIGKILL of one
 * broker while the others run on; {@link #start(int)} brings it back on its data folder and ports.
 *
 * <p>Its JVMs take this JVM's class path; their logs go to {@code node-ID.log} in the data folder.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final int nodes;
    private final Path requestedDataDir;
    private final Map<String, String> overrides;
    /** Each node's JVM options unless its builder is told others. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx320m");

    private final List<String> jvmOptions;
    private final Duration startupTimeout;

    private final SortedMap<Integer, Integer> ports = new TreeMap<>();
    private final SortedMap<Integer, Integer> controllerPorts = new TreeMap<>();
    private final Map<Integer, Process> running = new TreeMap<>();
    private Path dataDir;
    private boolean ownsDataDir;
    private String clusterId;

    private EmbeddedKafkaCluster(Builder builder) {
        this.nodes = builder.nodes;
        this.requestedDataDir = builder.dataDir;
        this.overrides = Map.copyOf(builder.overrides);
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.startupTimeout = builder.startupTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts every node, each in its JVM, and returns once the cluster answers with all of them registered. */
    public synchronized EmbeddedKafkaCluster start() {
        if (dataDir != null) {
            throw new IllegalStateException("the cluster was started already; start(node) brings one node back");
        }
        try {
            dataDir = requestedDataDir == null
                    ? Files.createTempDirectory("ecg-kafka-cluster-")
                    : Files.createDirectories(requestedDataDir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's data folder: " + e.getMessage(), e);
        }
        ownsDataDir = requestedDataDir == null;
        clusterId = Uuid.randomUuid().toString();
        choosePorts();
        long begin = System.nanoTime();
        for (int node : ports.keySet()) {
            spawn(node);
        }
        for (int node : ports.keySet()) {
            awaitNodeReady(node);
        }
        awaitRegistered(nodes);
        log.info(
                "Kafka cluster {} of {} nodes running at {} after {} ms (data in {})",
                clusterId,
                nodes,
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
                dataDir);
        return this;
    }

    /** The node ids, 1 to the node count. */
    public List<Integer> nodeIds() {
        return List.copyOf(ports.keySet());
    }

    /** Every node's client address, comma-separated, as a client's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return ports.values().stream()
                .map(port -> EmbeddedKafkaBroker.HOST + ":" + port)
                .collect(Collectors.joining(","));
    }

    public int port(int node) {
        return ports.get(node);
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The log of a node's JVM. */
    public Path log(int node) {
        return dataDir.resolve("node-" + node + ".log");
    }

    public synchronized boolean isRunning(int node) {
        Process p = running.get(node);
        return p != null && p.isAlive();
    }

    /** SIGKILL of one node's JVM: no controlled shutdown, the others learn of it from its missing heartbeats. */
    public synchronized void kill(int node) throws InterruptedException {
        Process p = running.remove(node);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            log.info("Killed Kafka node {} (SIGKILL)", node);
        }
    }

    /** SIGTERM of one node's JVM: a controlled shutdown, its leaderships handed over first. */
    public synchronized void stop(int node) throws InterruptedException {
        Process p = running.remove(node);
        if (p != null) {
            p.destroy();
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts a node that was killed or stopped, on its data folder and ports; returns once it answers. */
    public synchronized void start(int node) {
        if (isRunning(node)) {
            return;
        }
        spawn(node);
        awaitNodeReady(node);
    }

    /** The properties a client needs to reach the cluster. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Client properties plus timeouts short enough that an admin call fails promptly. */
    public Properties adminProperties() {
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ADMIN_TIMEOUT.toMillis()));
        return props;
    }

    /** Creates the topics that do not exist yet (replicated as the cluster's defaults say) and awaits leaders. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(adminProperties())) {
            Topics.createIfAbsent(admin, topics, ADMIN_TIMEOUT);
        }
    }

    /**
     * Stops every node and, if this object created the data folder, deletes it. All at once: one by one, the last
     * nodes would wait for a controller quorum that has gone, for as long as a controlled shutdown may take.
     */
    @Override
    public synchronized void close() {
        running.values().forEach(Process::destroy);
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        for (Process p : running.values()) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        running.clear();
        if (ownsDataDir && dataDir != null) {
            deleteRecursively(dataDir);
        }
    }

    private void choosePorts() {
        // Every socket stays open until every port is known, so no two picks coincide.
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * nodes; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getByName(EmbeddedKafkaBroker.HOST)));
            }
            for (int node = 1; node <= nodes; node++) {
                ports.put(node, sockets.get(2 * (node - 1)).getLocalPort());
                controllerPorts.put(node, sockets.get(2 * (node - 1) + 1).getLocalPort());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports on " + EmbeddedKafkaBroker.HOST, e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // Only the port number was wanted.
                }
            }
        }
    }

    private void spawn(int node) {
        try {
            Files.deleteIfExists(readyFile(node));
            Path config = dataDir.resolve("node-" + node + ".properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                nodeProperties(node).store(out, "Kafka node " + node + " of cluster " + clusterId);
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of(
                    "-cp", System.getProperty("java.class.path"), ClusterNode.class.getName(), config.toString()));
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(node).toFile()))
                    .start();
            running.put(node, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka node " + node + ": " + e.getMessage(), e);
        }
    }

    private Properties nodeProperties(int node) {
        Properties p = new Properties();
        p.put(ClusterNode.NODE_ID, String.valueOf(node));
        p.put(ClusterNode.PORT, String.valueOf(ports.get(node)));
        p.put(ClusterNode.CONTROLLER_PORT, String.valueOf(controllerPorts.get(node)));
        p.put(ClusterNode.DATA_DIR, dataDir.resolve("node-" + node).toString());
        p.put(ClusterNode.CLUSTER_ID, clusterId);
        p.put(ClusterNode.READY_FILE, readyFile(node).toString());
        controllerPorts.forEach((id, port) -> p.put(ClusterNode.VOTER_PREFIX + id, String.valueOf(port)));
        overrides.forEach((key, value) -> p.put(ClusterNode.BROKER_PREFIX + key, value));
        return p;
    }

    private Path readyFile(int node) {
        return dataDir.resolve("node-" + node + ".ready");
    }

    private void awaitNodeReady(int node) {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Process p = running.get(node);
        while (!Files.exists(readyFile(node))) {
            if (!p.isAlive()) {
                throw new IllegalStateException("Kafka node " + node + " exited with " + p.exitValue()
                        + " before it was ready; its log: " + log(node) + "\n" + tail(node));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka node " + node + " was not ready within " + startupTimeout
                        + "; its log: " + log(node) + "\n" + tail(node));
            }
            sleep(100);
        }
    }

    /** Until the cluster's metadata lists {@code count} brokers. */
    private void awaitRegistered(int count) {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(adminProperties())) {
            while (System.nanoTime() < deadline) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                sleep(200);
            }
        }
        throw new IllegalStateException("the cluster at " + bootstrapServers() + " did not list " + count
                + " brokers within " + startupTimeout + (last == null ? "" : ": " + last));
    }

    private String tail(int node) {
        try {
            String text = Files.readString(log(node), StandardCharsets.UTF_8);
            return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("Could not delete the cluster's data folder {}; delete it by hand", root, e);
        }
    }

    /** Settings for an {@link EmbeddedKafkaCluster}; every one has a usable default. */
    public static final class Builder {
        private int nodes = 3;
        private Path dataDir;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>(DEFAULT_JVM_OPTIONS);
        private Duration startupTimeout = Duration.ofSeconds(120);

        private Builder() {}

        /** How many nodes (3 unless told): each a broker and a voting controller. At least 3. */
        public Builder nodes(int nodes) {
            if (nodes < 3) {
                throw new IllegalArgumentException("a cluster that survives the loss of a node needs 3, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** Where the nodes keep their data; without one, a temporary folder deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** One broker setting of every node, over its defaults (see {@link EmbeddedKafkaBroker.Builder}). */
        public Builder brokerProperty(String key, Object value) {
            if (EmbeddedKafkaBroker.RESERVED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("broker setting '" + key + "' is the cluster's to set");
            }
            overrides.put(key, value.toString());
            return this;
        }

        /** The JVM options of each node ({@link #DEFAULT_JVM_OPTIONS} unless told). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public EmbeddedKafkaCluster build() {
            return new EmbeddedKafkaCluster(this);
        }
    }
}
