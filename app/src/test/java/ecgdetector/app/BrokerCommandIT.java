package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./ecg broker}: a broker of its own per test, on a free port and a temporary folder. */
class BrokerCommandIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void keepKafkaFromEndingTheTestJvm() {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("Kafka asked to exit with " + status + ": " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("Kafka asked to halt with " + status + ": " + message);
        });
    }

    @AfterAll
    static void restoreExit() {
        Exit.resetExitProcedure();
        Exit.resetHaltProcedure();
    }

    @AfterEach
    void stopExecutor() {
        executor.shutdownNow();
    }

    private CommandLine cli() {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    @Test
    void runsUntilStoppedWithTheProjectTopicsAndKeepsThemAcrossRestarts() throws Exception {
        CommandLine cli = cli();
        BrokerCommand command = cli.getSubcommands().get("broker").getCommand();
        Future<Integer> exit = executor.submit(
                () -> cli.execute("broker", "--port", "0", "--data-dir", dataDir.toString(), "--partitions", "2"));
        KafkaTestUtils.waitForCondition(
                () -> out.toString().contains("Ctrl-C stops the broker") || exit.isDone(),
                WAIT,
                () -> "banner; stderr: " + err);
        assertThat(exit.isDone()).as(err.toString()).isFalse();

        BrokerCommand.Running running = command.running();
        String servers = running.bootstrapServers();
        assertThat(servers).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:9092");
        assertThat(out.toString())
                .contains(
                        "running at " + servers,
                        "kafka-console-producer.sh --bootstrap-server " + servers + " --topic ecg.heartbeats",
                        "--topic ecg.alerts --from-beginning --isolation-level read_committed");
        Map<String, TopicDescription> topics = describe(servers);
        assertThat(topics).containsOnlyKeys(TopicNames.defaults().names());
        assertThat(topics.get(EcgTopic.HEARTBEATS.defaultName()).partitions()).hasSize(2);
        assertThat(topics.get(EcgTopic.ALERTS.defaultName()).partitions()).hasSize(2);
        assertThat(topics.get(EcgTopic.MODELS.defaultName()).partitions()).hasSize(1);
        assertThat(cleanupPolicy(servers, EcgTopic.MODELS.defaultName())).isEqualTo("compact");
        assertThat(running.topics()).allSatisfy(t -> assertThat(t.created()).isTrue());
        produce(servers, "patient-0001", "1.0,2.0,1");

        command.stop();

        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString())
                .contains("Kafka broker stopped; its data stays in "
                        + dataDir.toAbsolutePath().normalize());
        assertThat(running.isRunning()).isFalse();
        assertThat(accepts(running.port())).isFalse();

        BrokerCommand again = parse("--port", "0", "--data-dir", dataDir.toString());
        try (BrokerCommand.Running restarted = again.start()) {
            assertThat(restarted.topics())
                    .allSatisfy(t -> assertThat(t.created()).isFalse());
            assertThat(restarted.topics())
                    .filteredOn(t -> t.name().equals(EcgTopic.HEARTBEATS.defaultName()))
                    .singleElement()
                    .extracting(BrokerCommand.TopicState::partitions)
                    .isEqualTo(2);
            assertThat(KafkaTestUtils.waitUntilMinRecordsReceived(
                            restarted.bootstrapServers(), EcgTopic.HEARTBEATS.defaultName(), 1, WAIT))
                    .singleElement()
                    .satisfies(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                            .isEqualTo("1.0,2.0,1"));
        }
    }

    @Test
    void aSecondBrokerOnTheSameFolderIsRefused() {
        BrokerCommand first = parse("--port", "0", "--data-dir", dataDir.toString());
        try (BrokerCommand.Running running = first.start()) {
            BrokerCommand second = parse("--port", "0", "--data-dir", dataDir.toString());

            assertThatThrownBy(second::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Another broker is using "
                            + dataDir.toAbsolutePath().normalize()
                            + "; stop it, or give this one another --data-dir");
            assertThat(running.isRunning()).isTrue();
        }
    }

    @Test
    void aTakenPortFailsInOneLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            int exit = cli().execute("broker", "--port", String.valueOf(port), "--data-dir", dataDir.toString());

            assertThat(exit).isEqualTo(1);
            List<String> errLines = err.toString()
                    .lines()
                    .filter(l -> l.startsWith("ecg broker:"))
                    .toList();
            assertThat(errLines)
                    .containsExactly("ecg broker: Cannot start Kafka broker: 127.0.0.1:"
                            + port
                            + " is already in use; stop whatever listens there or choose"
                            + " another port");
            assertThat(err.toString()).doesNotContain("\tat ");
            assertThat(out.toString()).doesNotContain("stopped");
        }
    }

    @Test
    void helpSaysTheDataIsKept() {
        assertThat(cli().execute("broker", "--help")).isZero();
        assertThat(out.toString())
                .contains("--port", "--data-dir", "--partitions", "Kept on exit", "out/broker", "9092");
    }

    private BrokerCommand parse(String... args) {
        CommandLine cli = cli();
        String[] all = new String[args.length + 1];
        all[0] = "broker";
        System.arraycopy(args, 0, all, 1, args.length);
        cli.parseArgs(all);
        return cli.getSubcommands().get("broker").getCommand();
    }

    private static Map<String, TopicDescription> describe(String servers) throws Exception {
        try (Admin admin = Admin.create(adminProperties(servers))) {
            return admin.describeTopics(admin.listTopics().names().get())
                    .allTopicNames()
                    .get();
        }
    }

    private static String cleanupPolicy(String servers, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(adminProperties(servers))) {
            return admin.describeConfigs(List.of(resource))
                    .all()
                    .get()
                    .get(resource)
                    .get("cleanup.policy")
                    .value();
        }
    }

    private static void produce(String servers, String key, String value) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", servers);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(EcgTopic.HEARTBEATS.defaultName(), key, value))
                    .get();
        }
    }

    private static Properties adminProperties(String servers) {
        Properties props = new Properties();
        props.put("bootstrap.servers", servers);
        return props;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
