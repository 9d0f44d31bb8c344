package ecgdetector.streamer.decode;

import java.util.Locale;

/**
 * Why a record went to the dead-letter topic; the {@code ecg.dlq.reason} header and a metric tag. All but the
 * last two say why an input record is not a valid heartbeat window; the last two are valid windows the serving
 * model could not score.
 */
public enum RejectReason {
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
    OUT_OF_RANGE,
    /** A valid window on which inference failed, alone in its batch too. */
    SCORING_FAILED,
    /** A valid window to which the model gave a NaN or infinite score. */
    NON_FINITE_SCORE;

    /** Lower-case form used in headers and metric tags, e.g. {@code wrong_length}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
