package ecgdetector.broker;

import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Creates the project's topics as the contract ({@link EcgTopic}) defines them, under the names a deployment
 * gives them ({@link TopicNames}): the configs and fixed partition counts come from the contract, the data
 * topics' partition count from the caller.
 */
public final class TopicSetup {

    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);

    private TopicSetup() {}

    /** Every topic as it is created: data topics with {@code dataPartitions}, the rest as the contract fixes. */
    public static List<NewTopic> newTopics(TopicNames names, int dataPartitions) {
        if (dataPartitions < 1) {
            throw new IllegalArgumentException("dataPartitions must be at least 1, got " + dataPartitions);
        }
        return Arrays.stream(EcgTopic.values())
                .map(topic -> new NewTopic(
                                names.name(topic), Optional.of(topic.partitions(dataPartitions)), Optional.empty())
                        .configs(topic.configs()))
                .toList();
    }

    /**
     * Creates the topics that are missing, on any cluster the admin client reaches; existing topics are left
     * as they are. Replication follows the cluster's {@code default.replication.factor}.
     */
    public static void createAll(Admin admin, TopicNames names, int dataPartitions) {
        Topics.createIfAbsent(admin, newTopics(names, dataPartitions), CREATE_TIMEOUT);
    }

    public static void createAll(EmbeddedKafkaBroker broker, TopicNames names, int dataPartitions) {
        broker.createTopics(newTopics(names, dataPartitions));
    }

    /** {@link #createAll(EmbeddedKafkaBroker, TopicNames, int)} with {@link EcgTopic#DEFAULT_PARTITIONS}. */
    public static void createAll(EmbeddedKafkaBroker broker, TopicNames names) {
        createAll(broker, names, EcgTopic.DEFAULT_PARTITIONS);
    }
}
