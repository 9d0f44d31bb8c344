package ecgdetector.schemas;

/** Why an input record is not a valid heartbeat window: a {@link DeadLetterReason} of the decoder. */
public enum RejectReason implements DeadLetterReason {
    /** No value, or only whitespace. */
    EMPTY,
    /** The value (or the key) is larger than the configured bound; it is not read at all. */
    OVERSIZED,
    /** The key or value is not valid UTF-8. */
    INVALID_ENCODING,
    /** Neither a CSV line of numbers nor a JSON object: bad syntax, a non-number, several lines, trailing data. */
    UNPARSABLE,
    /** JSON with a field of the wrong type, e.g. samples as a string or a non-object document. */
    WRONG_TYPE,
    /** A JSON object without {@code samples}. */
    MISSING_FIELD,
    /** Not as many samples as the window length (plus an optional label column in CSV). */
    WRONG_LENGTH,
    /** A sample is NaN or infinite. */
    NON_FINITE,
    /** A sample (or the timestamp or label) is a number of absurd magnitude, or too large for a float. */
    OUT_OF_RANGE
}
