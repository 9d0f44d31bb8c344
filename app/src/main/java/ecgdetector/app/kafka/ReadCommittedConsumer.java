package ecgdetector.app.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer that sees what a downstream alert consumer sees: only committed transactions, every partition of
 * the given topics assigned (no group, nothing committed back), positioned before it is returned so that
 * nothing written afterwards can be missed.
 */
public final class ReadCommittedConsumer {

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    /** Where the consumer starts in each partition. */
    public enum Start {
        BEGINNING,
        END
    }

    private ReadCommittedConsumer() {}

    /**
     * @param client bootstrap servers and any security settings; a {@code group.id} in it is ignored
     * @param tuning extra consumer settings (fetch sizes, waits), applied last
     */
    public static KafkaConsumer<byte[], byte[]> assign(
            Properties client, Collection<String> topics, Start start, Properties tuning) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putAll(tuning);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, METADATA_TIMEOUT)
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            if (start == Start.BEGINNING) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // Seeks are lazy: resolve them now, so records written from here on are all seen.
            partitions.forEach(p -> consumer.position(p, METADATA_TIMEOUT));
            return consumer;
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }
}
