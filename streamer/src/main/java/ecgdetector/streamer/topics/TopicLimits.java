package ecgdetector.streamer.topics;

import ecgdetector.schemas.DeadLetter;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The sizes that decide whether a dead letter can be written whole, read at startup: the dead-letter topic's
 * {@code max.message.bytes}, the streamer producer's {@code max.request.size}, and the input topic's own limit
 * and {@code compression.type}, which decide how large a record the streamer can be handed.
 *
 * <p>The size decision is made before a dead letter is forwarded ({@link DeadLetter#of}), against
 * {@link #deadLetterMaxBytes()}: Kafka Streams' production exception handler could only drop a record the broker
 * refused or fail the task, never write it smaller.
 *
 * @param inputMaxMessageBytes the input topic's {@code max.message.bytes}, if it could be read
 * @param inputCompression     the input topic's {@code compression.type}, if it could be read
 * @param dlqMaxMessageBytes   the dead-letter topic's {@code max.message.bytes}, if it could be read
 * @param producerMaxRequestBytes the streamer producer's {@code max.request.size}
 */
public record TopicLimits(
        OptionalInt inputMaxMessageBytes,
        Optional<String> inputCompression,
        OptionalInt dlqMaxMessageBytes,
        int producerMaxRequestBytes) {

    /** Kafka's default {@code message.max.bytes}, assumed for a dead-letter topic whose configs cannot be read. */
    public static final int KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

    static final String UNCOMPRESSED = "uncompressed";

    /** Limits known from the producer alone (no cluster to ask, as under {@code TopologyTestDriver}). */
    public static TopicLimits producerOnly(int producerMaxRequestBytes) {
        return new TopicLimits(OptionalInt.empty(), Optional.empty(), OptionalInt.empty(), producerMaxRequestBytes);
    }

    /** From the topics' described configs ({@code name -> key -> value}); a topic missing from them is unknown. */
    static TopicLimits of(Map<String, Map<String, String>> configs, TopicNames topics, int producerMaxRequestBytes) {
        Map<String, String> input = configs.getOrDefault(topics.heartbeats(), Map.of());
        Map<String, String> dlq = configs.getOrDefault(topics.heartbeatsDlq(), Map.of());
        return new TopicLimits(
                integer(input.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)),
                Optional.ofNullable(input.get(TopicConfig.COMPRESSION_TYPE_CONFIG)),
                integer(dlq.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)),
                producerMaxRequestBytes);
    }

    /** The largest dead letter the dead-letter topic and the producer both take. */
    public int deadLetterMaxBytes() {
        return Math.min(dlqMaxMessageBytes.orElse(KAFKA_DEFAULT_MAX_MESSAGE_BYTES), producerMaxRequestBytes);
    }

    /** Why the streamer cannot run with these limits, if it cannot: not even a reduced dead letter would fit. */
    public Optional<String> refusal(TopicNames topics) {
        if (deadLetterMaxBytes() >= DeadLetter.MIN_LIMIT_BYTES) {
            return Optional.empty();
        }
        return Optional.of("the dead-letter topic " + topics.heartbeatsDlq() + " and the producer take records of "
                + deadLetterMaxBytes() + " bytes at most (max.message.bytes, max.request.size), below the "
                + DeadLetter.MIN_LIMIT_BYTES + " even a reduced dead letter needs");
    }

    /** What an operator should change, one line each: nothing when the topics are as the contract defines them. */
    public List<String> warnings(TopicNames topics) {
        List<String> out = new ArrayList<>();
        inputCompression
                .filter(c -> !c.equals(UNCOMPRESSED))
                .ifPresent(c -> out.add("Input topic " + topics.heartbeats() + " has compression.type=" + c
                        + ": a record its producer compressed (100 MB of one byte is a few KB in zstd) passes its "
                        + "max.message.bytes"
                        + inputMaxMessageBytes.stream()
                                .mapToObj(n -> " of " + n)
                                .findFirst()
                                .orElse("")
                        + " and reaches the streamer whole, far beyond ecg.record.max.bytes; set compression.type="
                        + UNCOMPRESSED + " on it so that the broker checks the size it stores and refuses such a "
                        + "record at produce time (kafka-configs.sh --alter --entity-type topics --entity-name "
                        + topics.heartbeats() + " --add-config compression.type=" + UNCOMPRESSED + ")"));
        if (inputMaxMessageBytes.isPresent()) {
            int input = inputMaxMessageBytes.getAsInt();
            int needed = input + EcgTopic.DEAD_LETTER_HEADROOM_BYTES;
            if (deadLetterMaxBytes() < needed) {
                out.add("The dead-letter topic " + topics.heartbeatsDlq() + " takes records of "
                        + dlqMaxMessageBytes.stream()
                                .mapToObj(String::valueOf)
                                .findFirst()
                                .orElse("(unknown)")
                        + " bytes and the producer of " + producerMaxRequestBytes + " (max.request.size), the input"
                        + " topic " + topics.heartbeats() + " of " + input + ": the dead letter of a record near the"
                        + " input's limit is written in its reduced form (header ecg.dlq.reduced: the first bytes,"
                        + " the size and SHA-256 of the original); to keep every dead letter whole, give "
                        + topics.heartbeatsDlq() + " max.message.bytes=" + needed
                        + (producerMaxRequestBytes < needed ? " and producer.max.request.size=" + needed : ""));
            }
        }
        if (dlqMaxMessageBytes.isEmpty()) {
            out.add("Could not read max.message.bytes of the dead-letter topic " + topics.heartbeatsDlq()
                    + " (DESCRIBE_CONFIGS on it lets the streamer read it): assuming Kafka's default "
                    + KAFKA_DEFAULT_MAX_MESSAGE_BYTES + "; larger dead letters are written in their reduced form");
        }
        return out;
    }

    private static OptionalInt integer(String value) {
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
