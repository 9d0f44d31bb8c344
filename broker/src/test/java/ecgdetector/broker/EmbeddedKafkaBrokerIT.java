package ecgdetector.broker;

import static ecgdetector.broker.testing.KafkaTestUtils.readToEnd;
import static ecgdetector.broker.testing.KafkaTestUtils.uniqueTopic;
import static ecgdetector.broker.testing.KafkaTestUtils.waitForCondition;
import static ecgdetector.broker.testing.KafkaTestUtils.waitUntilMinRecordsReceived;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@ExtendWith(KafkaBrokerExtension.class)
class EmbeddedKafkaBrokerIT {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBrokerIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactions(EmbeddedKafkaBroker broker) {
        String topic = uniqueTopic("transactions");
        broker.createTopic(topic, 3, Map.of());

        Properties props = producerProperties(broker);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, uniqueTopic("tx-producer"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 1; i <= 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k1", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "k2", "aborted-2"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k3", "committed-4"));
            producer.commitTransaction();
        }

        List<ConsumerRecord<byte[], byte[]>> committed = waitUntilMinRecordsReceived(
                broker.bootstrapServers(), topic, 4, TIMEOUT, IsolationLevel.READ_COMMITTED);
        assertThat(values(committed))
                .containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3", "committed-4");

        // Reading up to the end proves the aborted records are there but hidden, not merely late.
        assertThat(values(readToEnd(broker.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED, TIMEOUT)))
                .containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3", "committed-4");
        assertThat(values(readToEnd(broker.bootstrapServers(), topic, IsolationLevel.READ_UNCOMMITTED, TIMEOUT)))
                .containsExactlyInAnyOrder(
                        "committed-1", "committed-2", "committed-3", "committed-4", "aborted-1", "aborted-2");
    }

    @Test
    void createsTheProjectTopicsOnceWithTheirSettings(EmbeddedKafkaBroker broker) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(uniqueTopic("catalogue") + ".");
        TopicSetup.createAll(broker, topics);
        TopicSetup.createAll(broker, topics); // a second run must find them and change nothing

        try (Admin admin = Admin.create(broker.adminProperties())) {
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics.names()).allTopicNames().get();
            assertThat(described.get(topics.heartbeats()).partitions()).hasSize(EcgTopic.DEFAULT_PARTITIONS);
            assertThat(described.get(topics.heartbeatsDlq()).partitions()).hasSize(EcgTopic.DEFAULT_PARTITIONS);
            assertThat(described.get(topics.alerts()).partitions()).hasSize(EcgTopic.DEFAULT_PARTITIONS);
            assertThat(described.get(topics.scores()).partitions()).hasSize(EcgTopic.DEFAULT_PARTITIONS);
            assertThat(described.get(topics.models()).partitions()).hasSize(1);

            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, topics.models());
            Config config = admin.describeConfigs(List.of(models)).all().get().get(models);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config.get("max.message.bytes").value()).isEqualTo(String.valueOf(8 * 1024 * 1024));
            EcgTopic.MODELS
                    .configs()
                    .forEach((key, value) -> assertThat(config.get(key).value()).isEqualTo(value));
        }
    }

    @Test
    void acceptsARecordOfAlmostEightMebibytesOnTheModelTopic(EmbeddedKafkaBroker broker) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(uniqueTopic("big") + ".");
        TopicSetup.createAll(broker, topics, 1);
        byte[] release = new byte[EcgTopic.MODELS_MAX_MESSAGE_BYTES - 64 * 1024];

        Properties props = producerProperties(broker);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(EcgTopic.MODELS_MAX_MESSAGE_BYTES));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                props, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.models(), "model", release))
                    .get();
        }
        List<ConsumerRecord<byte[], byte[]>> received =
                waitUntilMinRecordsReceived(broker.bootstrapServers(), topics.models(), 1, TIMEOUT);
        assertThat(received.get(0).value()).hasSize(release.length);
    }

    @Test
    void compactedTopicKeepsOnlyTheLatestValuePerKey(EmbeddedKafkaBroker broker) throws Exception {
        String topic = uniqueTopic("compacted");
        // Only closed segments are compacted: a short segment.ms closes the segment at the next append.
        broker.createTopic(
                topic,
                1,
                Map.of(
                        "cleanup.policy", "compact",
                        "segment.ms", "100",
                        "min.cleanable.dirty.ratio", "0.01"));

        AtomicInteger ticks = new AtomicInteger();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(broker))) {
            for (int version = 1; version <= 5; version++) {
                producer.send(new ProducerRecord<>(topic, "model-a", "a-v" + version))
                        .get();
                producer.send(new ProducerRecord<>(topic, "model-b", "b-v" + version))
                        .get();
            }
            List<String> lastSeen = new ArrayList<>();
            waitForCondition(
                    () -> {
                        // Each tick lands after segment.ms and so rolls the segment holding the older values.
                        send(producer, new ProducerRecord<>(topic, "tick", "tick-" + ticks.incrementAndGet()));
                        List<ConsumerRecord<byte[], byte[]>> all =
                                readToEnd(broker.bootstrapServers(), topic, IsolationLevel.READ_UNCOMMITTED, TIMEOUT);
                        lastSeen.clear();
                        all.forEach(r -> lastSeen.add(text(r.key()) + "=" + text(r.value())));
                        return lastSeen.stream()
                                        .filter(s -> s.startsWith("model-"))
                                        .count()
                                == 2;
                    },
                    TIMEOUT,
                    () -> "topic still holds " + lastSeen);
            log.info("Compaction visible after {} tick record(s): {}", ticks.get(), lastSeen);
            assertThat(lastSeen).contains("model-a=a-v5", "model-b=b-v5");
        }
    }

    @Test
    void restartOnTheSameFolderKeepsRecordsAndAddress(@TempDir Path dataDir) {
        String topic = uniqueTopic("durable");
        String address;
        String clusterId;
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().dataDir(dataDir).build()) {
            long t0 = System.nanoTime();
            broker.start();
            long t1 = System.nanoTime();
            address = broker.bootstrapServers();
            clusterId = broker.clusterId();
            assertThat(address).startsWith("127.0.0.1:");

            broker.createTopic(topic, 2, Map.of());
            produce(
                    broker,
                    topic,
                    IntStream.rangeClosed(1, 10).mapToObj(i -> "before-" + i).toList());

            long t2 = System.nanoTime();
            broker.stop();
            long t3 = System.nanoTime();
            assertThat(broker.isRunning()).isFalse();
            broker.start();
            long t4 = System.nanoTime();
            log.info(
                    "Own broker on {}: start {} ms, stop {} ms, restart {} ms",
                    dataDir,
                    millis(t0, t1),
                    millis(t2, t3),
                    millis(t3, t4));

            assertThat(broker.bootstrapServers()).isEqualTo(address);
            assertThat(values(waitUntilMinRecordsReceived(address, topic, 10, TIMEOUT)))
                    .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 10)
                            .mapToObj(i -> "before-" + i)
                            .toList());
            produce(broker, topic, List.of("after-restart"));
        }
        assertThat(dataDir.resolve("kafka-logs").resolve("meta.properties")).exists();

        // A new broker object on the kept folder is what a restarted process gets.
        try (EmbeddedKafkaBroker again =
                EmbeddedKafkaBroker.builder().dataDir(dataDir).build()) {
            long t0 = System.nanoTime();
            again.start();
            log.info("New broker object on the kept folder started in {} ms", millis(t0, System.nanoTime()));
            assertThat(again.clusterId()).isEqualTo(clusterId);
            assertThat(values(readToEnd(again.bootstrapServers(), topic, IsolationLevel.READ_UNCOMMITTED, TIMEOUT)))
                    .hasSize(11)
                    .contains("before-1", "before-10", "after-restart");
        }
    }

    @Test
    void temporaryDataFolderIsDeletedOnClose() {
        Path dataDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            dataDir = broker.dataDir();
            assertThat(dataDir.resolve("kafka-logs").resolve("meta.properties")).exists();
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void explainsATakenPort() throws IOException {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                        .port(squatter.getLocalPort())
                        .build()) {
            assertThatThrownBy(broker::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + squatter.getLocalPort() + " is already in use");
        }
    }

    private static Properties producerProperties(EmbeddedKafkaBroker broker) {
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    private static void produce(EmbeddedKafkaBroker broker, String topic, List<String> values) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(broker))) {
            values.forEach(value -> send(producer, new ProducerRecord<>(topic, value, value)));
        }
    }

    private static <K, V> void send(KafkaProducer<K, V> producer, ProducerRecord<K, V> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not send to " + record.topic(), e.getCause());
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> text(r.value())).toList();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }
}
