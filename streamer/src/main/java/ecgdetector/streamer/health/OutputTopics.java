package ecgdetector.streamer.health;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Whether the streamer can write to its output topics, as the cluster describes them: the topic exists, and each
 * partition has a leader with at least {@code min.insync.replicas} replicas in sync, or all of them when it has
 * fewer replicas than that (Kafka 4's effective minimum, with eligible leader replicas): the streamer's producer
 * writes with {@code acks=all}, so a partition short of them refuses every write. A topic that cannot be written
 * holds up every window of the tasks that write to it; the progress check sees that too, later.
 */
public final class OutputTopics {

    private OutputTopics() {}

    /**
     * @param topics      the output topics
     * @param described   their descriptions; a topic missing here does not exist
     * @param minInSync   each topic's {@code min.insync.replicas}, where it could be read
     * @return one sentence per topic that cannot be written, by topic
     */
    public static Map<String, String> problems(
            Collection<String> topics, Map<String, TopicDescription> described, Map<String, Integer> minInSync) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String topic : topics) {
            TopicDescription d = described.get(topic);
            if (d == null) {
                out.put(
                        topic,
                        "output topic " + topic + " does not exist: the tasks that write to it are stopped until it"
                                + " is created again (with the configs of the topic contract)");
                continue;
            }
            int configured = minInSync.getOrDefault(topic, 1);
            for (TopicPartitionInfo p : d.partitions()) {
                int needed = Math.min(configured, Math.max(1, p.replicas().size()));
                if (p.leader() == null || p.leader().isEmpty()) {
                    out.put(
                            topic,
                            "output topic " + topic + " partition " + p.partition() + " has no leader: writes to it"
                                    + " wait until one is elected");
                    break;
                }
                if (p.isr().size() < needed) {
                    out.put(
                            topic,
                            "output topic " + topic + " partition " + p.partition() + " has "
                                    + p.isr().size()
                                    + " in-sync replica(s) and needs " + needed + " (min.insync.replicas=" + configured
                                    + "): every write to it is"
                                    + " refused (NOT_ENOUGH_REPLICAS)");
                    break;
                }
            }
        }
        return out;
    }
}
