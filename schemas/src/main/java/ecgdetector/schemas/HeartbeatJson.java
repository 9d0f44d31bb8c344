package ecgdetector.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The JSON form of an {@code ecg.heartbeats} record value ({@code schemas/json/heartbeat.schema.json}), read and
 * written here only: {@code {"patientId": "...", "beatId": "..." | 17, "timestamp": 1740830400123 |
 * "2025-03-01T12:00:00Z", "samples": [numbers], "label": 1}}. Only {@code samples} is required; unknown fields are
 * ignored (forward compatible), duplicate fields refused, an explicit null is an absent field.
 *
 * <p>The reader streams the bytes (no tree, no data binding) straight into a {@link HeartbeatWindow}, the
 * streamer's hot path, and never throws on bad input: every problem is a {@link Rejection}. A number written as a
 * string is refused, not converted: the schema says number, and a producer that quotes its numbers has a bug
 * worth seeing. It is stateless and thread-safe. The writer gives the bytes the reader and the schema accept.
 */
public final class HeartbeatJson {

    public static final String PATIENT_ID = "patientId";
    public static final String BEAT_ID = "beatId";
    public static final String TIMESTAMP = "timestamp";
    public static final String SAMPLES = "samples";
    public static final String LABEL = "label";
    /** Patient and beat ids longer than this are refused: an id, not a payload. */
    public static final int MAX_ID_LENGTH = 256;

    private static final JsonFactory READER = JsonFactory.builder()
            // Parsed so that NaN is reported as non-finite rather than as a syntax error.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private final WindowShape shape;

    public HeartbeatJson(WindowShape shape) {
        this.shape = shape;
    }

    /**
     * Reads the JSON document in {@code value[from, to)}, whose encoding the caller has checked.
     *
     * @param keyPatientId    the patient id unless the JSON names one (the record key), or null
     * @param recordTimestamp the event time unless the JSON gives one
     */
    public Decoded read(byte[] value, int from, int to, String keyPatientId, long recordTimestamp) {
        try (JsonParser p = READER.createParser(value, from, to - from)) {
            return readObject(p, keyPatientId, recordTimestamp);
        } catch (RejectionException e) {
            return e.rejection();
        } catch (StreamConstraintsException e) {
            return new Rejection(
                    RejectReason.UNPARSABLE,
                    "JSON too deeply nested or too large: " + Rejection.excerpt(e.getOriginalMessage()));
        } catch (JsonParseException e) {
            return new Rejection(
                    RejectReason.UNPARSABLE, "not valid JSON: " + Rejection.excerpt(e.getOriginalMessage()));
        } catch (IOException e) {
            return new Rejection(RejectReason.UNPARSABLE, "not readable JSON: " + Rejection.excerpt(e.getMessage()));
        }
    }

    /** {@link #read(byte[], int, int, String, long)} of a whole record value. */
    public Decoded read(byte[] value, String keyPatientId, long recordTimestamp) {
        return read(value, 0, value.length, keyPatientId, recordTimestamp);
    }

    private HeartbeatWindow readObject(JsonParser p, String keyPatientId, long recordTimestamp)
            throws IOException, RejectionException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new RejectionException(RejectReason.WRONG_TYPE, "JSON value is not an object");
        }
        String patientId = null;
        String beatId = null;
        Long timestamp = null;
        float[] samples = null;
        Double label = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) {
                continue; // an explicit null is the same as an absent field
            }
            switch (field) {
                case PATIENT_ID -> patientId = patientId(p, v);
                case BEAT_ID -> beatId = beatId(p, v);
                case TIMESTAMP -> timestamp = timestamp(p, v);
                case SAMPLES -> samples = samples(p, v);
                case LABEL -> label = label(p, v);
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw new RejectionException(RejectReason.UNPARSABLE, "content after the JSON object");
        }
        if (samples == null) {
            throw new RejectionException(RejectReason.MISSING_FIELD, "JSON object has no '" + SAMPLES + "'");
        }
        return new HeartbeatWindow(
                patientId != null ? patientId : keyPatientId,
                beatId,
                timestamp != null ? timestamp : recordTimestamp,
                samples,
                label);
    }

    private static String patientId(JsonParser p, JsonToken v) throws IOException, RejectionException {
        if (v != JsonToken.VALUE_STRING) {
            throw wrongType(PATIENT_ID, "a string", v);
        }
        String id = p.getText();
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new RejectionException(
                    RejectReason.WRONG_TYPE,
                    PATIENT_ID + " must have 1 to " + MAX_ID_LENGTH + " characters, has " + id.length());
        }
        return id;
    }

    private static String beatId(JsonParser p, JsonToken v) throws IOException, RejectionException {
        if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(BEAT_ID, "a string or an integer", v);
        }
        String id = p.getText();
        if (id.length() > MAX_ID_LENGTH) {
            throw new RejectionException(
                    RejectReason.WRONG_TYPE, BEAT_ID + " longer than " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }

    /** Epoch ms from an integer or an ISO-8601 string. */
    private static long timestamp(JsonParser p, JsonToken v) throws IOException, RejectionException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                throw new RejectionException(
                        RejectReason.OUT_OF_RANGE,
                        TIMESTAMP + " " + Rejection.excerpt(p.getText()) + " is not epoch milliseconds");
            }
            return p.getLongValue();
        }
        if (v != JsonToken.VALUE_STRING) {
            throw wrongType(TIMESTAMP, "epoch milliseconds or an ISO-8601 string", v);
        }
        String text = p.getText();
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeException | ArithmeticException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeException | ArithmeticException e2) {
                throw new RejectionException(
                        RejectReason.UNPARSABLE,
                        TIMESTAMP + " '" + Rejection.excerpt(text) + "' is not an ISO-8601 date-time with offset");
            }
        }
    }

    /** The samples array, the parser on its START_ARRAY. */
    private float[] samples(JsonParser p, JsonToken v) throws IOException, RejectionException {
        if (v != JsonToken.START_ARRAY) {
            throw wrongType(SAMPLES, "an array of numbers", v);
        }
        int length = shape.length();
        float[] samples = new float[length];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new RejectionException(
                        RejectReason.WRONG_TYPE, "sample " + n + " is " + describe(t) + ", not a number");
            }
            if (n == length) {
                throw new RejectionException(RejectReason.WRONG_LENGTH, "more than " + length + " samples");
            }
            float sample = p.getFloatValue();
            if (!Float.isFinite(sample) && isNonFiniteWord(p)) {
                throw new RejectionException(RejectReason.NON_FINITE, "sample " + n + " is " + p.getText());
            }
            // A numeral too large for a float (1e39, 1e309) is infinite here: OUT_OF_RANGE, as in CSV.
            shape.checkSample(n, sample);
            samples[n++] = sample;
        }
        if (n != length) {
            throw new RejectionException(RejectReason.WRONG_LENGTH, n + " samples, expected " + length);
        }
        return samples;
    }

    private static double label(JsonParser p, JsonToken v) throws IOException, RejectionException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(LABEL, "a number", v);
        }
        double label = p.getDoubleValue();
        if (Double.isFinite(label)) {
            return label;
        }
        throw isNonFiniteWord(p)
                ? new RejectionException(RejectReason.NON_FINITE, LABEL + " is " + p.getText())
                : new RejectionException(
                        RejectReason.OUT_OF_RANGE, LABEL + " overflows: '" + Rejection.excerpt(p.getText()) + "'");
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

    private static RejectionException wrongType(String field, String expected, JsonToken actual) {
        return new RejectionException(
                RejectReason.WRONG_TYPE, field + " must be " + expected + ", is " + describe(actual));
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

    /**
     * The heartbeat as one JSON document: its fields in the order above, absent ones left out, each number in
     * its shortest exact form ({@link Float#toString}, {@link Double#toString}).
     */
    public static byte[] write(Heartbeat heartbeat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (heartbeat.patientId() != null) {
                g.writeStringField(PATIENT_ID, heartbeat.patientId());
            }
            if (heartbeat.beatId() != null) {
                g.writeStringField(BEAT_ID, heartbeat.beatId());
            }
            if (heartbeat.timestamp() != null) {
                g.writeNumberField(TIMESTAMP, heartbeat.timestamp());
            }
            g.writeArrayFieldStart(SAMPLES);
            for (float sample : heartbeat.samples()) {
                g.writeNumber(sample);
            }
            g.writeEndArray();
            if (heartbeat.label() != null) {
                g.writeNumberField(LABEL, heartbeat.label());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a heartbeat window", e);
        }
        return out.toByteArray();
    }
}
