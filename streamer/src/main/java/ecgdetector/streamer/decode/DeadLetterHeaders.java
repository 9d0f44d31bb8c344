package ecgdetector.streamer.decode;

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
    /** Prefix of all of them; earlier {@code ecg.dlq.*} headers of a re-driven record are replaced. */
    public static final String PREFIX = "ecg.dlq.";

    private DeadLetterHeaders() {
    }
}
