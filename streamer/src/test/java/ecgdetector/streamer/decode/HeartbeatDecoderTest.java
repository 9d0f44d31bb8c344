package ecgdetector.streamer.decode;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.Heartbeat;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.Rejection;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.Heartbeats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class HeartbeatDecoderTest {

    private static final long TS = 1_700_000_000_000L;
    private final HeartbeatDecoder decoder = new HeartbeatDecoder(140, 10_000, 65_536);

    @Test
    void everyLineOfEcgCsvDecodesToTheSamplesAndLabelTheTrainerReads() throws Exception {
        Path data = RealRelease.ecgCsv();
        Assumptions.assumeTrue(Files.isRegularFile(data), "ECG5000 not available at " + data);
        byte[] file = Files.readAllBytes(data);
        Heartbeats offline = EcgCsv.parse(file, 140, data.toString());
        List<String> lines = Files.readAllLines(data);
        assertThat(lines).hasSize(offline.size());
        for (int i = 0; i < lines.size(); i++) {
            Decoded d = decoder.decode(null, (lines.get(i) + "\n").getBytes(StandardCharsets.US_ASCII), TS);
            assertThat(d).as("line %d", i + 1).isInstanceOf(HeartbeatWindow.class);
            HeartbeatWindow w = (HeartbeatWindow) d;
            assertThat(w.samples()).as("line %d", i + 1).containsExactly(offline.beats()[i]);
            assertThat(w.label()).isEqualTo(offline.normal()[i] ? 1.0 : 0.0);
        }
    }

    @Test
    void toleratesABomSpacesTabsCrLfAndATrailingComma() {
        String line = "\uFEFF 1.5 ,\t" + "2,".repeat(138) + "3 ,\r\n";
        HeartbeatWindow w = (HeartbeatWindow) decoder.decode(null, line.getBytes(StandardCharsets.UTF_8), TS);
        assertThat(w.samples()[0]).isEqualTo(1.5f);
        assertThat(w.samples()[139]).isEqualTo(3f);
        assertThat(w.label()).isNull();
        assertThat(w.eventTime()).isEqualTo(TS);
    }

    @Test
    void theKeyIsThePatientUnlessTheJsonNamesOne() {
        byte[] csv = "0,".repeat(139).concat("0").getBytes(StandardCharsets.US_ASCII);
        assertThat(((HeartbeatWindow) decoder.decode("pé".getBytes(StandardCharsets.UTF_8), csv, TS)).patientId())
                .isEqualTo("pé");
        assertThat(((HeartbeatWindow) decoder.decode(new byte[0], csv, TS)).patientId())
                .isNull();
    }

    @Test
    void theHeartbeatWriterWritesJsonTheDecoderAndTheSchemaAccept() {
        float[] samples = new float[140];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) Math.sin(i / 10.0) * 3.3f;
        }
        byte[] json = HeartbeatJson.write(new Heartbeat("p-1", "b-9", 1_700_000_000_123L, samples, 1.0));
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.HEARTBEAT, json)).isEmpty();
        HeartbeatWindow w = (HeartbeatWindow) decoder.decode(null, json, TS);
        assertThat(w.samples()).containsExactly(samples);
        assertThat(w.patientId()).isEqualTo("p-1");
        assertThat(w.beatId()).isEqualTo("b-9");
        assertThat(w.eventTime()).isEqualTo(1_700_000_000_123L);
        assertThat(w.label()).isEqualTo(1.0);
        assertThat(w.toHeartbeat()).isEqualTo(new Heartbeat("p-1", "b-9", 1_700_000_000_123L, samples, 1.0));
    }

    @Test
    void explicitNullsAreAbsentFields() {
        String samples = Arrays.toString(new float[140]);
        HeartbeatWindow w = (HeartbeatWindow) decoder.decode(
                "k".getBytes(StandardCharsets.UTF_8),
                ("{\"patientId\":null,\"beatId\":null,\"timestamp\":null,\"label\":null,\"samples\":" + samples + "}")
                        .getBytes(StandardCharsets.UTF_8),
                TS);
        assertThat(w.patientId()).isEqualTo("k");
        assertThat(w.eventTime()).isEqualTo(TS);
        assertThat(w.label()).isNull();
    }

    @Test
    void theBoundsAreConfigurable() {
        HeartbeatDecoder small = new HeartbeatDecoder(3, 5, 64);
        assertThat(small.decode(null, "1,2,3".getBytes(StandardCharsets.US_ASCII), TS))
                .isInstanceOf(HeartbeatWindow.class);
        assertThat(((Rejection) small.decode(null, "1,2,6".getBytes(StandardCharsets.US_ASCII), TS)).reason())
                .isEqualTo(RejectReason.OUT_OF_RANGE);
        assertThat(((Rejection) small.decode(null, "1,2,3,4,5".getBytes(StandardCharsets.US_ASCII), TS)).reason())
                .isEqualTo(RejectReason.WRONG_LENGTH);
        assertThat(((Rejection) small.decode(null, ("1,2," + "0".repeat(70)).getBytes(StandardCharsets.US_ASCII), TS))
                        .reason())
                .isEqualTo(RejectReason.OVERSIZED);
    }

    @Test
    void rejectionsSayWhatIsWrongInOneShortLine() {
        String line = "0,".repeat(50) + "oops," + "0,".repeat(88) + "0";
        Rejection r = (Rejection) decoder.decode(null, line.getBytes(StandardCharsets.US_ASCII), TS);
        assertThat(r.reason()).isEqualTo(RejectReason.UNPARSABLE);
        assertThat(r.detail()).isEqualTo("sample 50 is not a number: 'oops'");
        Rejection nan =
                (Rejection) decoder.decode(null, line.replace("oops", "NaN").getBytes(StandardCharsets.US_ASCII), TS);
        assertThat(nan.detail()).isEqualTo("sample 50 is NaN");
        String badLabel = "0,".repeat(140) + "%s";
        assertThat(((Rejection) decoder.decode(null, badLabel.formatted("abc").getBytes(StandardCharsets.US_ASCII), TS))
                        .detail())
                .isEqualTo("label column is not a number: 'abc'");
        assertThat(((Rejection) decoder.decode(null, badLabel.formatted("inf").getBytes(StandardCharsets.US_ASCII), TS))
                        .detail())
                .isEqualTo("label column is inf");
        Rejection big =
                (Rejection) decoder.decode(null, line.replace("oops", "-2e4").getBytes(StandardCharsets.US_ASCII), TS);
        assertThat(big.detail()).isEqualTo("sample 50 = -20000.0 is beyond |x| <= 10000.0");
        Rejection json = (Rejection) decoder.decode(null, "{\"samples\":[1,2,".getBytes(StandardCharsets.US_ASCII), TS);
        assertThat(json.detail()).startsWith("not valid JSON").doesNotContain("\n");
    }
}
