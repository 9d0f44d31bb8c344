package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.testing.HostileSavedModels;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.release.ModelsTopicWarnings;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever may write one record to the models topic, against a streamer in a JVM of its own at the production heap
 * ({@value #HEAP}: docs/benchmarks.md's streamer meets its memory target with it; neither the launcher nor the
 * image set one). Each hostile record is produced with a plain Kafka producer, as an attacker would: node-heavy JSON
 * under the size cap, a record over it, junk, a format 1 record, an unsigned release, one signed by an unknown key,
 * a valid signature transplanted onto other content, an older signed release, and validly signed SavedModels whose
 * graph reads a canary file into its output, writes a canary file, or loops for ever (so the graph check, not the
 * signature, must stop them); a zstd bomb and a 200 MB whitespace document the broker must refuse at produce time.
 * Each is rejected with a WARN naming the reason (the op for graphs) and counted in
 * {@code ecg_model_releases_total{outcome="rejected"}}; the canary file is neither read into an output nor written;
 * the good version keeps scoring the windows sent after each; the streamer stays up and ready; and all of it holds
 * again after the streamer is restarted and reads the topic from its start. (That the file-reading graph really
 * reads the file when nothing stops it: {@code SavedModelCheckTest}; the load time limit: {@code LoadWatchdogTest}.)
 */
@ExtendWith(KafkaBrokerExtension.class)
class HostileReleasesIT {

    /** The heap docs/benchmarks.md measured the streamer at (RSS target met), in the absence of a launcher's. */
    static final String HEAP = "-Xmx160m";

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int WINDOWS_PER_STEP = 8;
    private static final String REJECTED = "ecg_model_releases_total{outcome=\"rejected\"}";

    /** A hostile record and the words its rejection must give. */
    record Attack(String name, ReleaseRecord record, String reason) {}

    @Test
    void everyHostileReleaseIsRefusedTheGoodVersionKeepsScoringAndSoAfterARestart(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        ReleaseBundle good = f.release();
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("hostile") + ".");
        TopicSetup.createAll(broker, topics, 1);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(good));
        Path canaryRead = Files.writeString(dir.resolve("canary-read"), "4242.5");
        Path canaryWritten = dir.resolve("canary-written");
        List<Attack> attacks = attacks(good, canaryRead, canaryWritten);
        Map<String, String> settings =
                StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", dir.resolve("state"));
        settings.put("ecg.batch.wait.ms", "50");
        Path logs = Path.of("target", "it-logs", topics.heartbeats());

        List<String> origins = new ArrayList<>();
        int windows = 0;
        try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker);
                KafkaProducer<byte[], byte[]> attacker = attacker(broker);
                ChildStreamer first = ChildStreamer.start(settings, logs, "first", HEAP)) {
            first.awaitReady(TIMEOUT);
            windows = scoredByGood(broker, topics, producer, f, windows);
            for (Attack attack : attacks) {
                RecordMetadata m = StreamerIT.send(attacker, topics.models(), attack.record());
                String origin = m.topic() + "/" + m.partition() + "/" + m.offset();
                origins.add(origin);
                awaitMetric(first, REJECTED, origins.size());
                assertRejectedWithReason(first, origin, attack, good, "keeps serving");
                windows = scoredByGood(broker, topics, producer, f, windows);
                assertUpAndReady(first);
            }
            bombsAreRefusedByTheBroker(broker, topics, good);
            assertThat(first.metric(REJECTED))
                    .as("the bombs never reached the streamer")
                    .isEqualTo(origins.size());
            assertNothingHostileServedOrRan(first, canaryWritten, broker, topics, good);
            assertThat(first.terminate(TIMEOUT)).as("exit code after SIGTERM").isIn(0, 143);
            assertThat(first.output()).contains("ecg streamer stopped");
        }

        // Restarted, the streamer reads the whole models topic again: the same records, the same refusals.
        try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker);
                ChildStreamer second = ChildStreamer.start(settings, logs, "second", HEAP)) {
            second.awaitReady(TIMEOUT);
            assertThat(second.metric(REJECTED)).isEqualTo(attacks.size());
            for (int i = 0; i < attacks.size(); i++) {
                assertRejectedWithReason(
                        second,
                        origins.get(i),
                        attacks.get(i),
                        good,
                        "is to serve once the models " + "topic is read to its end");
            }
            scoredByGood(broker, topics, producer, f, windows);
            assertUpAndReady(second);
            assertNothingHostileServedOrRan(second, canaryWritten, broker, topics, good);
        }
    }

    /** A plain producer that sends records up to the models topic's limit, as anyone may. */
    private static KafkaProducer<byte[], byte[]> attacker(EmbeddedKafkaBroker broker) {
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 * 1024 * 1024));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Every attack of the issue that reaches the streamer, in the order they are sent. */
    private static List<Attack> attacks(ReleaseBundle good, Path canaryRead, Path canaryWritten) {
        ReleaseBundle other = TestReleases.syntheticOtherVersion().release();
        ReleaseRecord genuine = FakeModels.signed(good);
        ReleaseRecord otherUnsigned = ReleaseRecord.unsigned(other);
        RecordHeaders transplanted = new RecordHeaders(otherUnsigned.headers().toArray());
        transplanted.add(genuine.headers().lastHeader(ReleaseRecord.HEADER_SIGNATURE));
        transplanted.add(genuine.headers().lastHeader(ReleaseRecord.HEADER_KEY_ID));
        byte[] nodeHeavy = ("[" + "{},".repeat(330_000) + "{}]").getBytes(StandardCharsets.UTF_8);
        byte[] overCap = new byte[2 * 1024 * 1024];
        Arrays.fill(overCap, (byte) ' ');
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        return List.of(
                new Attack(
                        "node-heavy JSON under the cap",
                        unsignedBytes(good, "node-heavy", nodeHeavy),
                        "release is not signed"),
                new Attack(
                        "whitespace over the cap",
                        unsignedBytes(good, "over-cap", overCap),
                        "over the limit of 1048576 bytes"),
                new Attack("junk", new ReleaseRecord(good.modelName() + "/junk", junk, null), "not a release record"),
                new Attack(
                        "junk keyed like format 1",
                        new ReleaseRecord(good.modelName(), junk, null),
                        "format 1 release"),
                new Attack("unsigned", otherUnsigned, "release is not signed"),
                new Attack(
                        "signed by an unknown key",
                        ReleaseRecord.signed(other, TestKeys.attacker().key()),
                        "which this streamer does not trust"),
                new Attack(
                        "a valid signature on other content",
                        new ReleaseRecord(otherUnsigned.key(), otherUnsigned.value(), transplanted),
                        "does not match the release"),
                new Attack("an older signed release", FakeModels.signed(older(good)), "refused as a possible replay"),
                new Attack(
                        "a graph that reads a file",
                        FakeModels.signed(HostileSavedModels.readsFile(good, canaryRead)),
                        "ReadFile (node "),
                new Attack(
                        "a graph that writes a file",
                        FakeModels.signed(HostileSavedModels.writesFile(good, canaryWritten)),
                        "WriteFile (node "),
                new Attack(
                        "a graph that loops",
                        FakeModels.signed(HostileSavedModels.loopsForever(good)),
                        "While (node "));
    }

    /** The good release's model, re-sealed as created a day before it: signed, valid, and old. */
    private static ReleaseBundle older(ReleaseBundle good) {
        String createdAt = Instant.parse(good.manifest().createdAt())
                .minus(Duration.ofDays(1))
                .toString();
        return HostileSavedModels.release(
                good,
                "older",
                (tf, in) -> in,
                TestManifests.withVersion(good.manifest(), good.version() + "-older", createdAt));
    }

    /** Bytes under a release key of the good model, with the format header and no signature. */
    private static ReleaseRecord unsignedBytes(ReleaseBundle good, String version, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReleaseRecord.HEADER_FORMAT, "2".getBytes(StandardCharsets.US_ASCII));
        return new ReleaseRecord(good.modelName() + "/" + version, value, headers);
    }

    /**
     * A zstd bomb (100 MB of one byte, some KB on the wire) and a 200 MB whitespace document (lz4): the topic is
     * stored uncompressed, so the broker holds what they decompress to against max.message.bytes and refuses them.
     */
    private static void bombsAreRefusedByTheBroker(EmbeddedKafkaBroker broker, TopicNames topics, ReleaseBundle good) {
        byte[] zeros = new byte[100 * 1024 * 1024];
        byte[] whitespace = new byte[200 * 1024 * 1024];
        Arrays.fill(whitespace, (byte) ' ');
        for (var bomb : Map.of("zstd", zeros, "lz4", whitespace).entrySet()) {
            Properties props = broker.clientProperties();
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, bomb.getKey());
            // Large enough that this producer itself lets the record go: the broker is what must refuse it.
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(300 * 1024 * 1024));
            props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(320L * 1024 * 1024));
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        topics.models(),
                        null,
                        (good.modelName() + "/bomb-" + bomb.getKey()).getBytes(StandardCharsets.UTF_8),
                        bomb.getValue(),
                        unsignedBytes(good, "bomb", new byte[0]).headers());
                assertThatThrownBy(() -> producer.send(record).get())
                        .as("the %s bomb", bomb.getKey())
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(RecordTooLargeException.class)
                        .hasMessageContaining("larger than the max message size the server will accept");
            }
        }
    }

    /** Sends the next windows and waits until each is scored, by the good version. */
    private static int scoredByGood(
            EmbeddedKafkaBroker broker,
            TopicNames topics,
            KafkaProducer<byte[], byte[]> producer,
            RealRelease.Fixture f,
            int sent)
            throws Exception {
        for (int i = sent; i < sent + WINDOWS_PER_STEP; i++) {
            StreamerIT.send(
                    producer,
                    topics.heartbeats(),
                    "patient-" + (i % 3),
                    f.lines().get(i % f.size()));
        }
        int total = sent + WINDOWS_PER_STEP;
        Outputs.awaitScores(broker.bootstrapServers(), topics, total, TIMEOUT);
        assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                .hasSize(total)
                .allSatisfy(s ->
                        assertThat(s.model().version()).isEqualTo(f.release().version()));
        return total;
    }

    /** @param then what the line says of the good release: it keeps serving, or is to serve after the restart's read */
    private static void assertRejectedWithReason(
            ChildStreamer streamer, String origin, Attack attack, ReleaseBundle good, String then) {
        assertThat(streamer.output().lines())
                .as("the WARN line of %s at %s", attack.name(), origin)
                .filteredOn(line -> line.contains(" WARN ")
                        && line.contains("Rejected model release ecg-autoencoder version ")
                        && line.contains(" from " + origin + ": "))
                .singleElement()
                .asString()
                .contains(attack.reason())
                .endsWith("version " + good.version() + " " + then);
    }

    private static void assertUpAndReady(ChildStreamer streamer) throws InterruptedException {
        assertThat(streamer.get("/health/live").status()).isEqualTo(200);
        assertThat(streamer.get("/health/ready").status()).isEqualTo(200);
    }

    private static void assertNothingHostileServedOrRan(
            ChildStreamer streamer,
            Path canaryWritten,
            EmbeddedKafkaBroker broker,
            TopicNames topics,
            ReleaseBundle good)
            throws InterruptedException {
        assertThat(canaryWritten).as("no graph wrote its file").doesNotExist();
        assertThat(streamer.output().lines())
                .as("only the good release ever served")
                .filteredOn(line -> line.contains("Serving model") || line.contains("Swapped model"))
                .allSatisfy(line -> assertThat(line).contains("version " + good.version() + " "));
        assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                .as("no output holds what the file-reading graph would have read")
                .extracting(Score::model)
                .allSatisfy(model -> assertThat(model.version()).isEqualTo(good.version()));
        assertThat(streamer.metric("ecg_model_info{name=\"ecg-autoencoder\",version=\"" + good.version() + "\"}"))
                .isEqualTo(1.0);
    }

    private static void awaitMetric(ChildStreamer streamer, String metric, double value) {
        KafkaTestUtils.waitForCondition(
                () -> {
                    try {
                        return streamer.metric(metric) == value;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                TIMEOUT,
                () -> metric + " did not reach " + value + ":\n" + streamer.tail());
    }

    @Test
    void aStreamerWhoseModelsTopicIsStoredCompressedSaysSoAtStartup(EmbeddedKafkaBroker broker, @TempDir Path dir)
            throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("compressed") + ".");
        TopicSetup.createAll(broker, topics, 1);
        String byHand = topics.models() + ".by-hand";
        try (Admin admin = Admin.create(broker.adminProperties())) {
            // Compacted, but without the contract's compression.type=uncompressed.
            admin.createTopics(List.of(new NewTopic(byHand, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all()
                    .get();
            // The warning is read from the broker, which learns of the topic a moment after its creation.
            KafkaTestUtils.awaitTopicDescribed(admin, byHand, TIMEOUT);
        }
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", dir);
        settings.put(StreamerConfig.Setting.TOPIC_MODELS.key(), byHand);
        try (LogCapture warnings = LogCapture.of(ModelsTopicWarnings.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings))) {
            assertThat(warnings.messages(Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("topic " + byHand + " has compression.type=producer, not uncompressed")
                    .contains("decompression bomb");
            assertThat(app.isLive()).isTrue();
        }
    }
}
