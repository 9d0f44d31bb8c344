package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.DeadLetter;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.decode.DecodeProcessor;
import ecgdetector.streamer.health.HealthWatch;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.streamer.testing.TopologyHarness;
import ecgdetector.streamer.topics.TopicPreflight;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * No record can stop a task: a record too large to be dead-lettered as it is (a decompression bomb, headers that
 * fill the input topic's limit) is written in its reduced form, the windows after it are scored, and the topics'
 * configuration is checked at startup. Each record is sent with a plain Kafka producer, as any client could.
 */
@ExtendWith(KafkaBrokerExtension.class)
class OversizedRecordsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** 100 MB of one byte: about 10 KB in zstd. */
    private static final int BOMB_BYTES = 100 * 1024 * 1024;
    /** Valid windows sent after the headers-heavy record. */
    private static final int WINDOWS_AFTER = 20;

    @Test
    void aDecompressionBombIsRefusedAtProduceTimeByTheInputTopicAsTheContractDefinesIt(EmbeddedKafkaBroker broker) {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("bomb-refused") + ".");
        TopicSetup.createAll(broker, topics, 1);
        try (KafkaProducer<byte[], byte[]> attacker = zstdProducer(broker)) {
            assertThatThrownBy(() -> attacker.send(new ProducerRecord<>(topics.heartbeats(), bomb()))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }
        assertThat(KafkaTestUtils.readToEnd(
                        broker.bootstrapServers(), topics.heartbeats(), IsolationLevel.READ_COMMITTED, TIMEOUT))
                .isEmpty();
    }

    /**
     * On an input topic that keeps its producers' compression, the bomb reaches the streamer (in its own JVM, at
     * the launcher's heap): its dead letter is the reduced form and the 50 windows after it on the same partition
     * are scored.
     */
    @Test
    void onATopicThatKeepsCompressionTheBombIsDeadLetteredReducedAndTheWindowsAfterItAreScored(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        String prefix = KafkaTestUtils.uniqueTopic("bomb") + ".";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        broker.createTopic(
                topics.heartbeats(),
                1,
                Map.of("max.message.bytes", String.valueOf(EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES)));
        TopicSetup.createAll(broker, topics, 1);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
        Map<String, String> settings = StreamerIT.settings(broker, topics, prefix + "streamer", dir.resolve("state"));
        settings.put("ecg.batch.size", "16");
        settings.put("ecg.batch.wait.ms", "100");

        Map<String, Integer> windowIndex = new HashMap<>();
        RecordMetadata bomb;
        try (ChildStreamer streamer = ChildStreamer.start(settings, Path.of("target", "it-logs", prefix), "streamer");
                KafkaProducer<byte[], byte[]> attacker = zstdProducer(broker);
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            streamer.awaitReady(TIMEOUT);
            assertThat(streamer.output())
                    .contains("Input topic " + topics.heartbeats() + " has compression.type=producer");
            bomb = attacker.send(new ProducerRecord<>(topics.heartbeats(), key(), bomb()))
                    .get();
            for (int i = 0; i < 50; i++) {
                RecordMetadata m = producer.send(new ProducerRecord<>(
                                topics.heartbeats(), key(), f.lines().get(i).getBytes(StandardCharsets.UTF_8)))
                        .get();
                windowIndex.put(Outputs.windowId(m), i);
            }
            Outputs.awaitScores(broker.bootstrapServers(), topics, 50, TIMEOUT);
            Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);

            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.waitUntilMinRecordsReceived(
                    broker.bootstrapServers(), topics.heartbeatsDlq(), 1, TIMEOUT, IsolationLevel.READ_COMMITTED);
            assertThat(dead).hasSize(1);
            ConsumerRecord<byte[], byte[]> d = dead.get(0);
            assertThat(header(d, DeadLetterHeaders.REASON)).isEqualTo(RejectReason.OVERSIZED.name());
            assertThat(header(d, DeadLetterHeaders.OFFSET)).isEqualTo(String.valueOf(bomb.offset()));
            assertThat(header(d, DeadLetterHeaders.REDUCED)).contains("reduced form");
            assertThat(header(d, DeadLetterHeaders.ORIGINAL_SIZE)).isEqualTo(String.valueOf(BOMB_BYTES));
            assertThat(header(d, DeadLetterHeaders.ORIGINAL_SHA256)).isEqualTo(sha256(bomb()));
            assertThat(d.value()).isNotEmpty().containsOnly((byte) 'x');
            assertThat(d.key()).isEqualTo(key());
            assertThat(DeadLetter.sizeUpperBound(d.key(), d.value(), d.headers()))
                    .isLessThanOrEqualTo(EcgTopic.DEAD_LETTERS_MAX_MESSAGE_BYTES);

            assertThat(streamer.metric("ecg_dead_letters_reduced_total")).isEqualTo(1.0);
            assertThat(streamer.metric("ecg_dead_letters_total{reason=\"oversized\"}"))
                    .isEqualTo(1.0);
            assertThat(streamer.get("/health/ready").status()).isEqualTo(200);
            assertThat(streamer.output()).doesNotContain("A stream thread failed");
        }
    }

    /**
     * A record at the input topic's limit, to within 200 bytes, whose headers take nearly all of it: its dead letter,
     * a few hundred bytes of ecg.dlq.* headers larger, is the record whole where
     * the dead-letter topic is as the contract defines it, and the reduced form, without the headers, where the
     * dead-letter topic takes no more than the input topic (which the streamer warns about at startup). Either way
     * it is counted once by its reason, the reduced one in {@code ecg_dead_letters_reduced_total} too, one WARN
     * says so, and the valid windows sent after it on the same partition are each scored once.
     */
    @Test
    void aRecordAtTheInputTopicsLimitWithLargeHeadersIsDeadLetteredWholeOrReduced(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames contract = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("headers") + ".");
        TopicSetup.createAll(broker, contract, 1);
        List<String> warned = new ArrayList<>();
        DeadLettered wholeRun = deadLetterOf(broker, contract, state.resolve("a"), warned);
        ConsumerRecord<byte[], byte[]> whole = wholeRun.deadLetter();
        assertThat(warned).as("no warning about the contract's topics").isEmpty();
        assertThat(wholeRun.reducedTotal()).as("ecg_dead_letters_reduced_total").isZero();
        assertThat(wholeRun.warned())
                .singleElement()
                .asString()
                .startsWith("Dead-lettered input records {WRONG_LENGTH=1}")
                .doesNotContain("reduced form");
        assertThat(whole.headers().lastHeader(DeadLetterHeaders.REDUCED)).isNull();
        assertThat(whole.headers().headers("big-0")).hasSize(1);
        assertThat(whole.value()).isEqualTo(notAWindow());

        TopicNames tight = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("headers-tight") + ".");
        broker.createTopic(
                tight.heartbeatsDlq(),
                1,
                Map.of("max.message.bytes", String.valueOf(EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES)));
        TopicSetup.createAll(broker, tight, 1);
        DeadLettered reducedRun = deadLetterOf(broker, tight, state.resolve("b"), warned);
        ConsumerRecord<byte[], byte[]> reduced = reducedRun.deadLetter();
        assertThat(reducedRun.reducedTotal())
                .as("ecg_dead_letters_reduced_total")
                .isEqualTo(1.0);
        assertThat(reducedRun.warned())
                .singleElement()
                .asString()
                .startsWith("Dead-lettered input records {WRONG_LENGTH=1}")
                .contains("1 of them too large to be written whole, in their reduced form");
        assertThat(warned)
                .singleElement()
                .asString()
                .contains("The dead-letter topic " + tight.heartbeatsDlq())
                .contains("max.message.bytes=" + EcgTopic.DEAD_LETTERS_MAX_MESSAGE_BYTES);
        assertThat(header(reduced, DeadLetterHeaders.REDUCED)).contains("without the record's 4 headers");
        assertThat(header(reduced, DeadLetterHeaders.ORIGINAL_HEADERS)).isEqualTo("4");
        assertThat(header(reduced, DeadLetterHeaders.ORIGINAL_SIZE)).isEqualTo(String.valueOf(notAWindow().length));
        assertThat(reduced.headers().headers("big-0")).isEmpty();
        assertThat(reduced.value()).as("the value still fits").isEqualTo(notAWindow());
        assertThat(header(reduced, DeadLetterHeaders.REASON))
                .isEqualTo(header(whole, DeadLetterHeaders.REASON))
                .isEqualTo(RejectReason.WRONG_LENGTH.name());
    }

    /**
     * The dead letter of the headers-heavy record, the streamer's {@code ecg_dead_letters_reduced_total} and the
     * WARN lines the dead letters got.
     */
    private record DeadLettered(ConsumerRecord<byte[], byte[]> deadLetter, double reducedTotal, List<String> warned) {}

    /**
     * Sends the headers-heavy record, then {@link #WINDOWS_AFTER} valid windows, to a streamer on {@code topics}
     * (one partition); checks that the record is counted once in {@code ecg_dead_letters_total{reason}} and is the
     * only dead letter, and that each window is scored once, by id. Returns its dead letter; the WARN lines of the
     * startup's topic check go to {@code warned}.
     */
    private static DeadLettered deadLetterOf(
            EmbeddedKafkaBroker broker, TopicNames topics, Path state, List<String> warned) throws Exception {
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(FakeModels.signed(FakeModels.release("v1", 1.0)));
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        try (LogCapture preflight = LogCapture.of(TopicPreflight.class);
                LogCapture decode = LogCapture.of(DecodeProcessor.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels());
                KafkaProducer<byte[], byte[]> producer = largeProducer(broker)) {
            warned.addAll(preflight.messages(Level.WARN));
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            // Four headers filling the input topic's limit to within 200 bytes: less than the dead letter adds.
            RecordHeaders empty = new RecordHeaders();
            for (int i = 0; i < 4; i++) {
                empty.add("big-" + i, new byte[0]);
            }
            long base = DeadLetter.sizeUpperBound(key(), notAWindow(), empty);
            int each = (int) (EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES - 200 - base) / 4;
            RecordHeaders headers = new RecordHeaders();
            for (int i = 0; i < 4; i++) {
                headers.add("big-" + i, new byte[each]);
            }
            producer.send(new ProducerRecord<>(topics.heartbeats(), null, key(), notAWindow(), headers))
                    .get();
            List<String> windowIds = new ArrayList<>();
            for (int i = 0; i < WINDOWS_AFTER; i++) {
                windowIds.add(Outputs.windowId(StreamerIT.send(
                        producer, topics.heartbeats(), "patient-1", TopologyHarness.csv(FakeModels.constant(0.5f)))));
            }
            Outputs.awaitScores(broker.bootstrapServers(), topics, WINDOWS_AFTER, TIMEOUT);
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .extracting(s -> s.windowId())
                    .as("the windows after it, each scored once")
                    .containsExactlyInAnyOrderElementsOf(windowIds);
            List<ConsumerRecord<byte[], byte[]>> dead = Outputs.read(broker.bootstrapServers(), topics.heartbeatsDlq());
            assertThat(dead).hasSize(1);
            assertThat(app.meters()
                            .get("ecg.dead.letters")
                            .tag("reason", RejectReason.WRONG_LENGTH.tag())
                            .counter()
                            .count())
                    .as("ecg_dead_letters_total{reason=\"wrong_length\"}")
                    .isEqualTo(1.0);
            assertThat(app.meters().find("ecg.dead.letters").counters().stream()
                            .mapToDouble(c -> c.count())
                            .sum())
                    .as("dead letters of every reason")
                    .isEqualTo(1.0);
            assertThat(app.isReady()).isTrue();
            return new DeadLettered(
                    dead.get(0),
                    app.meters().get("ecg.dead.letters.reduced").counter().count(),
                    decode.messages(Level.WARN));
        }
    }

    @Test
    void aMissingDeadLetterTopicStopsTheStreamerAtStartInOneLine(EmbeddedKafkaBroker broker, @TempDir Path state) {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("no-dlq") + ".");
        broker.createTopics(TopicSetup.newTopics(topics, 1).stream()
                .filter(t -> !t.name().equals(topics.heartbeatsDlq()))
                .toList());
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);

        assertThatThrownBy(() -> StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing Kafka topics [" + topics.heartbeatsDlq() + "]")
                .hasMessageNotContaining("\n");
    }

    /**
     * A script that creates the topics and starts the streamer at once: a topic the broker does not list yet
     * (it learns of a new topic a moment after the controller created it) is looked for again, not reported.
     */
    @Test
    void aTopicCreatedWhileTheStreamerLooksForItIsFound(EmbeddedKafkaBroker broker, @TempDir Path state)
            throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("late-dlq") + ".");
        List<NewTopic> all = TopicSetup.newTopics(topics, 1);
        broker.createTopics(all.stream()
                .filter(t -> !t.name().equals(topics.heartbeatsDlq()))
                .toList());
        StreamerConfig config =
                StreamerConfig.fromMap(StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state));
        try (LogCapture appLog = LogCapture.of(StreamerApp.class)) {
            CompletableFuture<Void> check = CompletableFuture.runAsync(() -> StreamerApp.checkTopics(config));
            KafkaTestUtils.waitForCondition(
                    () -> appLog.messages(Level.INFO).stream().anyMatch(m -> m.contains("not found yet")),
                    TIMEOUT,
                    () -> "the check never said it looks again: " + appLog.messages(Level.INFO));
            broker.createTopics(all.stream()
                    .filter(t -> t.name().equals(topics.heartbeatsDlq()))
                    .toList());
            check.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * The dead-letter topic deleted while the streamer runs: readiness turns false at once and says why; a bad
     * record sent meanwhile holds up its task rather than being dropped, which shows as a stalled task (input
     * waiting, no committed progress) after the progress timeout, and is dead-lettered once the topic is back.
     * Each problem gets its gauge and a WARN line.
     */
    @Test
    void aDeadLetterTopicDeletedWhileRunningTurnsReadinessFalseAndNothingIsDropped(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("dlq-gone") + ".");
        TopicSetup.createAll(broker, topics, 1);
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(FakeModels.signed(FakeModels.release("v1", 1.0)));
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        try (LogCapture health = LogCapture.of(HealthWatch.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels());
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker);
                Admin admin = Admin.create(broker.adminProperties())) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            admin.deleteTopics(List.of(topics.heartbeatsDlq())).all().get();

            KafkaTestUtils.waitForCondition(() -> !app.isReady(), TIMEOUT, () -> "still ready: " + app.health());
            assertThat(app.health().problems())
                    .anyMatch(p -> p.contains("output topic " + topics.heartbeatsDlq() + " does not exist"));
            assertThat(app.meters().get("ecg.output.topics.unwritable").gauge().value())
                    .isEqualTo(1.0);
            StreamerIT.send(producer, topics.heartbeats(), "patient-1", "not a window");
            StreamerIT.send(producer, topics.heartbeats(), "patient-1", TopologyHarness.csv(FakeModels.constant(0.5f)));
            KafkaTestUtils.waitForCondition(
                    () -> app.health().problems().stream()
                            .anyMatch(p -> p.contains("input records waiting and its committed offset has not moved")),
                    TIMEOUT,
                    () -> "no stalled task: " + app.health());
            assertThat(app.meters().get("ecg.tasks.stalled").gauge().value()).isEqualTo(1.0);
            assertThat(health.messages(Level.WARN))
                    .anyMatch(m -> m.startsWith("Output topic " + topics.heartbeatsDlq() + ": ")
                            && m.contains("does not exist"))
                    .anyMatch(m -> m.startsWith("Task 0_0: ") && m.contains("has not moved"));

            NewTopic again = TopicSetup.newTopics(topics, 1).stream()
                    .filter(t -> t.name().equals(topics.heartbeatsDlq()))
                    .findFirst()
                    .orElseThrow();
            admin.createTopics(List.of(again)).all().get();
            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.waitUntilMinRecordsReceived(
                    broker.bootstrapServers(), topics.heartbeatsDlq(), 1, TIMEOUT, IsolationLevel.READ_COMMITTED);
            assertThat(dead)
                    .singleElement()
                    .satisfies(d -> assertThat(d.value()).isEqualTo("not a window".getBytes(StandardCharsets.UTF_8)));
            Outputs.awaitScores(broker.bootstrapServers(), topics, 1, TIMEOUT);
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready again: " + app.health());
        }
    }

    private static byte[] bomb() {
        byte[] value = new byte[BOMB_BYTES];
        Arrays.fill(value, (byte) 'x');
        return value;
    }

    private static byte[] key() {
        return "patient-1".getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] notAWindow() {
        return "not, a, window".getBytes(StandardCharsets.UTF_8);
    }

    /** A plain producer compressing with zstd, willing to send a 100 MB record. */
    private static KafkaProducer<byte[], byte[]> zstdProducer(EmbeddedKafkaBroker broker) {
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * BOMB_BYTES));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(3L * BOMB_BYTES));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaProducer<byte[], byte[]> largeProducer(EmbeddedKafkaBroker broker) {
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
