package ecgdetector.app.kafka;

import ecgdetector.model.kafka.TopicCheck;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The producer of heartbeat windows, for the replay, the demo and the bench alike: durable, in order per patient
 * and cheap on the wire, tuned here once. {@link #open} makes sure the topic takes the first batch before it hands
 * the producer out (see {@link TopicCheck#awaitServing}), so a topic created a moment ago is safe to write to.
 */
public final class HeartbeatProducer {

    /** How long {@link #open} waits for the cluster to describe the topic and serve every partition. */
    public static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(15);

    private HeartbeatProducer() {}

    /**
     * Our settings, then the caller's {@code tuning}, then the {@code client}'s (the user's) on top: whatever the
     * user sets wins.
     */
    public static Properties settings(Properties client, Map<String, String> tuning) {
        Properties props = new Properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Retries can then neither duplicate nor reorder a patient's beats.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A window is about 1.3 KB, so the default 16 KB batch holds a dozen; unpaced replays of ecg.csv ran at
        // 22-23k records/s with it and 28-34k with 128 KB (2 cores, broker in another JVM).
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.putAll(tuning);
        if (client.containsKey(ProducerConfig.ACKS_CONFIG)
                && !client.containsKey(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)) {
            // Someone who chose acks=1 chose to give up idempotence; Kafka refuses the pair otherwise.
            props.remove(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        }
        props.putAll(client);
        return props;
    }

    /**
     * A producer for {@code topic}, once the topic exists and every partition's leader serves it.
     *
     * @param tuning settings of the caller's over ours (client id, linger), under the user's
     * @throws IllegalArgumentException an invalid client setting
     * @throws IllegalArgumentException the topic does not exist
     * @throws IllegalStateException    in one line: the cluster does not answer, a refusal
     */
    public static <K, V> KafkaProducer<K, V> open(
            Properties client, String topic, Map<String, String> tuning, Serializer<K> keys, Serializer<V> values) {
        Admin admin = TopicCheck.admin(client, TOPIC_CHECK_TIMEOUT);
        try {
            TopicCheck.Result topics = TopicCheck.awaitServing(
                    admin, client, topic, TOPIC_CHECK_TIMEOUT, "WRITE and DESCRIBE on topic " + topic);
            if (!topics.missing().isEmpty()) {
                throw new IllegalArgumentException(
                        "Topic " + topic + " does not exist on " + client.get("bootstrap.servers")
                                + " (./ecg broker creates the project's topics; kafka-topics.sh --create any other)");
            }
            // A topic the credentials may not describe: allowed to write but not to describe, perhaps; the
            // producer finds out for itself.
        } finally {
            // Do not wait for the pending calls of a cluster that does not answer.
            admin.close(Duration.ZERO);
        }
        try {
            return new KafkaProducer<>(settings(client, tuning), keys, values);
        } catch (KafkaException e) {
            // A value that does not parse comes as it is; settings that do not go together come wrapped.
            Throwable invalid = e instanceof ConfigException ? e : e.getCause();
            if (invalid instanceof ConfigException) {
                throw new IllegalArgumentException("Invalid Kafka producer setting: " + invalid.getMessage(), e);
            }
            throw e;
        }
    }
}
