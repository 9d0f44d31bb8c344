package ecgdetector.broker;

import ecgdetector.schemas.EcgTopic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) running inside this JVM and
 * listening on {@value #HOST} only; or, given a {@link Membership}, one node of a cluster of several
 * ({@link EmbeddedKafkaCluster} runs each in a JVM of its own). Either way it runs with the
 * {@link BrokerSetting}s the streamer's failover depends on.
 *
 * <p>Lifecycle: {@link #start()} formats the data folder on first use and returns once the broker answers
 * clients; {@link #stop()} shuts it down but keeps its data and ports, so a later {@link #start()} brings
 * back the same broker at the same address; {@link #close()} stops it for good and deletes the data folder
 * if this object created it.
 *
 * <p>This class leaves {@link org.apache.kafka.common.utils.Exit} alone: a broker that hits a fatal error
 * ends the JVM, which is what a process serving as a broker should do. Tests that share a JVM with the broker
 * override the exit procedures themselves (the test-jar's {@code KafkaBrokerExtension} does).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    /** The port {@code ./ecg broker} listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 9092;
    /** The largest record the broker takes: a model release on the models topic, as the contract sizes it. */
    public static final int MAX_MESSAGE_BYTES = EcgTopic.MODELS_MAX_MESSAGE_BYTES;

    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /** Settings this class derives from the builder; overriding them would break {@link #bootstrapServers()}. */
    static final Set<String> RESERVED_PROPERTIES = Set.of(
            "process.roles",
            "node.id",
            "listeners",
            "advertised.listeners",
            "controller.listener.names",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "inter.broker.listener.name",
            "listener.security.protocol.map",
            "log.dirs",
            "log.dir",
            "metadata.log.dir");

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String LOG_DIR_NAME = "kafka-logs";
    private static final String META_PROPERTIES = "meta.properties";
    /** Only ports we picked ourselves can be re-picked after another process grabbed them first. */
    private static final int FREE_PORT_ATTEMPTS = 3;

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private enum State {
        NEW,
        RUNNING,
        STOPPED,
        CLOSED
    }

    private final int requestedPort;
    private final int requestedControllerPort;
    private final Path requestedDataDir;
    private final Map<String, String> overrides;
    private final Duration startupTimeout;
    private final Sasl sasl;
    private final Membership membership;

    private State state = State.NEW;
    private int port;
    private int controllerPort;
    private Path dataDir;
    private boolean ownsDataDir;
    private String clusterId;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Builder builder) {
        this.requestedPort = builder.port;
        this.requestedControllerPort = builder.controllerPort;
        this.requestedDataDir = builder.dataDir;
        this.overrides = Map.copyOf(builder.overrides);
        this.startupTimeout = builder.startupTimeout;
        this.sasl = builder.sasl;
        this.membership = builder.membership;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the broker, formatting its storage first if the data folder has never held a broker. Returns
     * once the broker answers an admin request; does nothing if it is already running.
     *
     * @throws IllegalStateException if the broker was closed, a requested port is taken, or the broker does
     *                               not come up within the startup timeout
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("Kafka broker was closed; build a new one");
        }
        if (state == State.RUNNING) {
            return this;
        }
        long begin = System.nanoTime();
        prepareDataDir();
        boolean firstStart = state == State.NEW;
        for (int attempt = 1; ; attempt++) {
            if (firstStart) {
                choosePorts();
            }
            try {
                startServer();
                break;
            } catch (PortTakenException e) {
                // A port picked at random can be grabbed by another process between picking and binding; a
                // port the caller asked for, or one clients already know from an earlier start, cannot move.
                boolean picked = firstStart
                        && (requestedPort == 0 || e.port != requestedPort)
                        && (requestedControllerPort == 0 || e.port != requestedControllerPort);
                if (!picked || attempt == FREE_PORT_ATTEMPTS) {
                    throw new IllegalStateException(
                            "Cannot start Kafka broker: " + HOST + ":" + e.port
                                    + " is already in use; stop whatever listens there or choose another port",
                            e.getCause());
                }
                log.warn(
                        "Port {} was taken before the Kafka broker could bind it; retrying with other free ports",
                        e.port);
            }
        }
        state = State.RUNNING;
        log.info(
                "Kafka broker running at {} (controller port {}, cluster {}, data {}) after {} ms",
                bootstrapServers(),
                controllerPort,
                clusterId,
                dataDir,
                millisSince(begin));
        return this;
    }

    /**
     * Shuts the broker down, keeping its data folder and its ports, so {@link #start()} brings the same broker
     * back at the same address. Does nothing unless it is running.
     */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        long begin = System.nanoTime();
        KafkaRaftServer stopping = server;
        server = null;
        state = State.STOPPED;
        stopping.shutdown();
        stopping.awaitShutdown();
        log.info(
                "Kafka broker at {} stopped after {} ms (data in {})", bootstrapServers(), millisSince(begin), dataDir);
    }

    /**
     * A broker restart as its clients see it: {@link #stop()}, then {@link #start()} on the same data folder,
     * ports, node id and cluster id, so topics, records, committed offsets and transactions survive.
     */
    public synchronized EmbeddedKafkaBroker restart() {
        stop();
        return start();
    }

    /** Stops the broker and, if it created its data folder itself, deletes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            stop();
        } finally {
            state = State.CLOSED;
            if (ownsDataDir && dataDir != null) {
                deleteRecursively(dataDir);
                log.debug("Deleted temporary Kafka data folder {}", dataDir);
            }
        }
    }

    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /** {@code 127.0.0.1:PORT}; known from the first {@link #start()} on and stable across restarts. */
    public synchronized String bootstrapServers() {
        return HOST + ":" + port();
    }

    public synchronized int port() {
        requireStartedOnce();
        return port;
    }

    public synchronized int controllerPort() {
        requireStartedOnce();
        return controllerPort;
    }

    /** The folder holding this broker's storage (its Kafka log dir is the {@code kafka-logs} folder inside). */
    public synchronized Path dataDir() {
        requireStartedOnce();
        return dataDir;
    }

    public synchronized String clusterId() {
        requireStartedOnce();
        return clusterId;
    }

    /**
     * A fresh copy of the properties every client needs to reach this broker; with SASL on, they log in as the
     * {@linkplain Sasl#superUser() super user}.
     */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (sasl != null) {
            props.putAll(sasl.clientProperties(sasl.superUser(), sasl.users().get(sasl.superUser())));
        }
        return props;
    }

    /** The SASL settings, if this broker requires SASL; empty for a PLAINTEXT broker. */
    public Optional<Sasl> sasl() {
        return Optional.ofNullable(sasl);
    }

    /** Client properties plus timeouts short enough that an admin call on a dead broker fails promptly. */
    public Properties adminProperties() {
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ADMIN_TIMEOUT.toMillis()));
        return props;
    }

    /** Creates a topic with replication factor 1 unless it already exists (then it is left as it is). */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs)));
    }

    /** Creates the topics that do not exist yet and waits until every partition has a leader. */
    public void createTopics(Collection<NewTopic> topics) {
        if (!isRunning()) {
            throw new IllegalStateException("Kafka broker is not running; start it before creating topics");
        }
        try (Admin admin = Admin.create(adminProperties())) {
            Topics.createIfAbsent(admin, topics, ADMIN_TIMEOUT);
        }
    }

    /** The settings the broker runs with, overrides included. */
    synchronized Properties brokerProperties() {
        requireStartedOnce();
        Properties props = new Properties();
        String logDir = dataDir.resolve(LOG_DIR_NAME).toAbsolutePath().toString();

        String listener = sasl == null ? "PLAINTEXT" : Sasl.LISTENER;
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(membership == null ? NODE_ID : membership.nodeId()));
        props.put(
                "controller.quorum.voters",
                membership == null ? NODE_ID + "@" + HOST + ":" + controllerPort : membership.voters());
        props.put("listeners", listener + "://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", listener + "://" + HOST + ":" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", listener);
        props.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir);
        if (sasl != null) {
            props.putAll(sasl.brokerProperties());
        }

        // One node: internal topics must not ask for more replicas than exist, or transactions and consumer
        // groups wait forever on INVALID_REPLICATION_FACTOR.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // With the default 50 partitions each, the first transaction and the first group commit took about
        // half a second longer here, for nothing on a single node.
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.num.partitions", "5");
        for (BrokerSetting setting : BrokerSetting.values()) {
            if (setting.scope() == BrokerSetting.Scope.ANY || membership != null) {
                props.put(setting.key(), setting.value());
            }
        }

        // Consumers join at once instead of waiting for more members that never come.
        props.put("group.initial.rebalance.delay.ms", "0");
        // A typo in a topic name must fail, not silently create an empty topic.
        props.put("auto.create.topics.enable", "false");
        props.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        props.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));

        // Compaction soon after a segment closes, so a compacted topic shows it within a test's patience;
        // the 128 MiB default dedupe buffer is heap wasted in a test JVM.
        props.put("log.cleaner.backoff.ms", "100");
        props.put("log.cleaner.min.cleanable.ratio", "0.01");
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));

        props.putAll(overrides);
        return props;
    }

    private void startServer() {
        Properties props = brokerProperties();
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        Path logDir = dataDir.resolve(LOG_DIR_NAME);
        if (Files.exists(logDir.resolve(META_PROPERTIES))) {
            clusterId = readClusterId(logDir);
        } else {
            clusterId = format(props);
        }
        // Kafka halts the JVM when its controller cannot bind, so a taken port must be caught before startup,
        // as late as possible.
        requireFree(port);
        requireFree(controllerPort);
        KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            starting.startup();
            awaitReady();
        } catch (RuntimeException e) {
            shutdownQuietly(starting);
            throw e;
        }
        server = starting;
    }

    /** Formats the log dir for a new cluster (of one node, or the membership's) and returns its cluster id. */
    private String format(Properties props) {
        String newClusterId = membership == null ? Uuid.randomUuid().toString() : membership.clusterId();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        Path configFile = null;
        try {
            // The format tool reads its settings from a file only.
            configFile = Files.createTempFile("ecg-kafka-format-", ".properties");
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "Written for kafka-storage format; deleted afterwards");
            }
            List<String> args = new ArrayList<>(List.of("format", "-t", newClusterId, "-c", configFile.toString()));
            if (sasl != null) {
                args.addAll(sasl.formatArguments());
            }
            try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exitCode = StorageTool.execute(args.toArray(String[]::new), printStream);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the config file for formatting " + dataDir, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Formatting Kafka storage in " + dataDir + " failed: "
                            + output.toString(StandardCharsets.UTF_8).trim(),
                    e);
        } finally {
            deleteQuietly(configFile);
        }
        String printed = output.toString(StandardCharsets.UTF_8).trim();
        if (exitCode != 0) {
            throw new IllegalStateException(
                    "Formatting Kafka storage in " + dataDir + " failed (exit code " + exitCode + "): " + printed);
        }
        log.info("Formatted Kafka storage in {} for new cluster {}", dataDir, newClusterId);
        log.debug("kafka-storage format said: {}", printed);
        return newClusterId;
    }

    /** Ready means ready for clients, so the test is the one a client would make: an answered request. */
    private void awaitReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Properties props = clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        Exception last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    int nodes = admin.describeCluster()
                            .nodes()
                            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS)
                            .size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker to start", e);
        }
        throw new IllegalStateException(
                "Kafka broker at " + bootstrapServers() + " did not answer within " + startupTimeout, last);
    }

    private void prepareDataDir() {
        if (dataDir != null) {
            return;
        }
        try {
            if (requestedDataDir == null) {
                dataDir = Files.createTempDirectory("ecg-kafka-");
                ownsDataDir = true;
            } else {
                dataDir = Files.createDirectories(requestedDataDir.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Kafka data folder " + requestedDataDir, e);
        }
    }

    private void choosePorts() {
        // Both sockets stay open until both ports are known, so the two picks cannot coincide.
        try (ServerSocket brokerSocket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                ServerSocket controllerSocket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            port = requestedPort != 0 ? requestedPort : brokerSocket.getLocalPort();
            controllerPort = requestedControllerPort != 0 ? requestedControllerPort : controllerSocket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
        }
        if (port == controllerPort) {
            throw new IllegalStateException("Broker and controller ports coincide: " + port);
        }
    }

    private static void requireFree(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
        } catch (IOException e) {
            throw new PortTakenException(port, e);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer failed) {
        try {
            failed.shutdown();
        } catch (RuntimeException e) {
            log.debug("Ignoring error while shutting down a Kafka broker that failed to start", e);
        }
    }

    private static String readClusterId(Path logDir) {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(logDir.resolve(META_PROPERTIES))) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + logDir.resolve(META_PROPERTIES), e);
        }
        return meta.getProperty("cluster.id");
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("Could not delete {}", file, e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("Could not delete Kafka data folder {}; delete it by hand", root, e);
        }
    }

    private void requireStartedOnce() {
        if (dataDir == null || port == 0) {
            throw new IllegalStateException("Kafka broker has not been started yet");
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static long millisSince(long beginNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beginNanos);
    }

    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int port;

        PortTakenException(int port, Throwable cause) {
            super(cause);
            this.port = port;
        }
    }

    /**
     * A broker that trusts nobody by default: the client listener requires SASL/SCRAM and the standard KRaft
     * authorizer denies every operation no ACL allows ({@code allow.everyone.if.no.acl.found=false}).
     *
     * <p>The SCRAM users are written into the cluster's metadata when its storage is formatted, so they exist
     * before the broker's own inter-broker client logs in (as the super user). A data folder formatted
     * earlier keeps the users it was formatted with. The controller listener stays PLAINTEXT on
     * {@value #HOST}: the node talks to itself there, as {@code User:ANONYMOUS}, which is therefore a super
     * user too; clients are only told about the SASL listener.
     *
     * @param mechanism {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
     * @param superUser the user the broker itself and {@link #clientProperties()} log in as; must be in
     *                  {@code users}
     * @param users     user name to password
     */
    public record Sasl(String mechanism, String superUser, Map<String, String> users) {

        /** The client listener's name, which is also its security protocol. */
        public static final String LISTENER = "SASL_PLAINTEXT";

        static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512");

        public Sasl {
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(superUser, "superUser");
            if (!MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException(
                        "SASL mechanism must be one of " + MECHANISMS + ", got " + mechanism);
            }
            users = Map.copyOf(new LinkedHashMap<>(users));
            if (!users.containsKey(superUser)) {
                throw new IllegalArgumentException("the super user '" + superUser + "' needs a password in users");
            }
            users.forEach((user, password) -> {
                // Both end up inside a JAAS line and a format argument, where these characters would split them.
                if (!user.matches("[A-Za-z0-9._-]+")
                        || password.isEmpty()
                        || password.matches(".*[\\s\"\\\\,\\]=;].*")) {
                    throw new IllegalArgumentException("SCRAM user '" + user + "' needs a name of letters, digits, "
                            + "'.', '_' or '-' and a non-empty password without spaces, quotes, ',', ']', '=' or ';'");
                }
            });
        }

        /** SCRAM-SHA-256 with a super user {@code admin} and the given other users. */
        public static Sasl scram(String adminPassword, Map<String, String> otherUsers) {
            Map<String, String> users = new LinkedHashMap<>(otherUsers);
            users.put("admin", adminPassword);
            return new Sasl("SCRAM-SHA-256", "admin", users);
        }

        /** The Kafka principal of a user, as ACLs name it. */
        public static String principal(String user) {
            return "User:" + user;
        }

        /** The client properties that log in as {@code user}: exactly what a user of any Kafka client sets. */
        public Properties clientProperties(String user, String password) {
            Properties props = new Properties();
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, LISTENER);
            props.put("sasl.mechanism", mechanism);
            props.put("sasl.jaas.config", jaasConfig(user, password));
            return props;
        }

        /** {@code org.apache.kafka.common.security.scram.ScramLoginModule required username=... password=...;} */
        public static String jaasConfig(String user, String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                    + "\" password=\"" + password + "\";";
        }

        Map<String, String> brokerProperties() {
            String prefix = "listener.name." + LISTENER.toLowerCase(java.util.Locale.ROOT) + "."
                    + mechanism.toLowerCase(java.util.Locale.ROOT) + ".";
            Map<String, String> props = new LinkedHashMap<>();
            props.put("sasl.enabled.mechanisms", mechanism);
            props.put("sasl.mechanism.inter.broker.protocol", mechanism);
            props.put(prefix + "sasl.jaas.config", jaasConfig(superUser, users.get(superUser)));
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.put("allow.everyone.if.no.acl.found", "false");
            props.put("super.users", principal(superUser) + ";" + principal("ANONYMOUS"));
            return props;
        }

        List<String> formatArguments() {
            List<String> args = new ArrayList<>();
            users.forEach((user, password) -> {
                args.add("--add-scram");
                args.add(mechanism + "=[name=" + user + ",password=" + password + "]");
            });
            return args;
        }

        @Override
        public String toString() {
            return "Sasl[" + mechanism + ", super user " + superUser + ", users " + users.keySet() + "]";
        }
    }

    /**
     * This node's place in a cluster of several ({@link EmbeddedKafkaCluster}): its node id, every node's
     * controller port (each node is a broker and a controller, and all of them vote), and the cluster id all of
     * them are formatted with. The replication settings of {@link BrokerSetting.Scope#REPLICATED} apply.
     */
    public record Membership(int nodeId, java.util.SortedMap<Integer, Integer> controllerPorts, String clusterId) {
        public Membership {
            controllerPorts = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(controllerPorts));
            if (!controllerPorts.containsKey(nodeId)) {
                throw new IllegalArgumentException("node " + nodeId + " is not among the voters " + controllerPorts);
            }
        }

        /** {@code controller.quorum.voters}: {@code 1@127.0.0.1:PORT,2@...}. */
        String voters() {
            StringBuilder out = new StringBuilder();
            controllerPorts.forEach((id, port) -> out.append(out.length() == 0 ? "" : ",")
                    .append(id)
                    .append('@')
                    .append(HOST)
                    .append(':')
                    .append(port));
            return out.toString();
        }
    }

    /** Settings for an {@link EmbeddedKafkaBroker}; every one has a usable default. */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path dataDir;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private Sasl sasl;
        private Membership membership;

        private Builder() {}

        /**
         * Makes this broker one node of a cluster of several (see {@link Membership}) instead of a cluster of its
         * own; its port and controller port must then be given, as the other nodes know them.
         */
        public Builder membership(Membership membership) {
            this.membership = Objects.requireNonNull(membership, "membership");
            return this;
        }

        /** The client port; 0 (the default) picks a free one at the first start. */
        public Builder port(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** The KRaft controller port; 0 (the default) picks a free one at the first start. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort, "controllerPort");
            return this;
        }

        /**
         * Where the broker keeps its data. A given folder is kept on close and a broker started on it again
         * finds its topics and records; without one, a temporary folder is used and deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Overrides one broker setting; listeners, node id and log dirs are set from the other options. */
        public Builder brokerProperty(String key, Object value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (RESERVED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("Broker setting '" + key
                        + "' is derived from port, controllerPort and dataDir; set those instead");
            }
            overrides.put(key, value.toString());
            return this;
        }

        public Builder brokerProperties(Map<String, ?> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive, got " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Requires SASL on the client listener and turns on ACLs; see {@link Sasl}. Without it (the default)
         * the broker is PLAINTEXT and lets every client do everything.
         */
        public Builder sasl(Sasl sasl) {
            this.sasl = Objects.requireNonNull(sasl, "sasl");
            return this;
        }

        public EmbeddedKafkaBroker build() {
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("port and controllerPort must differ, both are " + port);
            }
            if (membership != null
                    && (port == 0 || membership.controllerPorts().get(membership.nodeId()) != controllerPort)) {
                throw new IllegalArgumentException(
                        "a cluster node needs its port, and its controller port as the" + " membership gives it");
            }
            return new EmbeddedKafkaBroker(this);
        }

        private static int checkPort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be between 0 and 65535, got " + port);
            }
            return port;
        }
    }
}
