package ecgdetector.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class EcgTopicsTest {

    @Test
    void defaultsAreTheProjectNames() {
        assertThat(EcgTopics.defaults().names())
                .containsExactly("ecg.heartbeats", "ecg.heartbeats.dlq", "ecg.alerts", "ecg.scores", "ecg.models");
    }

    @Test
    void dataTopicsTakeThePartitionCountAndTheModelTopicIsOneCompactedPartition() {
        List<NewTopic> topics = EcgTopics.defaults().newTopics(4);

        assertThat(topics)
                .filteredOn(t -> !t.name().equals(EcgTopics.MODELS))
                .hasSize(4)
                .allSatisfy(t -> assertThat(t.numPartitions()).isEqualTo(4));
        NewTopic models = topics.stream()
                .filter(t -> t.name().equals(EcgTopics.MODELS))
                .findFirst()
                .orElseThrow();
        assertThat(models.numPartitions()).isEqualTo(1);
        assertThat(models.configs())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("max.message.bytes", "8388608");
        assertThat(EcgTopics.defaults().newTopics())
                .filteredOn(t -> t.name().equals(EcgTopics.SCORES))
                .singleElement()
                .satisfies(t -> assertThat(t.numPartitions()).isEqualTo(3));
    }

    @Test
    void prefixKeepsTestsApart() {
        EcgTopics prefixed = EcgTopics.defaults().withPrefix("t7.");

        assertThat(prefixed.heartbeats()).isEqualTo("t7.ecg.heartbeats");
        assertThat(prefixed.models()).isEqualTo("t7.ecg.models");
    }

    @Test
    void rejectsIllegalOrRepeatedNames() {
        assertThatThrownBy(() -> new EcgTopics("a b", "dlq", "alerts", "scores", "models"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heartbeats");
        assertThatThrownBy(() -> new EcgTopics("same", "dlq", "alerts", "scores", "same"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differ");
        assertThatThrownBy(() -> EcgTopics.defaults().newTopics(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
