package ecgdetector.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void defaultsAreTheContractsNamesInItsOrder() {
        assertThat(TopicNames.defaults().names())
                .containsExactly(
                        "ecg.heartbeats", "ecg.heartbeats.dlq", "ecg.alerts", "ecg.scores", "ecg.alarms", "ecg.models")
                .containsExactlyElementsOf(Arrays.stream(EcgTopic.values())
                        .map(EcgTopic::defaultName)
                        .toList());
        for (EcgTopic topic : EcgTopic.values()) {
            assertThat(TopicNames.defaults().name(topic)).isEqualTo(topic.defaultName());
        }
    }

    @Test
    void prefixKeepsTestsApart() {
        TopicNames prefixed = TopicNames.defaults().withPrefix("t7.");

        assertThat(prefixed.heartbeats()).isEqualTo("t7.ecg.heartbeats");
        assertThat(prefixed.models()).isEqualTo("t7.ecg.models");
    }

    @Test
    void rejectsIllegalOrRepeatedNames() {
        assertThatThrownBy(() -> new TopicNames("a b", "dlq", "alerts", "scores", "alarms", "models"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ecg.heartbeats")
                .hasMessageContaining("'a b'");
        assertThatThrownBy(() -> new TopicNames("same", "dlq", "alerts", "scores", "alarms", "same"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differ");
    }

    @Test
    void theModelsTopicIsOneCompactedPartitionThatTakesARelease() {
        assertThat(EcgTopic.MODELS.partitions(7)).isEqualTo(1);
        assertThat(EcgTopic.HEARTBEATS.partitions(7)).isEqualTo(7);
        assertThat(EcgTopic.MODELS.configs())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("max.message.bytes", String.valueOf(8 * 1024 * 1024));
    }

    @Test
    void theInputIsStoredUncompressedAndTheDeadLetterTopicTakesAnyInputRecordWithItsHeaders() {
        assertThat(EcgTopic.HEARTBEATS.configs())
                .containsEntry("compression.type", "uncompressed")
                .containsEntry("max.message.bytes", String.valueOf(EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES));
        int input = Integer.parseInt(EcgTopic.HEARTBEATS.configs().get("max.message.bytes"));
        int dlq = Integer.parseInt(EcgTopic.HEARTBEATS_DLQ.configs().get("max.message.bytes"));
        assertThat(dlq).isEqualTo(input + EcgTopic.DEAD_LETTER_HEADROOM_BYTES);
    }
}
