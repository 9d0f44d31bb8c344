package ecgdetector.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicSetupTest {

    @Test
    void everyContractTopicIsCreatedUnderItsDeploymentName() {
        TopicNames names = TopicNames.defaults().withPrefix("t7.");

        assertThat(TopicSetup.newTopics(names, 4)).extracting(NewTopic::name).containsExactlyElementsOf(names.names());
    }

    @Test
    void dataTopicsTakeThePartitionCountAndTheModelsTopicIsOneCompactedPartition() {
        List<NewTopic> topics = TopicSetup.newTopics(TopicNames.defaults(), 4);

        assertThat(topics)
                .filteredOn(t -> !t.name().equals("ecg.models"))
                .hasSize(5)
                .allSatisfy(t -> {
                    assertThat(t.numPartitions()).isEqualTo(4);
                    assertThat(t.configs())
                            .isEqualTo(EcgTopic.valueOf(topicOf(t.name())).configs());
                });
        assertThat(topics.get(0).configs())
                .as("the input is stored uncompressed")
                .containsEntry("compression.type", "uncompressed");
        NewTopic alarms = topics.stream()
                .filter(t -> t.name().equals("ecg.alarms"))
                .findFirst()
                .orElseThrow();
        assertThat(alarms.configs())
                .as("alarms are kept 30 days, every transition")
                .containsOnly(Map.entry("cleanup.policy", "delete"), Map.entry("retention.ms", "2592000000"));
        NewTopic models = topics.stream()
                .filter(t -> t.name().equals("ecg.models"))
                .findFirst()
                .orElseThrow();
        assertThat(models.numPartitions()).isEqualTo(1);
        assertThat(models.configs())
                .containsOnly(
                        Map.entry("cleanup.policy", "compact"),
                        Map.entry("compression.type", "uncompressed"),
                        Map.entry("max.message.bytes", "8388608"))
                .isEqualTo(EcgTopic.MODELS.configs());
    }

    @Test
    void rejectsAPartitionCountBelowOne() {
        assertThatThrownBy(() -> TopicSetup.newTopics(TopicNames.defaults(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    private static String topicOf(String name) {
        for (EcgTopic topic : EcgTopic.values()) {
            if (topic.defaultName().equals(name)) {
                return topic.name();
            }
        }
        throw new IllegalArgumentException(name);
    }
}
