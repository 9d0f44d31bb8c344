package ecgdetector.streamer.health;

import ecgdetector.streamer.config.EmptyTransactionSkippingProducer;
import ecgdetector.streamer.config.IdlePoll;
import ecgdetector.streamer.config.IdlePollingConsumer;
import ecgdetector.streamer.config.TransactionDeadlines;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' main consumer, telling {@link InputLoss} where Kafka says records were lost. Kafka Streams runs
 * its consumer with {@code auto.offset.reset=none}: a position that fell out of the log makes {@code poll} throw
 * {@link OffsetOutOfRangeException} with the position, which Kafka Streams catches and answers by seeking to the
 * source's reset policy (the earliest offset), logging one INFO line. This consumer notes the position and the
 * log's bounds on the way and rethrows, so Kafka Streams does exactly what it did.
 */
public final class LossAwareConsumer extends IdlePollingConsumer {

    private static final Logger log = LoggerFactory.getLogger(LossAwareConsumer.class);
    private static final Duration BOUNDS_TIMEOUT = Duration.ofSeconds(5);

    private final String inputTopic;
    private final InputLoss losses;

    private LossAwareConsumer(Map<String, Object> config, String inputTopic, InputLoss losses, IdlePoll idle) {
        super(config, idle);
        this.inputTopic = inputTopic;
        this.losses = losses;
    }

    /**
     * The clients Kafka Streams would create itself, with loss-aware main consumers, main and global consumers
     * whose polls block longer once idle, and producers that skip a transaction with nothing new in it and give up
     * one that outlives its transaction timeout.
     *
     * @param idlePolls a new {@link IdlePoll} for each consumer
     * @param deadlines watches each transactional producer's transactions
     */
    public static KafkaClientSupplier supplier(
            String inputTopic, InputLoss losses, Supplier<IdlePoll> idlePolls, TransactionDeadlines deadlines) {
        return new KafkaClientSupplier() {
            @Override
            public Admin getAdmin(Map<String, Object> config) {
                return Admin.create(config);
            }

            @Override
            public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                return new EmptyTransactionSkippingProducer(deadlines.watch(
                        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()), config));
            }

            @Override
            public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
                return new LossAwareConsumer(config, inputTopic, losses, idlePolls.get());
            }

            @Override
            public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }

            @Override
            public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
                return new IdlePollingConsumer(config, idlePolls.get());
            }
        };
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            return super.poll(timeout);
        } catch (OffsetOutOfRangeException e) {
            report(e.offsetOutOfRangePartitions());
            throw e;
        }
    }

    private void report(Map<TopicPartition, Long> positions) {
        Set<TopicPartition> input = positions.keySet().stream()
                .filter(p -> p.topic().equals(inputTopic))
                .collect(Collectors.toSet());
        if (input.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> starts = Map.of();
        Map<TopicPartition, Long> ends = Map.of();
        try {
            starts = beginningOffsets(input, BOUNDS_TIMEOUT);
            ends = endOffsets(input, BOUNDS_TIMEOUT);
        } catch (KafkaException e) {
            log.debug("Cannot read the bounds of {} after an offset out of range", input, e);
        }
        for (TopicPartition p : input) {
            losses.outOfRange(p, positions.get(p), starts.getOrDefault(p, -1L), ends.getOrDefault(p, -1L));
        }
    }
}
