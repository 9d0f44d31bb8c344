package ecgdetector.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * One node of an {@link EmbeddedKafkaCluster}, in a JVM of its own so that it can be killed on its own:
 * {@code ClusterNode FILE}, where FILE holds its node id, ports, data folder, the cluster id, every node's
 * controller port and any broker settings over the defaults (written by {@link EmbeddedKafkaCluster}). It formats
 * its storage on first use, starts, writes {@code node-ID.ready} in the cluster's folder once it answers clients,
 * and runs until SIGTERM, when it shuts down cleanly (its data stays).
 */
public final class ClusterNode {

    static final String NODE_ID = "node.id";
    static final String PORT = "port";
    static final String CONTROLLER_PORT = "controller.port";
    static final String DATA_DIR = "data.dir";
    static final String CLUSTER_ID = "cluster.id";
    static final String READY_FILE = "ready.file";
    /** {@code voter.ID=CONTROLLER_PORT}, one per node. */
    static final String VOTER_PREFIX = "voter.";
    /** {@code broker.KEY=VALUE}: a broker setting over the node's defaults. */
    static final String BROKER_PREFIX = "broker.";

    private ClusterNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ClusterNode FILE");
            System.exit(2);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        EmbeddedKafkaBroker broker = broker(p);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            broker.stop();
                            stopped.countDown();
                        },
                        "cluster-node-shutdown"));
        broker.start();
        Files.writeString(Path.of(p.getProperty(READY_FILE)), broker.bootstrapServers());
        stopped.await();
    }

    static EmbeddedKafkaBroker broker(Properties p) throws IOException {
        int nodeId = Integer.parseInt(p.getProperty(NODE_ID));
        TreeMap<Integer, Integer> voters = new TreeMap<>();
        Map<String, String> settings = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(VOTER_PREFIX)) {
                voters.put(
                        Integer.parseInt(key.substring(VOTER_PREFIX.length())), Integer.parseInt(p.getProperty(key)));
            } else if (key.startsWith(BROKER_PREFIX)) {
                settings.put(key.substring(BROKER_PREFIX.length()), p.getProperty(key));
            }
        }
        return EmbeddedKafkaBroker.builder()
                .port(Integer.parseInt(p.getProperty(PORT)))
                .controllerPort(Integer.parseInt(p.getProperty(CONTROLLER_PORT)))
                .dataDir(Path.of(p.getProperty(DATA_DIR)))
                .membership(new EmbeddedKafkaBroker.Membership(nodeId, voters, p.getProperty(CLUSTER_ID)))
                .brokerProperties(settings)
                .build();
    }
}
