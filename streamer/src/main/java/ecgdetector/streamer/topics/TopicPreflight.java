package ecgdetector.streamer.topics;

import ecgdetector.schemas.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the streamer checks about its topics before it starts, beyond their existing: the limits a dead letter
 * must fit ({@link TopicLimits}, with a WARN line for each setting that should change), and that the input topic
 * has as many partitions as the stores' changelogs, which Kafka Streams co-partitions with it, and that changelogs
 * created before have the configs that bound a restore ({@link ChangelogConfigs}).
 */
public final class TopicPreflight {

    private static final Logger log = LoggerFactory.getLogger(TopicPreflight.class);

    private TopicPreflight() {}

    /**
     * Reads the limits and checks the partitions, logging what should change.
     *
     * @param admin         a client of the streamer's cluster
     * @param streams    the Kafka Streams properties (the producer's {@code max.request.size} among them)
     * @param changelogs the stores' changelog topics, the batch buffer's first
     * @param changelogConfigs the topic configs the streamer creates them with
     * @throws IllegalStateException one line, if the streamer cannot run on these topics
     */
    public static TopicLimits check(
            Admin admin,
            TopicNames topics,
            Properties streams,
            List<String> changelogs,
            Map<String, String> changelogConfigs,
            Duration timeout) {
        TopicLimits limits = TopicLimits.of(
                configs(admin, List.of(topics.heartbeats(), topics.heartbeatsDlq()), timeout),
                topics,
                producerMaxRequestBytes(streams));
        limits.warnings(topics).forEach(log::warn);
        Optional<String> refused = limits.refusal(topics);
        if (refused.isPresent()) {
            throw new IllegalStateException(refused.get());
        }
        coPartitioning(admin, topics.heartbeats(), changelogs, timeout).ifPresent(problem -> {
            throw new IllegalStateException(problem);
        });
        // The changelogs that exist already (a restart, an upgrade): those Kafka Streams creates get the configs.
        configs(admin, changelogs, timeout)
                .forEach((topic, actual) -> ChangelogConfigs.problem(topic, changelogConfigs, actual)
                        .ifPresent(log::warn));
        log.info(
                "Dead letters up to {} bytes are written whole, larger ones in their reduced form",
                limits.deadLetterMaxBytes());
        return limits;
    }

    /** The producer's {@code max.request.size} as Kafka Streams will configure it. */
    public static int producerMaxRequestBytes(Properties streams) {
        Map<String, Object> producer = new HashMap<>(new StreamsConfig(streams).getProducerConfigs("preflight"));
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new ProducerConfig(producer).getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }

    /**
     * Why the input topic cannot be processed with the stores' changelogs, if it cannot: each input partition's
     * waiting windows, and its patients' alarm states, live in the changelog partition of the same number, so
     * Kafka Streams requires as many of each (and would stop every instance at the next rebalance otherwise).
     */
    static Optional<String> coPartitioning(Admin admin, String input, List<String> changelogs, Duration timeout) {
        List<String> topics = new ArrayList<>(changelogs);
        topics.add(input);
        Map<String, Integer> partitions = partitions(admin, topics, timeout);
        Integer in = partitions.get(input);
        if (in == null) {
            return Optional.empty();
        }
        return changelogs.stream()
                .filter(c -> partitions.containsKey(c) && !partitions.get(c).equals(in))
                .findFirst()
                .map(c -> coPartitioningProblem(input, in, c, partitions.get(c), changelogs));
    }

    /**
     * The one line for partitions that no longer match, with the procedure (docs/reliability.md).
     *
     * @param changelog  the changelog whose partitions differ
     * @param changelogs every store changelog, all of which the procedure deletes
     */
    public static String coPartitioningProblem(
            String input, int inputPartitions, String changelog, int changelogPartitions, List<String> changelogs) {
        return "input topic " + input + " has " + inputPartitions + " partitions, the store changelog " + changelog
                + " " + changelogPartitions + ": the windows waiting for each input partition, and the alarm states"
                + " of its patients, live in the changelog partition of the same number, so Kafka Streams runs only"
                + " with as many of each. To change the input's partitions: stop the producers, wait until"
                + " ecg_windows_buffered is 0 on every instance, stop every instance, delete "
                + String.join(" and ", changelogs) + " and the instances' state folders, then start them again (open"
                + " alarms are then forgotten; docs/reliability.md, \"More input partitions\")";
    }

    private static Map<String, Map<String, String>> configs(Admin admin, List<String> topics, Duration timeout) {
        Map<String, Map<String, String>> out = new HashMap<>();
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(topics.stream()
                        .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                        .toList())
                .values();
        futures.forEach((resource, future) -> {
            try {
                Map<String, String> values = new HashMap<>();
                for (ConfigEntry e :
                        future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).entries()) {
                    if (e.value() != null) {
                        values.put(e.name(), e.value());
                    }
                }
                out.put(resource.name(), values);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("Cannot read the configs of topic {}", resource.name(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return out;
    }

    /** The partition counts of the topics that exist and can be described. */
    private static Map<String, Integer> partitions(Admin admin, List<String> topics, Duration timeout) {
        Map<String, Integer> out = new HashMap<>();
        admin.describeTopics(topics).topicNameValues().forEach((topic, future) -> {
            try {
                TopicDescription d = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                out.put(topic, d.partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    log.debug("Cannot describe topic {}", topic, e);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                log.debug("Cannot describe topic {} in time", topic, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return out;
    }
}
