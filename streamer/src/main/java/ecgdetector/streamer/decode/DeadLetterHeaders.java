package ecgdetector.streamer.decode;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers the streamer adds to a record it dead-letters, on top of the record's own headers (kept as they
 * were). Values are UTF-8 strings; numbers in decimal.
 */
public final class DeadLetterHeaders {

    /** {@link RejectReason#name()}, e.g. {@code WRONG_LENGTH}. */
    public static final String REASON = "ecg.dlq.reason";
    /** A short sentence saying what exactly is wrong. */
    public static final String DETAIL = "ecg.dlq.detail";
    /** Topic, partition, offset and timestamp of the original record. */
    public static final String TOPIC = "ecg.dlq.topic";

    public static final String PARTITION = "ecg.dlq.partition";
    public static final String OFFSET = "ecg.dlq.offset";
    public static final String TIMESTAMP = "ecg.dlq.timestamp";
    /** The version of the model that could not score the window ({@code SCORING_FAILED}, {@code NON_FINITE_SCORE}). */
    public static final String MODEL_VERSION = "ecg.dlq.model.version";
    /** Prefix of all of them; earlier {@code ecg.dlq.*} headers of a re-driven record are replaced. */
    public static final String PREFIX = "ecg.dlq.";

    private DeadLetterHeaders() {}

    /**
     * A dead letter's headers: {@code original} without any earlier {@code ecg.dlq.*} ones, then why and where
     * from. Origin fields that are unknown are empty strings.
     */
    public static Headers of(
            Iterable<Header> original,
            RejectReason reason,
            String detail,
            String topic,
            String partition,
            String offset,
            long timestamp) {
        Headers headers = new RecordHeaders();
        for (Header h : original) {
            if (!h.key().startsWith(PREFIX)) {
                headers.add(h);
            }
        }
        headers.add(REASON, utf8(reason.name()));
        headers.add(DETAIL, utf8(detail));
        headers.add(TOPIC, utf8(topic));
        headers.add(PARTITION, utf8(partition));
        headers.add(OFFSET, utf8(offset));
        headers.add(TIMESTAMP, utf8(String.valueOf(timestamp)));
        return headers;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
