package ecgdetector.streamer.topics;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.DeadLetter;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The startup checks of the topics' limits, as the described configs give them. */
class TopicLimitsTest {

    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final int PRODUCER = 16 * 1024 * 1024;

    private static TopicLimits limits(Map<String, String> input, Map<String, String> dlq, int producer) {
        return TopicLimits.of(Map.of(TOPICS.heartbeats(), input, TOPICS.heartbeatsDlq(), dlq), TOPICS, producer);
    }

    @Test
    void topicsAsTheContractDefinesThemNeedNoChange() {
        TopicLimits limits = limits(EcgTopic.HEARTBEATS.configs(), EcgTopic.HEARTBEATS_DLQ.configs(), PRODUCER);

        assertThat(limits.warnings(TOPICS)).isEmpty();
        assertThat(limits.refusal(TOPICS)).isEmpty();
        assertThat(limits.deadLetterMaxBytes()).isEqualTo(EcgTopic.DEAD_LETTERS_MAX_MESSAGE_BYTES);
    }

    @Test
    void anInputThatKeepsProducerCompressionGetsOneLineSayingHowToFixIt() {
        TopicLimits limits = limits(
                Map.of("compression.type", "producer", "max.message.bytes", "1048576"),
                EcgTopic.HEARTBEATS_DLQ.configs(),
                PRODUCER);

        assertThat(limits.warnings(TOPICS))
                .singleElement()
                .asString()
                .contains("Input topic ecg.heartbeats has compression.type=producer")
                .contains("--add-config compression.type=uncompressed")
                .doesNotContain("\n");
    }

    @Test
    void aDeadLetterTopicNoLargerThanTheInputMeansReducedDeadLettersAndSaysWhatToSet() {
        TopicLimits limits = limits(EcgTopic.HEARTBEATS.configs(), Map.of("max.message.bytes", "1048576"), PRODUCER);

        assertThat(limits.deadLetterMaxBytes()).isEqualTo(1_048_576);
        assertThat(limits.warnings(TOPICS))
                .singleElement()
                .asString()
                .contains("reduced form")
                .contains("max.message.bytes=" + (1_048_576 + EcgTopic.DEAD_LETTER_HEADROOM_BYTES));
    }

    @Test
    void theProducersLimitCountsAsMuchAsTheTopics() {
        TopicLimits limits = limits(EcgTopic.HEARTBEATS.configs(), EcgTopic.HEARTBEATS_DLQ.configs(), 500_000);

        assertThat(limits.deadLetterMaxBytes()).isEqualTo(500_000);
        assertThat(limits.warnings(TOPICS)).singleElement().asString().contains("producer.max.request.size=");
    }

    @Test
    void limitsTooSmallForEvenAReducedDeadLetterRefuseTheStart() {
        TopicLimits limits = limits(
                EcgTopic.HEARTBEATS.configs(),
                Map.of("max.message.bytes", String.valueOf(DeadLetter.MIN_LIMIT_BYTES - 1)),
                PRODUCER);

        assertThat(limits.refusal(TOPICS)).get().asString().contains("below the " + DeadLetter.MIN_LIMIT_BYTES);
    }

    @Test
    void aDeadLetterTopicWhoseConfigsCannotBeReadIsAssumedAtKafkasDefault() {
        TopicLimits limits =
                TopicLimits.of(Map.of(TOPICS.heartbeats(), EcgTopic.HEARTBEATS.configs()), TOPICS, PRODUCER);

        assertThat(limits.deadLetterMaxBytes()).isEqualTo(TopicLimits.KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(limits.warnings(TOPICS)).anyMatch(w -> w.startsWith("Could not read max.message.bytes"));
    }
}
