package ecgdetector.streamer.testing;

import static ecgdetector.schemas.RejectReason.EMPTY;
import static ecgdetector.schemas.RejectReason.INVALID_ENCODING;
import static ecgdetector.schemas.RejectReason.MISSING_FIELD;
import static ecgdetector.schemas.RejectReason.NON_FINITE;
import static ecgdetector.schemas.RejectReason.OUT_OF_RANGE;
import static ecgdetector.schemas.RejectReason.OVERSIZED;
import static ecgdetector.schemas.RejectReason.UNPARSABLE;
import static ecgdetector.schemas.RejectReason.WRONG_LENGTH;
import static ecgdetector.schemas.RejectReason.WRONG_TYPE;

import ecgdetector.schemas.RejectReason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Malformed {@code ecg.heartbeats} records, each with the dead-letter reason it must get: broken CSV and JSON,
 * wrong and huge lengths, NaN, infinities and overflowing numerals, numbers as strings, nested junk, empty
 * and null values, binary garbage, invalid UTF-8, bad keys. Most are a valid window (CSV line with label)
 * spoiled in one place, so each tests one rule.
 */
public final class BadInputCorpus {

    /** One malformed record. {@code key} null means: the key the test gives its neighbours. */
    public record Bad(String name, byte[] key, byte[] value, RejectReason reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final String[] fields;
    private final List<Bad> cases = new ArrayList<>();

    private BadInputCorpus(String goodCsvLineWithLabel) {
        this.fields = goodCsvLineWithLabel.split(",");
    }

    /**
     * The corpus built around {@code goodCsvLineWithLabel} (140 samples and a label); {@code hugeBytes} is the
     * size of the largest record, one just under the input topic's limit, or 0 to leave it out.
     */
    public static List<Bad> around(String goodCsvLineWithLabel, int hugeBytes) {
        BadInputCorpus c = new BadInputCorpus(goodCsvLineWithLabel);
        c.csv();
        c.json();
        c.encodingAndSize(hugeBytes);
        Set<String> values = new HashSet<>();
        for (Bad b : c.cases) {
            String distinct = Arrays.toString(b.key) + Arrays.toString(b.value);
            if (!values.add(distinct)) {
                throw new IllegalStateException("corpus case '" + b.name + "' repeats another one");
            }
        }
        return List.copyOf(c.cases);
    }

    private void csv() {
        add("CSV: a word for a sample", field(50, "oops"), UNPARSABLE);
        add("CSV: three samples", "1.0,2.0,3.0", WRONG_LENGTH);
        add("CSV: 139 samples, no label", String.join(",", Arrays.copyOf(fields, 139)), WRONG_LENGTH);
        add("CSV: an extra column", line() + ",1", WRONG_LENGTH);
        add("CSV: NaN", field(10, "NaN"), NON_FINITE);
        add("CSV: Infinity", field(11, "Infinity"), NON_FINITE);
        add("CSV: -inf", field(12, "-inf"), NON_FINITE);
        add("CSV: 1e309", field(13, "1e309"), OUT_OF_RANGE);
        add("CSV: 1e39, beyond float", field(14, "1e39"), OUT_OF_RANGE);
        add("CSV: 1e9, absurd", field(15, "1e9"), OUT_OF_RANGE);
        add("CSV: -2e4, absurd", field(16, "-2e4"), OUT_OF_RANGE);
        add("CSV: an empty field", field(17, ""), UNPARSABLE);
        add("CSV: a hex float", field(18, "0x1p3"), UNPARSABLE);
        add("CSV: a float suffix", field(19, "1.5f"), UNPARSABLE);
        add("CSV: a quoted number", field(20, "\"1.5\""), UNPARSABLE);
        add("CSV: a quoted first field", field(0, "\"1.5\""), WRONG_TYPE);
        add("CSV: two lines in one record", line() + "\n" + line(), UNPARSABLE);
        add("CSV: semicolons", line().replace(',', ';'), WRONG_LENGTH);
        add("CSV: a decimal comma", line().replace(".", ","), WRONG_LENGTH);
        add("CSV: a space inside a number", field(21, "1. 5"), UNPARSABLE);
        add("CSV: two minus signs", field(22, "--1"), UNPARSABLE);
        add("CSV: an exponent without digits", field(23, "1e"), UNPARSABLE);
        add("CSV: only commas", ",".repeat(140), UNPARSABLE);
        add("CSV: a NUL byte", field(24, "0.5\0"), UNPARSABLE);
        add("CSV: a no-break space", field(25, "\u00A00.5"), UNPARSABLE);
        add("CSV: full-width digits", field(26, "\uFF11"), UNPARSABLE);
        add("CSV: a word as label", field(140, "abc"), UNPARSABLE);
        add("CSV: NaN as label", field(140, "NaN"), NON_FINITE);
        add("CSV: 1e309 as label", field(140, "1e309"), OUT_OF_RANGE);
        add("CSV: a JSON literal null", "null", WRONG_LENGTH);
    }

    private void json() {
        String samples = "[" + String.join(",", Arrays.copyOf(fields, 140)) + "]";
        add("JSON: cut short", "{\"samples\":" + samples.substring(0, 200), UNPARSABLE);
        add("JSON: content after the object", "{\"samples\":" + samples + "} x", UNPARSABLE);
        add("JSON: an array document", samples, WRONG_TYPE);
        add("JSON: a string document", "\"hello\"", WRONG_TYPE);
        add("JSON: an empty object", "{}", MISSING_FIELD);
        add("JSON: samples null", "{\"patientId\":\"p\",\"samples\":null}", MISSING_FIELD);
        add("JSON: samples as a string", "{\"samples\":\"" + line() + "\"}", WRONG_TYPE);
        add("JSON: samples as an object", "{\"samples\":{\"0\":1.5}}", WRONG_TYPE);
        add("JSON: numbers as strings", "{\"samples\":[" + quoted(Arrays.copyOf(fields, 140)) + "]}", WRONG_TYPE);
        add("JSON: nested arrays", "{\"samples\":[" + "[0.5],".repeat(139) + "[0.5]]}", WRONG_TYPE);
        add("JSON: a null sample", "{\"samples\":" + sample(samples, 5, "null") + "}", WRONG_TYPE);
        add("JSON: a boolean sample", "{\"samples\":" + sample(samples, 6, "true") + "}", WRONG_TYPE);
        add("JSON: no samples", "{\"samples\":[]}", WRONG_LENGTH);
        add("JSON: 139 samples", "{\"samples\":[" + String.join(",", Arrays.copyOf(fields, 139)) + "]}", WRONG_LENGTH);
        add("JSON: 141 samples", "{\"samples\":[" + String.join(",", Arrays.copyOf(fields, 141)) + "]}", WRONG_LENGTH);
        add("JSON: 15000 samples", "{\"samples\":[" + "0.5,".repeat(14_999) + "0.5]}", WRONG_LENGTH);
        add("JSON: NaN", "{\"samples\":" + sample(samples, 7, "NaN") + "}", NON_FINITE);
        add("JSON: Infinity", "{\"samples\":" + sample(samples, 8, "Infinity") + "}", NON_FINITE);
        add("JSON: -Infinity", "{\"samples\":" + sample(samples, 9, "-Infinity") + "}", NON_FINITE);
        add("JSON: 1e309", "{\"samples\":" + sample(samples, 10, "1e309") + "}", OUT_OF_RANGE);
        add("JSON: 1e39, beyond float", "{\"samples\":" + sample(samples, 11, "1e39") + "}", OUT_OF_RANGE);
        add("JSON: 2e4, absurd", "{\"samples\":" + sample(samples, 12, "2e4") + "}", OUT_OF_RANGE);
        add("JSON: a 2000-digit number", "{\"samples\":" + sample(samples, 13, "9".repeat(2000)) + "}", UNPARSABLE);
        add("JSON: patientId a number", "{\"patientId\":7,\"samples\":" + samples + "}", WRONG_TYPE);
        add("JSON: patientId empty", "{\"patientId\":\"\",\"samples\":" + samples + "}", WRONG_TYPE);
        add("JSON: beatId an object", "{\"beatId\":{\"a\":1},\"samples\":" + samples + "}", WRONG_TYPE);
        add("JSON: label a string", "{\"label\":\"1\",\"samples\":" + samples + "}", WRONG_TYPE);
        add("JSON: label NaN", "{\"label\":NaN,\"samples\":" + samples + "}", NON_FINITE);
        add("JSON: label 1e309", "{\"label\":1e309,\"samples\":" + samples + "}", OUT_OF_RANGE);
        add("JSON: negative timestamp", "{\"timestamp\":-5,\"samples\":" + samples + "}", OUT_OF_RANGE);
        add(
                "JSON: timestamp beyond long",
                "{\"timestamp\":99999999999999999999,\"samples\":" + samples + "}",
                OUT_OF_RANGE);
        add("JSON: timestamp a word", "{\"timestamp\":\"yesterday\",\"samples\":" + samples + "}", UNPARSABLE);
        add("JSON: timestamp a boolean", "{\"timestamp\":true,\"samples\":" + samples + "}", WRONG_TYPE);
        add("JSON: timestamp a fraction", "{\"timestamp\":1.7e12,\"samples\":" + samples + "}", WRONG_TYPE);
        add("JSON: samples twice", "{\"samples\":" + samples + ",\"samples\":" + samples + "}", UNPARSABLE);
        add(
                "JSON: nested 100 deep",
                "{\"x\":" + "[".repeat(100) + "]".repeat(100) + ",\"samples\":" + samples + "}",
                UNPARSABLE);
        add("JSON: single quotes", "{'samples':" + samples + "}", UNPARSABLE);
        add("JSON: a comment", "{/* hi */\"samples\":" + samples + "}", UNPARSABLE);
        add(
                "JSON: a control character in a string",
                "{\"patientId\":\"a\u0001b\",\"samples\":" + samples + "}",
                UNPARSABLE);
        add("JSON: a trailing comma", "{\"samples\":" + samples.replace("]", ",]") + "}", UNPARSABLE);
        add("JSON: a leading zero", "{\"samples\":" + sample(samples, 14, "01.5") + "}", UNPARSABLE);
        add("JSON: a leading plus", "{\"samples\":" + sample(samples, 15, "+1") + "}", UNPARSABLE);
    }

    private void encodingAndSize(int hugeBytes) {
        byte[] latin1 = ("{\"patientId\":\"Ren\u00e9\",\"samples\":[" + String.join(",", Arrays.copyOf(fields, 140))
                        + "]}")
                .getBytes(StandardCharsets.ISO_8859_1);
        add("bytes: Latin-1 in a JSON string", null, latin1, INVALID_ENCODING);
        add(
                "bytes: an invalid UTF-8 sequence",
                null,
                concat(bytes(field(27, "")), new byte[] {(byte) 0xC3, 0x28}),
                INVALID_ENCODING);
        add(
                "bytes: an overlong encoding",
                null,
                concat(new byte[] {(byte) 0xC0, (byte) 0xAF}, bytes(line())),
                INVALID_ENCODING);
        add(
                "bytes: a UTF-8 encoded surrogate",
                null,
                concat(bytes(line()), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                INVALID_ENCODING);
        add(
                "bytes: UTF-16 with a BOM",
                null,
                ("\uFEFF" + line()).getBytes(StandardCharsets.UTF_16LE),
                INVALID_ENCODING);
        byte[] garbage = new byte[512];
        new Random(3).nextBytes(garbage);
        garbage[0] = (byte) 0xFF; // never valid in UTF-8, whatever the rest
        add("bytes: binary garbage", null, garbage, INVALID_ENCODING);
        add("key: invalid UTF-8", new byte[] {(byte) 0xFF, (byte) 0xFE, 0x41}, bytes(line()), INVALID_ENCODING);
        add("key: 300 bytes", "k".repeat(300).getBytes(StandardCharsets.US_ASCII), bytes(line()), OVERSIZED);
        add("empty value", null, new byte[0], EMPTY);
        add("null value", null, null, EMPTY);
        add("only whitespace", " \t\r\n ", EMPTY);
        add("too large: 200 KB of CSV", "0.5,".repeat(50_000), OVERSIZED);
        byte[] bigBinary = new byte[512 * 1024];
        new Random(4).nextBytes(bigBinary);
        add("too large: 512 KiB of binary", null, bigBinary, OVERSIZED);
        if (hugeBytes > 0) {
            byte[] huge = new byte[hugeBytes];
            Arrays.fill(huge, (byte) '7');
            for (int i = 1; i < hugeBytes; i += 2) {
                huge[i] = ',';
            }
            add("too large: just under the input topic's limit", null, huge, OVERSIZED);
        }
    }

    private void add(String name, String value, RejectReason reason) {
        add(name, null, bytes(value), reason);
    }

    private void add(String name, byte[] key, byte[] value, RejectReason reason) {
        cases.add(new Bad(name, key, value, reason));
    }

    private String line() {
        return String.join(",", fields);
    }

    private String field(int index, String text) {
        String[] copy = fields.clone();
        copy[index] = text;
        return String.join(",", copy);
    }

    private static String sample(String samplesArray, int index, String text) {
        String[] values = samplesArray.substring(1, samplesArray.length() - 1).split(",");
        values[index] = text;
        return "[" + String.join(",", values) + "]";
    }

    private static String quoted(String[] values) {
        return String.join(",", Arrays.stream(values).map(v -> "\"" + v + "\"").toList());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
