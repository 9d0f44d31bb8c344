package ecgdetector.broker.testing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Helpers for tests against a real broker. Nothing here sleeps for a fixed time: every wait polls until its
 * condition holds or its deadline passes, and then fails with what it saw.
 */
public final class KafkaTestUtils {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int RECORDS_SHOWN_ON_FAILURE = 20;

    private KafkaTestUtils() {}

    /**
     * A topic name no other test in this JVM (or an earlier run on a kept data folder) has used, such as
     * {@code scores-3-1f9a0c}. Uses only {@code -}, never {@code _}, because Kafka refuses a topic whose name
     * differs from an existing one only by {@code .} versus {@code _}.
     */
    public static String uniqueTopic(String prefix) {
        String random = UUID.randomUUID().toString().substring(0, 6);
        return prefix + "-" + TOPIC_COUNTER.incrementAndGet() + "-" + random;
    }

    /** Consumer settings that read raw bytes from the start of a topic, outside any consumer group. */
    public static Properties consumerProperties(String bootstrapServers, IsolationLevel isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        return props;
    }

    /** Waits for {@code n} records, reading uncommitted ones too. */
    public static List<ConsumerRecord<byte[], byte[]>> waitUntilMinRecordsReceived(
            String bootstrapServers, String topic, int n, Duration timeout) {
        return waitUntilMinRecordsReceived(bootstrapServers, topic, n, timeout, IsolationLevel.READ_UNCOMMITTED);
    }

    /** Waits for {@code n} records as a consumer with the given isolation level sees them. */
    public static List<ConsumerRecord<byte[], byte[]>> waitUntilMinRecordsReceived(
            String bootstrapServers, String topic, int n, Duration timeout, IsolationLevel isolation) {
        return waitUntilMinRecordsReceived(consumerProperties(bootstrapServers, isolation), topic, n, timeout);
    }

    /**
     * Reads {@code topic} from its beginning, all partitions, until at least {@code n} records arrived, and
     * returns all records read (possibly more than {@code n}), in the order they arrived.
     *
     * <p>The consumer is assigned the partitions rather than joining a group, so no rebalance delays the
     * start and no offsets are committed; any {@code group.id} in {@code consumerProps} is ignored.
     * Deserializers are forced to bytes. The topic may be created while this waits.
     *
     * @throws AssertionError if fewer than {@code n} records arrived within {@code timeout}, listing them
     */
    public static List<ConsumerRecord<byte[], byte[]>> waitUntilMinRecordsReceived(
            Properties consumerProps, String topic, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(rawConsumerProperties(consumerProps))) {
            if (!assignAllPartitions(consumer, topic, deadline)) {
                throw new AssertionError("Topic " + topic + " did not appear within " + timeout + " while waiting for "
                        + n + " records");
            }
            while (received.size() < n && System.nanoTime() < deadline) {
                consumer.poll(POLL).forEach(received::add);
            }
        }
        if (received.size() < n) {
            throw new AssertionError("Expected at least " + n + " records on " + topic + " ("
                    + isolationOf(consumerProps) + ") within " + timeout + " but received " + received.size()
                    + describe(received));
        }
        return received;
    }

    /**
     * Everything in {@code topic} up to its current end (for {@code read_committed}: up to the last stable
     * offset), all partitions, in partition then offset order. Suited to compacted topics, whose gaps make
     * counting records useless.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(
            String bootstrapServers, String topic, IsolationLevel isolation, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        Properties props = rawConsumerProperties(consumerProperties(bootstrapServers, isolation));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            if (!assignAllPartitions(consumer, topic, deadline)) {
                throw new AssertionError("Topic " + topic + " did not appear within " + timeout);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), remaining(deadline));
            while (!reached(consumer, ends)) {
                if (System.nanoTime() >= deadline) {
                    throw new AssertionError("Could not read " + topic + " up to " + ends + " within " + timeout
                            + "; received " + received.size() + describe(received));
                }
                consumer.poll(POLL).forEach(received::add);
            }
        }
        received.sort((a, b) -> a.partition() != b.partition()
                ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        return received;
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes.
     *
     * @throws AssertionError naming {@code details} if it never held
     */
    public static void waitForCondition(BooleanSupplier condition, Duration timeout, Supplier<String> details) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 10;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("Condition not met within " + timeout + ": " + details.get());
            }
            try {
                Thread.sleep(Math.min(pauseMillis, remaining(deadline).toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting: " + details.get(), e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 200);
        }
    }

    /**
     * Waits until the broker describes {@code topic}'s configs. A broker learns of a topic a moment after the
     * controller created it, so a check that reads a new topic's settings at once may not find it yet.
     */
    public static void awaitTopicDescribed(Admin admin, String topic, Duration timeout) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        waitForCondition(
                () -> admin.describeConfigs(List.of(resource))
                        .all()
                        .toCompletionStage()
                        .handle((found, failure) -> failure == null)
                        .toCompletableFuture()
                        .join(),
                timeout,
                () -> "the broker never described topic " + topic);
    }

    /** A record's value as text if it is UTF-8, otherwise its size; for failure messages. */
    public static String show(byte[] bytes) {
        if (bytes == null) {
            return "null";
        }
        try {
            return '"'
                    + StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString()
                    + '"';
        } catch (CharacterCodingException e) {
            return "<" + bytes.length + " bytes>";
        }
    }

    private static Properties rawConsumerProperties(Properties given) {
        Properties props = new Properties();
        props.putAll(given);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private static boolean assignAllPartitions(KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline) {
        while (System.nanoTime() < deadline) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = infos.stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                return true;
            }
            try {
                Thread.sleep(Math.min(100, remaining(deadline).toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    private static String isolationOf(Properties props) {
        return String.valueOf(props.getOrDefault(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"))
                .toLowerCase(Locale.ROOT);
    }

    private static String describe(List<ConsumerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return "";
        }
        String shown = records.stream()
                .limit(RECORDS_SHOWN_ON_FAILURE)
                .map(r -> "p" + r.partition() + "@" + r.offset() + " " + show(r.key()) + "=" + show(r.value()))
                .collect(Collectors.joining(", ", ": [", records.size() > RECORDS_SHOWN_ON_FAILURE ? ", ...]" : "]"));
        return shown;
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }
}
