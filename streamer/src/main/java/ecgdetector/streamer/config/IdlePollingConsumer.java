package ecgdetector.streamer.config;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** A consumer of bytes whose polls block as {@link IdlePoll} says: Kafka Streams' main and global consumers. */
public class IdlePollingConsumer extends KafkaConsumer<byte[], byte[]> {

    private final IdlePoll idle;

    public IdlePollingConsumer(Map<String, Object> config, IdlePoll idle) {
        super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.idle = idle;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = super.poll(idle.timeout(timeout));
        idle.polled(records.count());
        return records;
    }
}
