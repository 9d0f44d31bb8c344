package ecgdetector.model.release;

import ecgdetector.model.kafka.KafkaRefusal;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.ReleaseKey;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted models topic, for those who write releases and those who read them back whole: one record per
 * release ({@link ReleaseRecord}), keyed {@code modelName/version}, so compaction keeps every release and a later
 * record can never remove an earlier one.
 *
 * <p>Client properties are passed through untouched (SASL, SSL, ...); only serializers and the settings
 * this class depends on are set here.
 */
public final class ReleaseTopic {

    private static final Logger log = LoggerFactory.getLogger(ReleaseTopic.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Properties clientProperties;
    private final String topic;

    public ReleaseTopic(Properties clientProperties, String topic) {
        this.clientProperties = clientProperties;
        this.topic = topic;
    }

    /** Where a release was written. */
    public record Published(String topic, int partition, long offset, String version) {}

    /**
     * Fails within {@code timeout}, naming the cluster, if it does not answer, refuses the login, or will not
     * let this client write releases: called before anything slow, so a wrong address, wrong credentials or a
     * missing ACL show at once rather than after training.
     */
    public void checkReachable(Duration timeout) {
        Properties props = copy();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        Admin admin = Admin.create(props);
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            checkMayWrite(admin, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while contacting Kafka", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            Optional<ApiException> refusal = KafkaRefusal.find(cause);
            if (refusal.isPresent()) {
                throw new IllegalStateException(KafkaRefusal.describe(refusal.get(), props, needs()), cause);
            }
            throw new IllegalStateException(
                    "Kafka at " + props.getProperty("bootstrap.servers")
                            + " did not answer within " + timeout.toSeconds() + " s ("
                            + cause.getClass().getSimpleName()
                            + (cause.getMessage() != null ? ": " + cause.getMessage() : "")
                            + "); check --bootstrap-servers and the client settings",
                    cause);
        } finally {
            // Do not wait for the pending calls of an unreachable cluster.
            admin.close(Duration.ZERO);
        }
    }

    /**
     * Where the cluster has an authorizer, it tells a client which operations it may do on a topic: a
     * principal without WRITE is told so now, not after training. A topic that does not exist yet is
     * created on publishing, which needs CREATE.
     */
    private void checkMayWrite(Admin admin, Duration timeout)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        TopicDescription description;
        try {
            description = admin.describeTopics(
                            List.of(topic), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .topicNameValues()
                    .get(topic)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return;
            }
            throw e;
        }
        java.util.Set<AclOperation> allowed = description.authorizedOperations();
        if (allowed != null && !allowed.contains(AclOperation.WRITE) && !allowed.contains(AclOperation.ALL)) {
            throw new ExecutionException(new org.apache.kafka.common.errors.TopicAuthorizationException(
                    "not authorized to WRITE to topic " + topic + " (allowed: " + allowed + ")"));
        }
    }

    /** What the publishing principal needs, for error messages. */
    private String needs() {
        return "WRITE and DESCRIBE on topic " + topic + " (and CREATE, if the topic does not exist yet)";
    }

    /** Creates the topic if missing and writes the release record; returns once the broker has it. */
    public Published publish(ReleaseRecord release) throws ExecutionException, InterruptedException {
        byte[] value = release.value();
        // The contract's limit, or room for twice this release if it is larger: for the record's framing and
        // for releases that grow a little.
        int messageBytes = Math.max(EcgTopic.MODELS_MAX_MESSAGE_BYTES, 2 * value.length);
        ensureTopic(messageBytes, value.length);
        Properties props = copy();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(messageBytes));
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                topic, null, release.key().getBytes(StandardCharsets.UTF_8), value, release.headers());
        String version =
                ReleaseKey.parse(release.key()).map(ReleaseKey::version).orElse(release.key());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            RecordMetadata meta = producer.send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Published(meta.topic(), meta.partition(), meta.offset(), version);
        } catch (ExecutionException e) {
            throw refusedOr(e, props);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ExecutionException("publishing to " + topic + " timed out after " + TIMEOUT, e);
        }
    }

    /**
     * The newest record (by offset) of a release of {@code modelName} on the topic, as it is there (so a caller can
     * compare it byte for byte, or verify it); empty if the model has never been published.
     */
    public Optional<ReleaseRecord> readLatest(String modelName) {
        Properties props = copy();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        ReleaseRecord latest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, TIMEOUT)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException(
                            "reading " + topic + " did not reach its end within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (ReleaseKey.parse(key)
                            .filter(k -> k.modelName().equals(modelName))
                            .isPresent()) {
                        latest = new ReleaseRecord(key, r.value(), r.headers());
                    }
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    private void ensureTopic(int messageBytes, int releaseBytes) throws ExecutionException, InterruptedException {
        Properties props = copy();
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
        try (Admin admin = Admin.create(props)) {
            Map<String, String> configs = new HashMap<>(EcgTopic.MODELS.configs());
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(messageBytes));
            NewTopic newTopic = new NewTopic(
                            topic, Optional.of(EcgTopic.MODELS.fixedPartitions().orElseThrow()), Optional.empty())
                    .configs(configs);
            try {
                admin.createTopics(List.of(newTopic)).all().get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    // A principal that may only write releases (no CREATE) still publishes to an existing topic.
                    requireExists(admin, e);
                } else if (!(e.getCause() instanceof TopicExistsException)) {
                    throw refusedOr(e, props);
                }
                checkExisting(admin, releaseBytes);
            }
        }
    }

    private void requireExists(Admin admin, ExecutionException createFailed)
            throws ExecutionException, InterruptedException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw refusedOr(createFailed, copy());
            }
            throw refusedOr(e, copy());
        }
    }

    /** An ACL or login refusal as one clear line (IllegalStateException), anything else as it was. */
    private ExecutionException refusedOr(ExecutionException e, Properties props) {
        Optional<ApiException> refusal = KafkaRefusal.find(e.getCause());
        if (refusal.isPresent()) {
            throw new IllegalStateException(KafkaRefusal.describe(refusal.get(), props, needs()), e.getCause());
        }
        return e;
    }

    /**
     * An existing topic must be compacted and take the release, or publishing would silently misbehave; one stored
     * compressed works, but readers are not protected against decompression bombs on it: said at WARN.
     */
    private void checkExisting(Admin admin, int releaseBytes) throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
            config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof AuthorizationException)) {
                throw e;
            }
            log.warn(
                    "Not allowed to read the settings of topic {} (DESCRIBE_CONFIGS), so cannot check that it is "
                            + "compacted and takes {} bytes; publishing anyway",
                    topic,
                    releaseBytes);
            return;
        }
        if (!ModelsTopicConfig.compacted(config)) {
            throw new IllegalStateException("topic " + topic + " exists with cleanup.policy="
                    + config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()
                    + "; model releases need a compacted topic (cleanup.policy=compact)");
        }
        ModelsTopicConfig.problems(topic, config).forEach(log::warn);
        int max = Integer.parseInt(
                config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        if (max < releaseBytes + 64 * 1024) {
            throw new IllegalStateException("topic " + topic + " takes messages up to " + max
                    + " bytes, the release is " + releaseBytes + " bytes; raise max.message.bytes");
        }
    }

    private Properties copy() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        return props;
    }
}
