package ecgdetector.model.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path must give exactly what {@link Float#parseFloat} gives: live samples equal offline ones. */
class DecimalParserTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0",
                "-0",
                "+0.0",
                "1",
                "-1",
                "1.",
                ".5",
                "-.5",
                "00012.50",
                "1e3",
                "1E-3",
                "+1e+3",
                "-0.11252183",
                "-2.8272038",
                "-0.47749208",
                "0.034999258",
                "3.4028235e38",
                "1.4e-45",
                "7.0e-46",
                "123456789012345678901234567890",
                "0.000000000000000000000000000000001",
                // Exactly a float midpoint, and just above it: double rounding would pick the wrong float.
                "1.000000059604644775390625",
                "1.00000005960464478",
                "1.0000000596046447753906251",
                "16777217",
                "16777217.0000000001",
                "33554435",
                "9007199254740993",
                "-4.3497511e+00",
                "1.0000000e+00"
            })
    void agreesWithFloatParseFloat(String text) {
        assertSame(text);
    }

    @Test
    void agreesWithFloatParseFloatOnRandomDecimals() {
        Random random = new Random(42);
        for (int i = 0; i < 300_000; i++) {
            int digits = 1 + random.nextInt(20);
            StringBuilder s = new StringBuilder();
            if (random.nextBoolean()) {
                s.append('-');
            }
            int point = random.nextInt(digits + 1);
            for (int d = 0; d < digits; d++) {
                if (d == point) {
                    s.append('.');
                }
                s.append((char) ('0' + random.nextInt(10)));
            }
            if (random.nextInt(3) == 0) {
                s.append('e').append(random.nextInt(90) - 45);
            }
            assertSame(s.toString());
        }
    }

    @Test
    void agreesWithFloatParseFloatNearFloatMidpoints() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            float f = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
            double mid = ((double) f + (double) Math.nextUp(f)) / 2;
            for (double d : new double[] {mid, Math.nextUp(mid), Math.nextDown(mid)}) {
                assertSame(new java.math.BigDecimal(d)
                        .round(new java.math.MathContext(17))
                        .toString());
                assertSame(Double.toString(d));
            }
        }
    }

    @Test
    void agreesWithFloatParseFloatOnEveryValueOfEcgCsv() throws IOException {
        String location = System.getProperty("ecg.data", System.getenv("ECG_DATA"));
        Path data = location == null ? null : Path.of(location);
        Assumptions.assumeTrue(
                data != null && Files.isRegularFile(data),
                "ECG5000 not found: set -Decg.data=PATH or ECG_DATA to ecg.csv to run this test");
        int n = 0;
        for (String line : Files.readAllLines(data)) {
            for (String field : line.split(",")) {
                assertSame(field.trim());
                n++;
            }
        }
        assertThat(n).isEqualTo(4998 * 141);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1f", "1d", "0x1p3", "1 2", "--1", "1,5", "١", "1_000"
            })
    void refusesWhatIsNotAPlainDecimal(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        assertThat(DecimalParser.parse(b, 0, b.length)).isEqualTo(DecimalParser.NOT_A_NUMBER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "nan", "-NaN", "Infinity", "-Infinity", "+inf", "INF"})
    void recognisesNonFiniteWords(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        assertThat(DecimalParser.parse(b, 0, b.length)).isEqualTo(DecimalParser.NON_FINITE_WORD);
    }

    private static void assertSame(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        long parsed = DecimalParser.parse(b, 0, b.length);
        assertThat(DecimalParser.isError(parsed)).as(text).isFalse();
        assertThat(Float.floatToRawIntBits(DecimalParser.toFloat(parsed)))
                .as("%s -> %s vs %s", text, DecimalParser.toFloat(parsed), Float.parseFloat(text))
                .isEqualTo(Float.floatToRawIntBits(Float.parseFloat(text)));
    }
}
