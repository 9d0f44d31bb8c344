package ecgdetector.streamer.decode;

import ecgdetector.model.input.DecimalParser;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.Rejection;
import ecgdetector.schemas.RejectionException;
import ecgdetector.schemas.WindowShape;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns one {@code ecg.heartbeats} record into a {@link HeartbeatWindow} or a {@link Rejection}, detecting the
 * format per record:
 * <ul>
 *   <li><b>CSV</b>: {@code windowLength} comma-separated numbers, optionally followed by one more column, the
 *       label (so a raw line of {@code ecg.csv} works unchanged). Spaces and tabs around fields, CR/LF and a
 *       trailing newline are tolerated; a second line is not. Numbers follow {@link DecimalParser}'s grammar,
 *       the trainer's.</li>
 *   <li><b>JSON</b> (first non-blank character {@code {}): read by {@link HeartbeatJson}, the format's one
 *       reader.</li>
 * </ul>
 * Before either, the record as a whole: a key of at most {@value #MAX_KEY_BYTES} bytes of UTF-8, a value of at
 * most {@code maxRecordBytes} that is valid UTF-8 and not blank. A window is valid when it has the
 * {@link WindowShape}'s number of samples, each within its bounds. The decoder never throws on bad input; every
 * problem is a {@link Rejection}. It is stateless and thread-safe.
 */
public final class HeartbeatDecoder {

    /** Record keys (patient ids) longer than this are refused: an id, not a payload. */
    public static final int MAX_KEY_BYTES = HeartbeatJson.MAX_ID_LENGTH;

    /** The most bytes of a bad CSV field a rejection quotes. */
    private static final int MAX_EXCERPT_BYTES = 160;

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final WindowShape shape;
    private final int maxRecordBytes;
    private final HeartbeatJson json;

    public HeartbeatDecoder(int windowLength, double maxAbsSample, int maxRecordBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "invalid decoder bound: records of at most " + maxRecordBytes + " bytes");
        }
        this.shape = new WindowShape(windowLength, maxAbsSample);
        this.maxRecordBytes = maxRecordBytes;
        this.json = new HeartbeatJson(shape);
    }

    /**
     * Decodes one record.
     *
     * @param key             the record key, the patient/monitor id as UTF-8, or null
     * @param value           the record value
     * @param recordTimestamp the record's timestamp, the event time unless the JSON gives one
     */
    public Decoded decode(byte[] key, byte[] value, long recordTimestamp) {
        try {
            return decodeChecked(key, value, recordTimestamp);
        } catch (RejectionException e) {
            return e.rejection();
        } catch (RuntimeException e) {
            // A decoder bug must not stop the stream: the record is dead-lettered with what went wrong.
            return new Rejection(RejectReason.UNPARSABLE, "decoder error: " + e);
        }
    }

    private Decoded decodeChecked(byte[] key, byte[] value, long recordTimestamp) throws RejectionException {
        String patientId = patientId(key);
        int from = valueStart(value);
        int to = valueEnd(value, from);
        if (from == to) {
            throw new RejectionException(RejectReason.EMPTY, "record value is only whitespace");
        }
        if (!isAscii(value, from, to) && utf8(value, from, to) == null) {
            throw new RejectionException(RejectReason.INVALID_ENCODING, "record value is not valid UTF-8");
        }
        byte first = value[from];
        if (first == '{') {
            return json.read(value, from, to, patientId, recordTimestamp);
        }
        if (first == '[' || first == '"') {
            throw new RejectionException(
                    RejectReason.WRONG_TYPE, "JSON value is not an object; send {\"samples\": [...]} or a CSV line");
        }
        return decodeCsv(value, from, to, patientId, recordTimestamp);
    }

    /** The record key as text, or null without one. */
    private static String patientId(byte[] key) throws RejectionException {
        if (key == null || key.length == 0) {
            return null;
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new RejectionException(
                    RejectReason.OVERSIZED,
                    "record key of " + key.length + " bytes, at most " + MAX_KEY_BYTES + " allowed");
        }
        String text = utf8(key, 0, key.length);
        if (text == null) {
            throw new RejectionException(RejectReason.INVALID_ENCODING, "record key is not valid UTF-8");
        }
        return text;
    }

    /** Where the value's content starts, past a UTF-8 BOM and blanks; the value must exist and fit the bound. */
    private int valueStart(byte[] value) throws RejectionException {
        if (value == null || value.length == 0) {
            throw new RejectionException(
                    RejectReason.EMPTY, value == null ? "record has no value" : "record value is empty");
        }
        if (value.length > maxRecordBytes) {
            throw new RejectionException(
                    RejectReason.OVERSIZED,
                    "record value of " + value.length + " bytes, at most " + maxRecordBytes + " allowed");
        }
        int from = startsWith(value, UTF8_BOM) ? UTF8_BOM.length : 0;
        while (from < value.length && isBlank(value[from])) {
            from++;
        }
        return from;
    }

    /** Where the value's content ends, before trailing blanks. */
    private static int valueEnd(byte[] value, int from) {
        int to = value.length;
        while (to > from && isBlank(value[to - 1])) {
            to--;
        }
        return to;
    }

    private HeartbeatWindow decodeCsv(byte[] line, int from, int to, String patientId, long recordTimestamp)
            throws RejectionException {
        int end = csvFieldsEnd(line, from, to);
        float[] samples = new float[shape.length()];
        Double label = parseCsvFields(line, from, end, samples);
        return new HeartbeatWindow(patientId, null, recordTimestamp, samples, label);
    }

    /**
     * Where the fields to read end: {@code to}, or the last comma when it opens an empty label column (a common
     * export artefact: no label). The line must be one line of the window's length, plus a label or not.
     */
    private int csvFieldsEnd(byte[] line, int from, int to) throws RejectionException {
        int columns = 1;
        int lastComma = -1;
        for (int i = from; i < to; i++) {
            byte b = line[i];
            if (b == ',') {
                columns++;
                lastComma = i;
            } else if (b == '\n' || b == '\r') {
                throw new RejectionException(RejectReason.UNPARSABLE, "more than one line in one record");
            }
        }
        int length = shape.length();
        if (columns == length + 1 && isBlankField(line, lastComma + 1, to)) {
            return lastComma;
        }
        if (columns != length && columns != length + 1) {
            throw new RejectionException(
                    RejectReason.WRONG_LENGTH,
                    columns + " CSV columns, expected " + length + " samples (and optionally a label)");
        }
        return to;
    }

    /**
     * Parses the comma-separated fields of {@code line[from, to)} into {@code samples}, checking each.
     *
     * @return the label column's value, or null when the line has none
     */
    private Double parseCsvFields(byte[] line, int from, int to, float[] samples) throws RejectionException {
        Double label = null;
        int column = 0;
        int fieldStart = from;
        for (int i = from; i <= to; i++) {
            if (i < to && line[i] != ',') {
                continue;
            }
            int a = fieldStart;
            int b = i;
            while (a < b && isSpace(line[a])) {
                a++;
            }
            while (b > a && isSpace(line[b - 1])) {
                b--;
            }
            float v = parseCsvNumber(line, a, b, column);
            if (column == samples.length) {
                if (!Float.isFinite(v)) {
                    throw new RejectionException(
                            RejectReason.OUT_OF_RANGE, "label column overflows: '" + excerpt(line, a, b) + "'");
                }
                label = (double) v;
            } else {
                shape.checkSample(column, v);
                samples[column] = v;
            }
            column++;
            fieldStart = i + 1;
        }
        return label;
    }

    private float parseCsvNumber(byte[] line, int from, int to, int column) throws RejectionException {
        long parsed = DecimalParser.parse(line, from, to);
        if (parsed == DecimalParser.NOT_A_NUMBER) {
            throw new RejectionException(
                    RejectReason.UNPARSABLE, csvField(column) + " is not a number: '" + excerpt(line, from, to) + "'");
        }
        if (parsed == DecimalParser.NON_FINITE_WORD) {
            throw new RejectionException(RejectReason.NON_FINITE, csvField(column) + " is " + excerpt(line, from, to));
        }
        return DecimalParser.toFloat(parsed);
    }

    /** The CSV column's name in a rejection; built only then, as it costs more than parsing the field. */
    private String csvField(int column) {
        return column == shape.length() ? "label column" : "sample " + column;
    }

    /** Strict UTF-8 decoding; null if the bytes are not valid UTF-8. */
    private static String utf8(byte[] bytes, int from, int to) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isAscii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static boolean isBlankField(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isSpace(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String excerpt(byte[] bytes, int from, int to) {
        return Rejection.excerpt(
                new String(bytes, from, Math.min(to - from, MAX_EXCERPT_BYTES), StandardCharsets.UTF_8));
    }
}
