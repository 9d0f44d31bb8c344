package ecgdetector.broker;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Idempotent topic creation, shared by {@link EmbeddedKafkaBroker} and {@link TopicSetup}. */
final class Topics {

    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private Topics() {}

    /**
     * Creates the topics that do not exist yet, leaving existing ones untouched, and returns once every
     * partition of every topic has a leader, so a producer started right after does not trip over
     * UNKNOWN_TOPIC_OR_PARTITION.
     */
    static void createIfAbsent(Admin admin, Collection<NewTopic> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        for (NewTopic topic : topics) {
            try {
                results.get(topic.name()).get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                log.info(
                        "Created topic {} with {} partition(s) and configs {}",
                        topic.name(),
                        topic.numPartitions(),
                        topic.configs() == null ? Map.of() : topic.configs());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + topic.name(), e.getCause());
                }
                log.debug("Topic {} already exists; left as it is", topic.name());
            } catch (TimeoutException e) {
                throw new IllegalStateException("Creating topic " + topic.name() + " took longer than " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topic " + topic.name(), e);
            }
        }
        awaitLeaders(admin, topics.stream().map(NewTopic::name).toList(), deadline, timeout);
    }

    private static void awaitLeaders(Admin admin, List<String> names, long deadline, Duration timeout) {
        Throwable last = null;
        try {
            while (System.nanoTime() < deadline) {
                try {
                    Map<String, TopicDescription> descriptions = admin.describeTopics(names)
                            .allTopicNames()
                            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                    if (descriptions.values().stream()
                            .flatMap(d -> d.partitions().stream())
                            .map(TopicPartitionInfo::leader)
                            .allMatch(leader -> leader != null && !leader.isEmpty())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // The broker's metadata can lag the controller by a moment right after creation.
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw new IllegalStateException("Cannot describe topics " + names, e.getCause());
                    }
                    last = e.getCause();
                } catch (TimeoutException e) {
                    last = e;
                    break;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for leaders of " + names, e);
        }
        throw new IllegalStateException(
                "Topics " + names + " had no leader for every partition within " + timeout, last);
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
