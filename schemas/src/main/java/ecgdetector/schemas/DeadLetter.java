package ecgdetector.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A dead letter as it is written: the record whole when it fits the dead-letter topic and the producer, otherwise
 * its <b>reduced form</b>, which always fits, so that no record can stop the task that meets it (a record the
 * producer or the broker refuses fails the task, which then replays it for ever).
 *
 * <p>The reduced form, the contract a reader of the dead-letter topic can rely on:
 * <ul>
 *   <li>the {@code ecg.dlq.*} headers of the whole dead letter (reason, detail, origin), the detail cut to
 *       {@value #REDUCED_DETAIL_BYTES} bytes;</li>
 *   <li>{@link DeadLetterHeaders#REDUCED}: a sentence saying that and why it is reduced;</li>
 *   <li>{@link DeadLetterHeaders#ORIGINAL_SIZE} and {@link DeadLetterHeaders#ORIGINAL_SHA256}: the original
 *       value's size in bytes and SHA-256 (lower-case hex), to find or match the original;</li>
 *   <li>{@link DeadLetterHeaders#ORIGINAL_HEADERS}: how many of the record's own headers it leaves out (all of
 *       them);</li>
 *   <li>the key, if it is at most {@value #KEPT_KEY_BYTES} bytes (a patient id), else none;</li>
 *   <li>the value: the original value's first bytes, as many as fit (possibly none).</li>
 * </ul>
 *
 * @param reduced whether this is the reduced form
 */
public record DeadLetter(byte[] key, byte[] value, Headers headers, boolean reduced) {

    /** A record batch's own header, which a record alone in its batch pays too. */
    static final int BATCH_OVERHEAD_BYTES = 61;
    /** A record's fixed fields at their largest varint sizes: length, attributes, deltas, lengths, header count. */
    static final int RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
    /** A header's two length fields at their largest varint sizes. */
    static final int HEADER_OVERHEAD_BYTES = 5 + 5;
    /** Keys up to this size are kept in the reduced form; a patient id is far smaller. */
    public static final int KEPT_KEY_BYTES = 1024;
    /** The reduced form's detail header is cut to this many bytes. */
    public static final int REDUCED_DETAIL_BYTES = 512;
    /**
     * The least room a dead-letter topic must give: the reduced form's headers and key. Below it not even the
     * reduced form is guaranteed to fit, so the streamer refuses to start.
     */
    public static final int MIN_LIMIT_BYTES = 4 * 1024;

    /**
     * The dead letter of {@code key}, {@code value} and {@code headers} (the record's own headers followed by the
     * {@code ecg.dlq.*} ones): whole if its size is at most {@code maxBytes}, else reduced.
     *
     * @param maxBytes the largest record the dead-letter topic and the producer both take
     */
    public static DeadLetter of(byte[] key, byte[] value, Headers headers, int maxBytes) {
        if (maxBytes < MIN_LIMIT_BYTES) {
            throw new IllegalArgumentException("a dead-letter limit of " + maxBytes + " bytes is below the "
                    + MIN_LIMIT_BYTES + " the reduced form needs");
        }
        long whole = sizeUpperBound(key, value, headers);
        if (whole <= maxBytes) {
            return new DeadLetter(key, value, headers, false);
        }
        return reduce(key, value, headers, whole, maxBytes);
    }

    private static DeadLetter reduce(byte[] key, byte[] value, Headers headers, long whole, int maxBytes) {
        Headers out = new RecordHeaders();
        int dropped = 0;
        for (Header h : headers) {
            if (!h.key().startsWith(DeadLetterHeaders.PREFIX)) {
                dropped++;
            } else if (h.key().equals(DeadLetterHeaders.DETAIL)) {
                out.add(DeadLetterHeaders.DETAIL, cut(h.value(), REDUCED_DETAIL_BYTES));
            } else {
                out.add(h);
            }
        }
        byte[] keptKey = key != null && key.length <= KEPT_KEY_BYTES ? key : null;
        int originalSize = value == null ? 0 : value.length;
        out.add(DeadLetterHeaders.ORIGINAL_SIZE, utf8(String.valueOf(originalSize)));
        out.add(DeadLetterHeaders.ORIGINAL_SHA256, utf8(sha256(value)));
        out.add(DeadLetterHeaders.ORIGINAL_HEADERS, utf8(String.valueOf(dropped)));
        String why = "the dead letter would be " + whole + " bytes, the dead-letter topic and the producer take "
                + maxBytes + ": this is its reduced form, with the value cut to its first bytes"
                + (dropped > 0 ? ", without the record's " + dropped + " headers" : "")
                + (key != null && keptKey == null ? ", without its key of " + key.length + " bytes" : "");
        out.add(DeadLetterHeaders.REDUCED, utf8(why));
        long fixed = sizeUpperBound(keptKey, new byte[0], out);
        int room = (int) Math.max(0, Math.min(originalSize, maxBytes - fixed));
        byte[] kept = value == null ? null : Arrays.copyOf(value, room);
        return new DeadLetter(keptKey, kept, out, true);
    }

    /**
     * An upper bound of the bytes a record takes alone in its record batch, batch header included: what the
     * producer compares with {@code max.request.size} and the broker with {@code max.message.bytes}.
     */
    public static long sizeUpperBound(byte[] key, byte[] value, Iterable<Header> headers) {
        long size = BATCH_OVERHEAD_BYTES + RECORD_OVERHEAD_BYTES;
        size += key == null ? 0 : key.length;
        size += value == null ? 0 : value.length;
        for (Header h : headers) {
            size += HEADER_OVERHEAD_BYTES + utf8(h.key()).length + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** The SHA-256 of {@code bytes} in lower-case hex; of no bytes for null. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes == null ? new byte[0] : bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** At most {@code max} bytes of UTF-8 text, cut before a character that would not fit whole. */
    private static byte[] cut(byte[] utf8, int max) {
        if (utf8 == null || utf8.length <= max) {
            return utf8;
        }
        int end = max;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(utf8, end);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
