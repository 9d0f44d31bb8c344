package ecgdetector.broker;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The project's topics: their names and the settings they are created with.
 *
 * <p>{@link #defaults()} holds the real names ({@link #HEARTBEATS} and so on). Tests that share one broker
 * take a {@link #withPrefix(String) prefixed} copy so their records never mix.
 *
 * @param heartbeats    heartbeat windows coming in
 * @param heartbeatsDlq input records that could not be read, with the reason in their headers
 * @param alerts        heartbeats scored as anomalous
 * @param scores        every heartbeat's anomaly score
 * @param models        model releases; compacted, so it keeps the latest release per key
 */
public record EcgTopics(String heartbeats, String heartbeatsDlq, String alerts, String scores, String models) {

    public static final String HEARTBEATS = "ecg.heartbeats";
    public static final String HEARTBEATS_DLQ = "ecg.heartbeats.dlq";
    public static final String ALERTS = "ecg.alerts";
    public static final String SCORES = "ecg.scores";
    public static final String MODELS = "ecg.models";

    public static final int DEFAULT_DATA_PARTITIONS = 3;
    /** One partition: releases form a single ordered history that every scorer reads in full. */
    public static final int MODELS_PARTITIONS = 1;
    /** A model release travels as one record; matches {@link EmbeddedKafkaBroker#MAX_MESSAGE_BYTES}. */
    public static final int MODELS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    public static final Map<String, String> MODELS_CONFIGS =
            Map.of("cleanup.policy", "compact", "max.message.bytes", String.valueOf(MODELS_MAX_MESSAGE_BYTES));

    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);

    public EcgTopics {
        List<String> names = List.of(
                checkName(heartbeats, "heartbeats"),
                checkName(heartbeatsDlq, "heartbeatsDlq"),
                checkName(alerts, "alerts"),
                checkName(scores, "scores"),
                checkName(models, "models"));
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("Topic names must differ, got " + names);
        }
    }

    public static EcgTopics defaults() {
        return new EcgTopics(HEARTBEATS, HEARTBEATS_DLQ, ALERTS, SCORES, MODELS);
    }

    /** The same topics with every name prefixed, e.g. {@code "t7."} gives {@code t7.ecg.heartbeats}. */
    public EcgTopics withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return new EcgTopics(
                prefix + heartbeats, prefix + heartbeatsDlq, prefix + alerts, prefix + scores, prefix + models);
    }

    public List<String> names() {
        return List.of(heartbeats, heartbeatsDlq, alerts, scores, models);
    }

    /** The topics as they are created: data topics with {@code dataPartitions}, the model topic compacted. */
    public List<NewTopic> newTopics(int dataPartitions) {
        if (dataPartitions < 1) {
            throw new IllegalArgumentException("dataPartitions must be at least 1, got " + dataPartitions);
        }
        return List.of(
                dataTopic(heartbeats, dataPartitions),
                dataTopic(heartbeatsDlq, dataPartitions),
                dataTopic(alerts, dataPartitions),
                dataTopic(scores, dataPartitions),
                new NewTopic(models, Optional.of(MODELS_PARTITIONS), Optional.empty()).configs(MODELS_CONFIGS));
    }

    public List<NewTopic> newTopics() {
        return newTopics(DEFAULT_DATA_PARTITIONS);
    }

    /**
     * Creates the topics that are missing, on any cluster the admin client reaches; existing topics are left
     * as they are. Replication follows the cluster's {@code default.replication.factor}.
     */
    public void createAll(Admin admin, int dataPartitions) {
        Topics.createIfAbsent(admin, newTopics(dataPartitions), CREATE_TIMEOUT);
    }

    public void createAll(EmbeddedKafkaBroker broker, int dataPartitions) {
        broker.createTopics(newTopics(dataPartitions));
    }

    public void createAll(EmbeddedKafkaBroker broker) {
        createAll(broker, DEFAULT_DATA_PARTITIONS);
    }

    private static NewTopic dataTopic(String name, int partitions) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty());
    }

    private static String checkName(String name, String role) {
        if (name == null || !LEGAL_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("Illegal Kafka topic name for " + role + ": '" + name + "'");
        }
        return name;
    }
}
