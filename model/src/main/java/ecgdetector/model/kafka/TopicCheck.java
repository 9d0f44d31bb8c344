package ecgdetector.model.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Do these topics exist, and what are they: one describe call with a deadline, whose failures come back as one
 * line for a person (a cluster that does not answer, a refused login or ACL through {@link KafkaRefusal}). What
 * a missing topic means is the caller's to say: the replay points at {@code ./ecg broker}, the streamer at
 * {@code ecg.check.topics}. A topic the credentials may not describe is reported apart, not as an error: a
 * principal may well be allowed to write to a topic without being allowed to describe it.
 */
public final class TopicCheck {

    /**
     * What the cluster said.
     *
     * @param found         the description of each topic that exists, in the order asked
     * @param missing       topics that do not exist
     * @param notDescribable topics the credentials may not describe (so whether they exist is unknown)
     */
    public record Result(Map<String, TopicDescription> found, List<String> missing, List<String> notDescribable) {

        /**
         * The partitions of a topic that was found.
         *
         * @throws IllegalStateException if it was not: missing, or not describable with these credentials
         */
        public List<TopicPartition> partitions(String topic) {
            TopicDescription description = found.get(topic);
            if (description == null) {
                throw new IllegalStateException("topic " + topic
                        + (missing.contains(topic)
                                ? " does not exist"
                                : " cannot be described with these credentials"));
            }
            return description.partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
        }
    }

    private TopicCheck() {}

    /**
     * Describes {@code topics} with an admin client of its own, closed before it returns.
     *
     * @param client bootstrap servers and any security settings
     * @param need   what the principal needs, for the message of a refused ACL, e.g. {@code DESCRIBE on topic X}
     * @throws IllegalArgumentException for an invalid client setting
     * @throws IllegalStateException    one line: no answer within {@code timeout}, a refusal, any other failure
     */
    public static Result describe(Map<?, ?> client, Collection<String> topics, Duration timeout, String need) {
        Admin admin = admin(client, timeout);
        try {
            return describe(admin, client, topics, timeout, need);
        } finally {
            // Do not wait for the pending calls of a cluster that does not answer.
            admin.close(Duration.ZERO);
        }
    }

    /** As {@link #describe(Map, Collection, Duration, String)}, with the caller's admin client. */
    public static Result describe(
            Admin admin, Map<?, ?> client, Collection<String> topics, Duration timeout, String need) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, KafkaFuture<TopicDescription>> futures =
                admin.describeTopics(topics).topicNameValues();
        Map<String, TopicDescription> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> notDescribable = new ArrayList<>();
        for (String topic : topics) {
            try {
                found.put(topic, futures.get(topic).get(remainingMillis(deadline), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic);
                } else if (cause instanceof TopicAuthorizationException) {
                    notDescribable.add(topic);
                } else {
                    throw failure(cause, client, timeout, need, "cannot describe topic " + topic);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw noAnswer(client, timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while describing topic " + topic, e);
            }
        }
        return new Result(found, missing, notDescribable);
    }

    /**
     * Describes {@code topic} and, if it exists, returns once the leader of each of its partitions serves it. A
     * leader named in the metadata is not enough: right after a topic is created a broker can name itself leader
     * a moment before it hosts the partition, and answers a produce request with {@code NOT_LEADER_OR_FOLLOWER}.
     * An idempotent producer with several requests in flight may then write a later batch first and have the
     * retried first one refused as out of sequence for ever (seen with Kafka 4.3 on one broker, in a few fresh
     * topics of ten). A ListOffsets answer comes from the partition itself, so after one for every partition the
     * first batch lands.
     *
     * @return the description, as {@link #describe(Admin, Map, Collection, Duration, String)}; nothing is awaited
     *     for a topic that is missing or that the credentials may not describe
     * @throws IllegalStateException one line, as {@link #describe(Admin, Map, Collection, Duration, String)}
     */
    public static Result awaitServing(Admin admin, Map<?, ?> client, String topic, Duration timeout, String need) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Result result = describe(admin, client, List.of(topic), timeout, need);
        if (!result.found().containsKey(topic)) {
            return result;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        result.partitions(topic).forEach(p -> latest.put(p, OffsetSpec.latest()));
        try {
            // The admin client retries NOT_LEADER_OR_FOLLOWER itself, until the deadline.
            admin.listOffsets(latest).all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            return result;
        } catch (ExecutionException e) {
            throw failure(e.getCause(), client, timeout, need, "cannot read the offsets of topic " + topic);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "the partitions of topic " + topic + " on " + servers(client) + " had no serving leader within "
                            + timeout.toSeconds() + " s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the leaders of topic " + topic, e);
        }
    }

    /**
     * An admin client whose calls give up after {@code timeout} (unless the client settings say otherwise).
     *
     * @throws IllegalArgumentException for an invalid client setting
     */
    public static Admin admin(Map<?, ?> client, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        client.forEach((k, v) -> props.put(String.valueOf(k), v));
        props.putIfAbsent(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(10_000, timeout.toMillis())));
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        try {
            return Admin.create(props);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("Invalid Kafka client setting: " + e.getMessage(), e);
        }
    }

    private static IllegalStateException failure(
            Throwable cause, Map<?, ?> client, Duration timeout, String need, String what) {
        if (cause instanceof TimeoutException) {
            return noAnswer(client, timeout, cause);
        }
        Optional<ApiException> refusal = KafkaRefusal.find(cause);
        if (refusal.isPresent()) {
            return new IllegalStateException(KafkaRefusal.describe(refusal.get(), client, need), cause);
        }
        return new IllegalStateException(what + " on " + servers(client) + ": " + cause, cause);
    }

    private static IllegalStateException noAnswer(Map<?, ?> client, Duration timeout, Throwable cause) {
        return new IllegalStateException(
                "Kafka at " + servers(client) + " did not answer within " + timeout.toSeconds() + " s", cause);
    }

    private static Object servers(Map<?, ?> client) {
        return client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
