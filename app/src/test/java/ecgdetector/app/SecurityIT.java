package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.broker.testing.SaslKafkaBrokerExtension;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.testing.TestReleases;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The detector on a cluster that trusts nobody: SASL/SCRAM logins and ACLs that allow each principal only what
 * README.md's security section lists for it. Every client is configured the way an operator would do it,
 * through pass-through Kafka client properties only (a properties file, {@code -X}, {@code KAFKA_*}).
 */
@ExtendWith(SaslKafkaBrokerExtension.class)
class SecurityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** A refused login or ACL must end a command well within this, not after retrying for ever. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(60);

    private static final int WINDOWS = 40;

    @TempDir
    Path tmp;

    private EmbeddedKafkaBroker broker;
    private TopicNames topics;
    private String prefix;
    private final List<StreamerApp> streamers = new ArrayList<>();
    private final ExecutorService commands = Executors.newCachedThreadPool();

    @BeforeEach
    void topicsOfThisTest(EmbeddedKafkaBroker broker) {
        this.broker = broker;
        prefix = KafkaTestUtils.uniqueTopic("sec");
        topics = TopicNames.defaults().withPrefix(prefix + ".");
        TopicSetup.createAll(broker, topics, 1);
    }

    @AfterEach
    void stopStreamers() {
        streamers.forEach(StreamerApp::close);
        commands.shutdownNow();
    }

    @Test
    void streamerAndTrainerWorkWithOnlyTheirOwnAclsConfiguredThroughClientProperties() throws Exception {
        String streamerUser = user("streamer");
        String trainerUser = user("trainer");
        grantStreamer(streamerUser, applicationId());
        grantTrainer(trainerUser);
        StreamerApp streamer = startStreamer(streamerProperties(streamerUser, "pw-" + streamerUser, Map.of()));

        CommandResult train = ecg(
                "train",
                "--data",
                syntheticCsv().toString(),
                "--out",
                tmp.resolve("out").toString(),
                "--recipe",
                "notebook",
                "--epochs",
                "5",
                "--signing-key-file",
                TestKeys.trainer().privateKey().toString(),
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--kafka-config",
                clientFile("trainer.properties", trainerUser, "pw-" + trainerUser)
                        .toString(),
                "--models-topic",
                topics.models());

        assertThat(train.exit()).as(train.err()).isZero();
        String published = ReleaseBundle.readFrom(tmp.resolve("out/release")).version();
        KafkaTestUtils.waitForCondition(
                () -> streamer.models()
                        .serving()
                        .map(m -> m.version().equals(published))
                        .orElse(false),
                TIMEOUT,
                () -> "streamer did not pick up release " + published);

        sendWindows(WINDOWS);
        Properties reader = broker.clientProperties();
        reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> scores =
                KafkaTestUtils.waitUntilMinRecordsReceived(reader, topics.scores(), WINDOWS, TIMEOUT);
        Set<String> windowIds =
                scores.stream().map(r -> read(r.value()).windowId()).collect(Collectors.toSet());
        assertThat(scores).hasSize(WINDOWS);
        assertThat(windowIds).hasSize(WINDOWS);
        assertThat(scores)
                .allSatisfy(r -> assertThat(read(r.value()).model().version()).isEqualTo(published));
        assertThat(streamer.state().isRunningOrRebalancing()).isTrue();
    }

    @Test
    void wrongCredentialsEndTheTrainerAndTheStreamerAtOnceNamingTheLoginAndTheCluster() throws Exception {
        String trainerUser = user("trainer");
        String streamerUser = user("streamer");
        grantTrainer(trainerUser);
        grantStreamer(streamerUser, applicationId());

        CommandResult train = refused(
                "train",
                "--data",
                syntheticCsv().toString(),
                "--out",
                tmp.resolve("out").toString(),
                "--signing-key-file",
                TestKeys.trainer().privateKey().toString(),
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "-X",
                "security.protocol=SASL_PLAINTEXT",
                "-X",
                "sasl.mechanism=SCRAM-SHA-256",
                "-X",
                "sasl.jaas.config=" + EmbeddedKafkaBroker.Sasl.jaasConfig(trainerUser, "wrong-password"));
        assertThat(train.exit()).isEqualTo(1);
        assertThat(train.err())
                .contains(
                        "Kafka at " + broker.bootstrapServers() + " refused the login of user '" + trainerUser
                                + "' (SASL SCRAM-SHA-256)",
                        "SaslAuthenticationException")
                .doesNotContain("wrong-password");
        assertThat(tmp.resolve("out/release")).as("nothing trained").doesNotExist();

        Path badStreamer =
                write("bad-streamer.properties", streamerProperties(streamerUser, "wrong-password", Map.of()));
        CommandResult stream = refused("stream", "--config", badStreamer.toString());
        assertThat(stream.exit()).isEqualTo(1);
        assertThat(stream.err())
                .contains(
                        "Kafka at " + broker.bootstrapServers() + " refused the login of user '" + streamerUser + "'",
                        "SaslAuthenticationException")
                .doesNotContain("wrong-password");

        // Without the topic check, it is Kafka Streams itself that meets the refusal: it must stop, not retry.
        // The login comes from KAFKA_* variables this time.
        Map<String, String> file = streamerProperties(streamerUser, "unused", Map.of("ecg.check.topics", "false"));
        file.keySet().removeIf(k -> k.startsWith("sasl.") || k.equals("security.protocol"));
        Map<String, String> env = Map.of(
                "KAFKA_SECURITY_PROTOCOL",
                "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM",
                "SCRAM-SHA-256",
                "KAFKA_SASL_JAAS_CONFIG",
                EmbeddedKafkaBroker.Sasl.jaasConfig(streamerUser, "wrong-password"));
        StreamerConfig config = StreamerConfig.load(Map.of(), env, file);
        Future<Integer> run = commands.submit(() -> StreamerApp.run(config));
        assertThatThrownBy(() -> run.get(FAIL_FAST.toSeconds(), TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the login of user '" + streamerUser + "'")
                .hasMessageContaining(broker.bootstrapServers());
    }

    @Test
    void aMissingAclIsNamedBeforeTrainingAndStopsTheStreamer() throws Exception {
        String trainerUser = user("trainer");
        SaslKafkaBrokerExtension.grant(
                broker,
                List.of(allow(
                        ResourceType.TOPIC, topics.models(), PatternType.LITERAL, trainerUser, AclOperation.DESCRIBE)));

        CommandResult train = refused(
                "train",
                "--data",
                syntheticCsv().toString(),
                "--out",
                tmp.resolve("out").toString(),
                "--signing-key-file",
                TestKeys.trainer().privateKey().toString(),
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--kafka-config",
                clientFile("trainer.properties", trainerUser, "pw-" + trainerUser)
                        .toString(),
                "--models-topic",
                topics.models());

        assertThat(train.exit()).isEqualTo(1);
        assertThat(train.err())
                .contains(
                        "Kafka at " + broker.bootstrapServers() + " denied user '" + trainerUser + "'",
                        "WRITE to topic " + topics.models(),
                        "an ACL must allow WRITE and DESCRIBE on topic " + topics.models());
        assertThat(tmp.resolve("out/release")).as("refused before training").doesNotExist();

        // A streamer whose principal may not join its consumer group stops at its start, saying why, although
        // no release was published yet: its stream threads join only once a model serves, and would only then
        // find out, while it looked like a streamer merely waiting for a model.
        String streamerUser = user("streamer");
        grantStreamer(streamerUser, "some-other-application");
        Map<String, String> settings = streamerProperties(streamerUser, "pw-" + streamerUser, Map.of());
        StreamerConfig config = StreamerConfig.fromMap(settings);
        Future<Integer> run = commands.submit(() -> StreamerApp.run(config));
        assertThatThrownBy(() -> run.get(FAIL_FAST.toSeconds(), TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("denied user '" + streamerUser + "'")
                .hasMessageContaining("READ on group " + applicationId());
    }

    @Test
    void anAttackerWhoMayWriteTheModelsTopicCannotTakeOverTheAlarms() throws Exception {
        // The trainer's key pair, made the way an operator makes it.
        Path keys = tmp.resolve("keys");
        assertThat(Main.commandLine().execute("keys", "--dir", keys.toString())).isZero();
        Path privateKey = keys.resolve(ReleaseKeyFiles.PRIVATE_KEY_FILE);
        String streamerUser = user("streamer");
        String trainerUser = user("trainer");
        String attackerUser = user("attacker");
        grantStreamer(streamerUser, applicationId());
        grantTrainer(trainerUser);
        grantTrainer(attackerUser);
        StreamerApp streamer = startStreamer(streamerProperties(
                streamerUser,
                "pw-" + streamerUser,
                Map.of(
                        StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.key(),
                        keys.resolve(ReleaseKeyFiles.PUBLIC_KEY_FILE).toString())));
        Properties attacker = SaslKafkaBrokerExtension.clientProperties(broker, attackerUser, "pw-" + attackerUser);
        ReleaseTopic attackersTopic = new ReleaseTopic(attacker, topics.models());

        // A valid release in every other respect, unsigned; then one signed with a key the streamer does not trust.
        attackersTopic.publish(ReleaseRecord.unsigned(TestReleases.synthetic().release()));
        awaitRejections(streamer, 1);
        attackersTopic.publish(ReleaseRecord.signed(
                TestReleases.synthetic().release(), TestKeys.attacker().key()));
        awaitRejections(streamer, 2);
        assertThat(streamer.models().hasModel())
                .as("no attacker release serves")
                .isFalse();

        CommandResult train = ecg(
                "train",
                "--data",
                syntheticCsv().toString(),
                "--out",
                tmp.resolve("out").toString(),
                "--recipe",
                "notebook",
                "--epochs",
                "5",
                "--signing-key-file",
                privateKey.toString(),
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--kafka-config",
                clientFile("trainer.properties", trainerUser, "pw-" + trainerUser)
                        .toString(),
                "--models-topic",
                topics.models());
        assertThat(train.exit()).as(train.err()).isZero();
        ReleaseBundle trained = ReleaseBundle.readFrom(tmp.resolve("out/release"));
        KafkaTestUtils.waitForCondition(
                () -> streamer.models()
                        .serving()
                        .map(m -> m.version().equals(trained.version()))
                        .orElse(false),
                TIMEOUT,
                () -> "the signed release " + trained.version() + " did not serve");

        // The trainer's signature (Ed25519 is deterministic: the same record again) copied onto the attacker's
        // release, and a plain unsigned one again: the signed release keeps serving.
        ReleaseRecord genuine = ReleaseRecord.signed(trained, ReleaseKeyFiles.readSigningKey(privateKey, false));
        ReleaseRecord attackers =
                ReleaseRecord.unsigned(TestReleases.syntheticOtherVersion().release());
        RecordHeaders stolen = new RecordHeaders(attackers.headers().toArray());
        stolen.add(genuine.headers().lastHeader(ReleaseRecord.HEADER_SIGNATURE));
        stolen.add(genuine.headers().lastHeader(ReleaseRecord.HEADER_KEY_ID));
        attackersTopic.publish(new ReleaseRecord(attackers.key(), attackers.value(), stolen));
        awaitRejections(streamer, 3);
        attackersTopic.publish(attackers);
        awaitRejections(streamer, 4);
        assertThat(streamer.models().serving()).map(m -> m.version()).contains(trained.version());
    }

    private static void awaitRejections(StreamerApp streamer, int n) {
        KafkaTestUtils.waitForCondition(
                () -> streamer.metrics().releasesRejected() >= n,
                TIMEOUT,
                () -> "expected " + n + " rejected releases, saw "
                        + streamer.metrics().releasesRejected());
    }

    // --- principals and their ACLs, as README.md lists them

    private String user(String role) {
        String user = prefix + "-" + role;
        SaslKafkaBrokerExtension.createUser(broker, user, "pw-" + user);
        return user;
    }

    private String applicationId() {
        return prefix + "-streamer-app";
    }

    private void grantStreamer(String user, String applicationId) {
        List<AclBinding> acls = new ArrayList<>();
        for (String in : List.of(topics.heartbeats(), topics.models())) {
            acls.add(allow(ResourceType.TOPIC, in, PatternType.LITERAL, user, AclOperation.READ));
        }
        for (String out : List.of(topics.alerts(), topics.heartbeatsDlq(), topics.scores(), topics.alarms())) {
            acls.add(allow(ResourceType.TOPIC, out, PatternType.LITERAL, user, AclOperation.WRITE));
        }
        acls.add(allow(ResourceType.GROUP, applicationId, PatternType.LITERAL, user, AclOperation.READ));
        acls.add(allow(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED, user, AclOperation.WRITE));
        acls.add(allow(ResourceType.TOPIC, applicationId, PatternType.PREFIXED, user, AclOperation.ALL));
        SaslKafkaBrokerExtension.grant(broker, acls);
    }

    private void grantTrainer(String user) {
        SaslKafkaBrokerExtension.grant(
                broker,
                List.of(
                        allow(ResourceType.TOPIC, topics.models(), PatternType.LITERAL, user, AclOperation.WRITE),
                        allow(ResourceType.TOPIC, topics.models(), PatternType.LITERAL, user, AclOperation.DESCRIBE)));
    }

    static AclBinding allow(ResourceType type, String name, PatternType pattern, String user, AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry(
                        EmbeddedKafkaBroker.Sasl.principal(user), "*", operation, AclPermissionType.ALLOW));
    }

    // --- clients

    /** The streamer's properties file: its topics, and the login as pass-through Kafka properties. */
    private Map<String, String> streamerProperties(String user, String password, Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("application.id", applicationId());
        p.put("state.dir", tmp.resolve("state-" + user).toString());
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", "SCRAM-SHA-256");
        p.put("sasl.jaas.config", EmbeddedKafkaBroker.Sasl.jaasConfig(user, password));
        p.put(StreamerConfig.Setting.TOPIC_HEARTBEATS.key(), topics.heartbeats());
        p.put(StreamerConfig.Setting.TOPIC_DLQ.key(), topics.heartbeatsDlq());
        p.put(StreamerConfig.Setting.TOPIC_ALERTS.key(), topics.alerts());
        p.put(StreamerConfig.Setting.TOPIC_SCORES.key(), topics.scores());
        p.put(StreamerConfig.Setting.TOPIC_ALARMS.key(), topics.alarms());
        p.put(StreamerConfig.Setting.TOPIC_MODELS.key(), topics.models());
        p.put(StreamerConfig.Setting.HTTP_PORT.key(), "-1");
        p.put(StreamerConfig.Setting.BATCH_WAIT_MS.key(), "50");
        p.put(
                StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.key(),
                TestKeys.trainer().publicKey().toString());
        p.putAll(extra);
        return p;
    }

    /** Starts the streamer from a properties file read the way {@code ./ecg stream --config FILE} reads it. */
    StreamerApp startStreamer(Map<String, String> settings) throws IOException {
        Path file = write("streamer-" + streamers.size() + ".properties", settings);
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("stream", "--config", file.toString());
        StreamCommand command =
                (StreamCommand) parsed.subcommand().commandSpec().userObject();
        StreamerApp app = StreamerApp.start(command.config());
        streamers.add(app);
        return app;
    }

    private Path clientFile(String name, String user, String password) throws IOException {
        return write(
                name,
                Map.of(
                        "security.protocol",
                        "SASL_PLAINTEXT",
                        "sasl.mechanism",
                        "SCRAM-SHA-256",
                        "sasl.jaas.config",
                        EmbeddedKafkaBroker.Sasl.jaasConfig(user, password)));
    }

    private Path write(String name, Map<String, String> settings) throws IOException {
        Properties props = new Properties();
        props.putAll(settings);
        Path file = tmp.resolve(name);
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, null);
        }
        return file;
    }

    record CommandResult(int exit, String err) {}

    /** Runs {@code ./ecg ARGS} in this JVM; fails the test if it has not ended within {@link #TIMEOUT}. */
    private CommandResult ecg(String... args) throws Exception {
        return ecg(TIMEOUT, args);
    }

    /** A command that must be refused, and so end within {@link #FAIL_FAST}. */
    private CommandResult refused(String... args) throws Exception {
        return ecg(FAIL_FAST, args);
    }

    private CommandResult ecg(Duration limit, String... args) throws Exception {
        StringWriter err = new StringWriter();
        Callable<Integer> call = () -> {
            CommandLine cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            return cli.execute(args);
        };
        int exit = commands.submit(call).get(limit.toSeconds(), TimeUnit.SECONDS);
        return new CommandResult(exit, err.toString());
    }

    private Path syntheticCsv() throws IOException {
        EcgDataset data = TestReleases.syntheticDataset(11);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < data.beats().size(); i++) {
            lines.add(TestReleases.csvLine(data.beats().beats()[i], data.beats().normal()[i]));
        }
        return Files.write(tmp.resolve("ecg.csv"), lines);
    }

    private void sendWindows(int n) throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(3);
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(
                        topics.heartbeats(),
                        "patient-" + (i % 4),
                        TestReleases.csvLine(
                                data.beats().beats()[i], data.beats().normal()[i])));
            }
            producer.flush();
        }
    }

    private static Score read(byte[] json) {
        try {
            return Json.mapper().readValue(json, Score.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
