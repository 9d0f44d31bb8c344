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
                .hasSize(4)
                .allSatisfy(t -> {
                    assertThat(t.numPartitions()).isEqualTo(4);
                    assertThat(t.configs()).isEmpty();
                });
        NewTopic models = topics.stream()
                .filter(t -> t.name().equals("ecg.models"))
                .findFirst()
                .orElseThrow();
        assertThat(models.numPartitions()).isEqualTo(1);
        assertThat(models.configs())
                .containsOnly(Map.entry("cleanup.policy", "compact"), Map.entry("max.message.bytes", "8388608"))
                .isEqualTo(EcgTopic.MODELS.configs());
    }

    @Test
    void rejectsAPartitionCountBelowOne() {
        assertThatThrownBy(() -> TopicSetup.newTopics(TopicNames.defaults(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
