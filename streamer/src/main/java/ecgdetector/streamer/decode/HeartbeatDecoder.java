package ecgdetector.streamer.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import ecgdetector.model.input.DecimalParser;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.Rejection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Turns one {@code ecg.heartbeats} record into a {@link HeartbeatWindow} or a {@link Rejection}, detecting the
 * format per record:
 * <ul>
 *   <li><b>CSV</b>: {@code windowLength} comma-separated numbers, optionally followed by one more column, the
 *       label (so a raw line of {@code ecg.csv} works unchanged). Spaces and tabs around fields, CR/LF and a
 *       trailing newline are tolerated; a second line is not.</li>
 *   <li><b>JSON</b> (first non-blank character {@code {}): {@code patientId}, {@code beatId} (string or
 *       integer), {@code timestamp} (epoch ms or ISO-8601), {@code samples}, {@code label}; unknown fields are
 *       ignored, duplicate fields are refused. Schema: {@code schemas/json/heartbeat.schema.json}.</li>
 * </ul>
 * A window is valid when it has exactly {@code windowLength} samples, all finite and of magnitude at most
 * {@code maxAbsSample}. The decoder never throws on bad input; every problem is a {@link Rejection}. It is
 * stateless and thread-safe.
 */
public final class HeartbeatDecoder {

    /** Record keys (patient ids) longer than this are refused: an id, not a payload. */
    public static final int MAX_KEY_BYTES = 256;

    private static final int MAX_DETAIL_TOKEN = 40;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final int windowLength;
    private final double maxAbsSample;
    private final int maxRecordBytes;
    private final JsonFactory json;

    public HeartbeatDecoder(int windowLength, double maxAbsSample, int maxRecordBytes) {
        if (windowLength < 1 || !(maxAbsSample > 0) || maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "invalid decoder bounds: " + windowLength + ", " + maxAbsSample + ", " + maxRecordBytes);
        }
        this.windowLength = windowLength;
        this.maxAbsSample = maxAbsSample;
        this.maxRecordBytes = maxRecordBytes;
        this.json = JsonFactory.builder()
                // Parsed so that NaN is reported as non-finite rather than as a syntax error.
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(64).build())
                .build();
    }

    public int windowLength() {
        return windowLength;
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
        } catch (RuntimeException e) {
            // A decoder bug must not stop the stream: the record is dead-lettered with what went wrong.
            return new Rejection(RejectReason.UNPARSABLE, "decoder error: " + e);
        }
    }

    private Decoded decodeChecked(byte[] key, byte[] value, long recordTimestamp) {
        String keyText = null;
        if (key != null && key.length > 0) {
            if (key.length > MAX_KEY_BYTES) {
                return new Rejection(
                        RejectReason.OVERSIZED,
                        "record key of " + key.length + " bytes, at most " + MAX_KEY_BYTES + " allowed");
            }
            keyText = utf8(key, 0, key.length);
            if (keyText == null) {
                return new Rejection(RejectReason.INVALID_ENCODING, "record key is not valid UTF-8");
            }
        }
        if (value == null || value.length == 0) {
            return new Rejection(RejectReason.EMPTY, value == null ? "record has no value" : "record value is empty");
        }
        if (value.length > maxRecordBytes) {
            return new Rejection(
                    RejectReason.OVERSIZED,
                    "record value of " + value.length + " bytes, at most " + maxRecordBytes + " allowed");
        }
        int from = startsWith(value, UTF8_BOM) ? UTF8_BOM.length : 0;
        int to = value.length;
        while (from < to && isBlank(value[from])) {
            from++;
        }
        while (to > from && isBlank(value[to - 1])) {
            to--;
        }
        if (from == to) {
            return new Rejection(RejectReason.EMPTY, "record value is only whitespace");
        }
        if (!isAscii(value, from, to) && utf8(value, from, to) == null) {
            return new Rejection(RejectReason.INVALID_ENCODING, "record value is not valid UTF-8");
        }
        byte first = value[from];
        if (first == '{') {
            return decodeJson(value, from, to, keyText, recordTimestamp);
        }
        if (first == '[' || first == '"') {
            return new Rejection(
                    RejectReason.WRONG_TYPE, "JSON value is not an object; send {\"samples\": [...]} or a CSV line");
        }
        return decodeCsv(value, from, to, keyText, recordTimestamp);
    }

    private Decoded decodeCsv(byte[] line, int from, int to, String patientId, long recordTimestamp) {
        int columns = 1;
        int lastComma = -1;
        for (int i = from; i < to; i++) {
            byte b = line[i];
            if (b == ',') {
                columns++;
                lastComma = i;
            } else if (b == '\n' || b == '\r') {
                return new Rejection(RejectReason.UNPARSABLE, "more than one line in one record");
            }
        }
        if (columns == windowLength + 1 && isBlankField(line, lastComma + 1, to)) {
            // A trailing comma (an empty label column) is a common export artefact: no label.
            columns--;
            to = lastComma;
        }
        if (columns != windowLength && columns != windowLength + 1) {
            return new Rejection(
                    RejectReason.WRONG_LENGTH,
                    columns + " CSV columns, expected " + windowLength + " samples (and optionally a label)");
        }
        float[] samples = new float[windowLength];
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
            long parsed = DecimalParser.parse(line, a, b);
            boolean isLabel = column == windowLength;
            if (parsed == DecimalParser.NOT_A_NUMBER) {
                return new Rejection(
                        RejectReason.UNPARSABLE, csvField(column) + " is not a number: '" + token(line, a, b) + "'");
            }
            if (parsed == DecimalParser.NON_FINITE_WORD) {
                return new Rejection(RejectReason.NON_FINITE, csvField(column) + " is " + token(line, a, b));
            }
            float v = DecimalParser.toFloat(parsed);
            if (isLabel) {
                if (!Float.isFinite(v)) {
                    return new Rejection(
                            RejectReason.OUT_OF_RANGE, "label column overflows: '" + token(line, a, b) + "'");
                }
                label = (double) v;
            } else {
                Rejection bad = checkSample(column, v);
                if (bad != null) {
                    return bad;
                }
                samples[column] = v;
            }
            column++;
            fieldStart = i + 1;
        }
        return new HeartbeatWindow(patientId, null, recordTimestamp, samples, label);
    }

    /** The CSV column's name in a rejection; built only then, as it costs more than parsing the field. */
    private String csvField(int column) {
        return column == windowLength ? "label column" : "sample " + column;
    }

    private Rejection checkSample(int index, float v) {
        if (Float.isNaN(v)) {
            return new Rejection(RejectReason.NON_FINITE, "sample " + index + " is NaN");
        }
        if (Float.isInfinite(v)) {
            return new Rejection(RejectReason.OUT_OF_RANGE, "sample " + index + " overflows a float (|x| > 3.4e38)");
        }
        if (!(Math.abs(v) <= maxAbsSample)) {
            return new Rejection(
                    RejectReason.OUT_OF_RANGE, "sample " + index + " = " + v + " is beyond |x| <= " + maxAbsSample);
        }
        return null;
    }

    private Decoded decodeJson(byte[] value, int from, int to, String keyPatientId, long recordTimestamp) {
        String patientId = null;
        String beatId = null;
        Long timestamp = null;
        float[] samples = null;
        Double label = null;
        try (JsonParser p = json.createParser(value, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new Rejection(RejectReason.WRONG_TYPE, "JSON value is not an object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_NULL) {
                    continue; // an explicit null is the same as an absent field
                }
                switch (field) {
                    case "patientId" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return wrongType("patientId", "a string", v);
                        }
                        patientId = p.getText();
                        if (patientId.isEmpty() || patientId.length() > MAX_KEY_BYTES) {
                            return new Rejection(
                                    RejectReason.WRONG_TYPE,
                                    "patientId must have 1 to " + MAX_KEY_BYTES + " characters, has "
                                            + patientId.length());
                        }
                    }
                    case "beatId" -> {
                        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT) {
                            return wrongType("beatId", "a string or an integer", v);
                        }
                        beatId = p.getText();
                        if (beatId.length() > MAX_KEY_BYTES) {
                            return new Rejection(
                                    RejectReason.WRONG_TYPE, "beatId longer than " + MAX_KEY_BYTES + " characters");
                        }
                    }
                    case "timestamp" -> {
                        Object ts = timestamp(p, v);
                        if (ts instanceof Rejection r) {
                            return r;
                        }
                        timestamp = (Long) ts;
                    }
                    case "samples" -> {
                        if (v != JsonToken.START_ARRAY) {
                            return wrongType("samples", "an array of numbers", v);
                        }
                        Object s = samples(p);
                        if (s instanceof Rejection r) {
                            return r;
                        }
                        samples = (float[]) s;
                    }
                    case "label" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                            return wrongType("label", "a number", v);
                        }
                        double l = p.getDoubleValue();
                        if (!Double.isFinite(l)) {
                            return isNonFiniteWord(p)
                                    ? new Rejection(RejectReason.NON_FINITE, "label is " + p.getText())
                                    : new Rejection(
                                            RejectReason.OUT_OF_RANGE,
                                            "label overflows: '" + abbreviate(p.getText()) + "'");
                        }
                        label = l;
                    }
                    default -> p.skipChildren(); // unknown fields: forward compatible
                }
            }
            if (p.nextToken() != null) {
                return new Rejection(RejectReason.UNPARSABLE, "content after the JSON object");
            }
        } catch (StreamConstraintsException e) {
            return new Rejection(
                    RejectReason.UNPARSABLE,
                    "JSON too deeply nested or too large: " + abbreviate(e.getOriginalMessage()));
        } catch (JsonParseException e) {
            return new Rejection(RejectReason.UNPARSABLE, "not valid JSON: " + abbreviate(e.getOriginalMessage()));
        } catch (IOException e) {
            return new Rejection(RejectReason.UNPARSABLE, "not readable JSON: " + abbreviate(e.getMessage()));
        }
        if (samples == null) {
            return new Rejection(RejectReason.MISSING_FIELD, "JSON object has no 'samples'");
        }
        return new HeartbeatWindow(
                patientId != null ? patientId : keyPatientId,
                beatId,
                timestamp != null ? timestamp : recordTimestamp,
                samples,
                label);
    }

    /** The samples array, the parser on its START_ARRAY; returns float[] or a Rejection. */
    private Object samples(JsonParser p) throws IOException {
        float[] samples = new float[windowLength];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                return new Rejection(RejectReason.WRONG_TYPE, "sample " + n + " is " + describe(t) + ", not a number");
            }
            if (n == windowLength) {
                return new Rejection(RejectReason.WRONG_LENGTH, "more than " + windowLength + " samples");
            }
            float v = p.getFloatValue();
            if (!Float.isFinite(v) && isNonFiniteWord(p)) {
                return new Rejection(RejectReason.NON_FINITE, "sample " + n + " is " + p.getText());
            }
            // A numeral too large for a float (1e39, 1e309) is infinite here: OUT_OF_RANGE, as in CSV.
            Rejection bad = checkSample(n, v);
            if (bad != null) {
                return bad;
            }
            samples[n++] = v;
        }
        if (n != windowLength) {
            return new Rejection(RejectReason.WRONG_LENGTH, n + " samples, expected " + windowLength);
        }
        return samples;
    }

    /** Epoch ms from an integer or an ISO-8601 string; returns Long or a Rejection. */
    private static Object timestamp(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                return new Rejection(
                        RejectReason.OUT_OF_RANGE,
                        "timestamp " + abbreviate(p.getText()) + " is not epoch milliseconds");
            }
            return p.getLongValue();
        }
        if (v == JsonToken.VALUE_STRING) {
            String text = p.getText();
            try {
                return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                        .toInstant()
                        .toEpochMilli();
            } catch (DateTimeException | ArithmeticException e) {
                try {
                    return Instant.parse(text).toEpochMilli();
                } catch (DateTimeException | ArithmeticException e2) {
                    return new Rejection(
                            RejectReason.UNPARSABLE,
                            "timestamp '" + abbreviate(text) + "' is not an ISO-8601 date-time with offset");
                }
            }
        }
        return wrongType("timestamp", "epoch milliseconds or an ISO-8601 string", v);
    }

    /**
     * Whether the current number token is NaN or Infinity written as a word (JSON5-style, read so it can be
     * reported as non-finite) rather than a numeral that overflowed. Called on the error path only.
     */
    private static boolean isNonFiniteWord(JsonParser p) throws IOException {
        String text = p.getText();
        int i = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
        return i < text.length() && Character.isLetter(text.charAt(i));
    }

    private static Rejection wrongType(String field, String expected, JsonToken actual) {
        return new Rejection(RejectReason.WRONG_TYPE, field + " must be " + expected + ", is " + describe(actual));
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> String.valueOf(t);
        };
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

    private static String token(byte[] bytes, int from, int to) {
        String text = new String(bytes, from, Math.min(to - from, MAX_DETAIL_TOKEN * 4), StandardCharsets.UTF_8);
        return abbreviate(text);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("[\\r\\n\\t]+", " ");
        return oneLine.length() <= MAX_DETAIL_TOKEN * 3 ? oneLine : oneLine.substring(0, MAX_DETAIL_TOKEN * 3) + "...";
    }
}
