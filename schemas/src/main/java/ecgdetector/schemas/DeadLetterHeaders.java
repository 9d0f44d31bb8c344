package ecgdetector.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers the streamer adds to a record it dead-letters, on top of the record's own headers (kept as they
 * were). Values are UTF-8 strings; numbers in decimal.
 */
public final class DeadLetterHeaders {

    /** {@link DeadLetterReason#name()}, e.g. {@code WRONG_LENGTH}. */
    public static final String REASON = "ecg.dlq.reason";
    /** A short sentence saying what exactly is wrong. */
    public static final String DETAIL = "ecg.dlq.detail";
    /** Topic, partition, offset and timestamp of the original record. */
    public static final String TOPIC = "ecg.dlq.topic";

    public static final String PARTITION = "ecg.dlq.partition";
    public static final String OFFSET = "ecg.dlq.offset";
    public static final String TIMESTAMP = "ecg.dlq.timestamp";
    /** The version of the model that could not score the window (a {@link ScoringFailure} only). */
    public static final String MODEL_VERSION = "ecg.dlq.model.version";
    /**
     * On a dead letter in its reduced form only ({@link DeadLetter}): a sentence saying why it is not the input
     * record whole. Its value is then the original value's first bytes.
     */
    public static final String REDUCED = "ecg.dlq.reduced";
    /** On a reduced dead letter: the original value's size in bytes. */
    public static final String ORIGINAL_SIZE = "ecg.dlq.original.size";
    /** On a reduced dead letter: the original value's SHA-256, lower-case hex. */
    public static final String ORIGINAL_SHA256 = "ecg.dlq.original.sha256";
    /** On a reduced dead letter: how many of the input record's own headers it leaves out. */
    public static final String ORIGINAL_HEADERS = "ecg.dlq.original.headers";
    /** Prefix of all of them; earlier {@code ecg.dlq.*} headers of a re-driven record are replaced. */
    public static final String PREFIX = "ecg.dlq.";

    private DeadLetterHeaders() {}

    /**
     * A rejected input record's headers: {@code original} without any earlier {@code ecg.dlq.*} ones, then why
     * and where from. Origin fields that are unknown are empty strings.
     */
    public static Headers rejected(
            Iterable<Header> original,
            Rejection rejection,
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
        return why(headers, rejection.reason(), rejection.detail(), topic, partition, offset, timestamp);
    }

    /**
     * The headers of a valid window the model could not score: why, where from and the model's version. The
     * input's own headers are not among them: the batch buffer keeps the decoded window only.
     */
    public static Headers unscorable(
            ScoringFailure reason, String detail, WindowSource source, long timestamp, String modelVersion) {
        Headers headers = why(
                new RecordHeaders(),
                reason,
                detail,
                source.topic(),
                String.valueOf(source.partition()),
                String.valueOf(source.offset()),
                timestamp);
        return headers.add(MODEL_VERSION, utf8(String.valueOf(modelVersion)));
    }

    private static Headers why(
            Headers headers,
            DeadLetterReason reason,
            String detail,
            String topic,
            String partition,
            String offset,
            long timestamp) {
        headers.add(REASON, utf8(reason.name()));
        headers.add(DETAIL, utf8(detail));
        headers.add(TOPIC, utf8(topic));
        headers.add(PARTITION, utf8(partition));
        headers.add(OFFSET, utf8(offset));
        headers.add(TIMESTAMP, utf8(String.valueOf(timestamp)));
        return headers;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
