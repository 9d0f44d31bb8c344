package ecgdetector.broker;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.testing.ChildJvms;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.schemas.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three-node cluster: every node a broker and a voter, in a JVM of its own; the project's topics replicated
 * three times with two in sync; one node SIGKILLed loses no acknowledged record, the others serve on, and the node
 * comes back on its data and catches up.
 */
class EmbeddedKafkaClusterIT {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaClusterIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aClusterOfThreeLosesNoAcknowledgedRecordWhenOneNodeIsKilledAndComesBack(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder()
                .jvmOptions(ChildJvms.after(EmbeddedKafkaCluster.DEFAULT_JVM_OPTIONS))
                .dataDir(dir.resolve("cluster"))
                .build()
                .start()) {
            assertThat(cluster.nodeIds()).containsExactly(1, 2, 3);
            TopicNames topics = TopicNames.defaults().withPrefix("cluster.");
            cluster.createTopics(TopicSetup.newTopics(topics, 3));
            try (Admin admin = Admin.create(cluster.adminProperties())) {
                TopicDescription heartbeats = admin.describeTopics(List.of(topics.heartbeats()))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topics.heartbeats());
                assertThat(heartbeats.partitions())
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                Config brokerConfig = admin.describeConfigs(
                                List.of(new ConfigResource(ConfigResource.Type.BROKER, "1")))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .values()
                        .iterator()
                        .next();
                for (BrokerSetting s : BrokerSetting.values()) {
                    assertThat(brokerConfig.get(s.key()).value()).as(s.key()).isEqualTo(s.value());
                }
            }

            List<String> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(cluster))) {
                send(producer, topics.heartbeats(), sent, 0, 100);
                cluster.kill(1);
                assertThat(cluster.isRunning(1)).isFalse();
                send(producer, topics.heartbeats(), sent, 100, 200);
                log.info("Sent while node 1 was down");
                cluster.start(1);
                log.info("Node 1 is back");
                send(producer, topics.heartbeats(), sent, 200, 300);
            }
            List<ConsumerRecord<byte[], byte[]>> read = KafkaTestUtils.readToEnd(
                    cluster.bootstrapServers(), topics.heartbeats(), IsolationLevel.READ_COMMITTED, TIMEOUT);
            assertThat(read)
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrderElementsOf(sent);
            log.info("Read back all {} records", sent.size());
            try (Admin admin = Admin.create(cluster.adminProperties())) {
                KafkaTestUtils.waitForCondition(
                        () -> inSync(admin, topics.heartbeats()) == 3 * 3,
                        TIMEOUT,
                        () -> "node 1 never caught up: in-sync replicas " + inSync(admin, topics.heartbeats()));
            }
        }
    }

    /** Sends records {@code from..to-1}, each acknowledged by two in-sync replicas before the next batch. */
    private static void send(KafkaProducer<String, String> producer, String topic, List<String> sent, int from, int to)
            throws Exception {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, "patient-" + i % 7, "window-" + i)));
        }
        for (java.util.concurrent.Future<?> ack : acks) {
            ack.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        for (int i = from; i < to; i++) {
            sent.add("window-" + i);
        }
    }

    private static int inSync(Admin admin, String topic) {
        try {
            return admin
                    .describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .stream()
                    .mapToInt(p -> p.isr().size())
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static Properties producerProperties(EmbeddedKafkaCluster cluster) {
        Properties props = cluster.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
        return props;
    }
}
