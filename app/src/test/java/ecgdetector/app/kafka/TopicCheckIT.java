package ecgdetector.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.kafka.TopicCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TopicCheck} (model) against a real broker; here because app's tests have one. */
@ExtendWith(KafkaBrokerExtension.class)
class TopicCheckIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void describesTheTopicsThatExistAndNamesTheOnesThatDoNot(EmbeddedKafkaBroker broker) {
        String topic = KafkaTestUtils.uniqueTopic("checked");
        String absent = KafkaTestUtils.uniqueTopic("absent");
        broker.createTopic(topic, 3, Map.of());

        TopicCheck.Result result =
                TopicCheck.describe(broker.clientProperties(), List.of(topic, absent), TIMEOUT, "DESCRIBE");

        assertThat(result.found()).containsOnlyKeys(topic);
        assertThat(result.partitions(topic))
                .containsExactly(
                        new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2));
        assertThat(result.missing()).containsExactly(absent);
        assertThat(result.notDescribable()).isEmpty();
        assertThatThrownBy(() -> result.partitions(absent))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topic " + absent + " does not exist");
    }

    @Test
    void aClusterThatDoesNotAnswerFailsInOneLine() {
        Map<String, String> nowhere = Map.of("bootstrap.servers", "127.0.0.1:9");

        assertThatThrownBy(() -> TopicCheck.describe(nowhere, List.of("t"), Duration.ofSeconds(1), "DESCRIBE"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Kafka at 127.0.0.1:9 did not answer within 1 s");
    }
}
