package ecgdetector.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.testing.JsonSchemas;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeartbeatJsonTest {

    private static final long RECORD_TS = 1_700_000_000_000L;
    private final HeartbeatJson json = new HeartbeatJson(new WindowShape(3, 10));

    @Test
    void whatTheWriterWritesTheSchemaAndTheReaderAccept() {
        Heartbeat full = new Heartbeat("p-1", "b-9", 1_740_830_400_123L, new float[] {0.5f, -1.25e-3f, 7f}, 1.0);
        byte[] bytes = HeartbeatJson.write(full);
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.HEARTBEAT, bytes))
                .isEmpty();
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("{\"patientId\":\"p-1\",\"beatId\":\"b-9\",\"timestamp\":1740830400123,"
                        + "\"samples\":[0.5,-0.00125,7.0],\"label\":1.0}");
        HeartbeatWindow read = (HeartbeatWindow) json.read(bytes, "key", RECORD_TS);
        assertThat(read.toHeartbeat()).isEqualTo(full);
    }

    @Test
    void absentFieldsAreLeftOutAndTheRecordsKeyAndTimeStandIn() {
        byte[] bytes = HeartbeatJson.write(new Heartbeat(null, null, null, new float[] {1, 2, 3}, null));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"samples\":[1.0,2.0,3.0]}");
        HeartbeatWindow read = (HeartbeatWindow) json.read(bytes, "key", RECORD_TS);
        assertThat(read.patientId()).isEqualTo("key");
        assertThat(read.eventTime()).isEqualTo(RECORD_TS);
        assertThat(read.beatId()).isNull();
        assertThat(read.label()).isNull();
    }

    @Test
    void theReaderTakesAnIsoTimestampAndAnIntegerBeatId() {
        byte[] bytes = "{\"beatId\":17,\"timestamp\":\"2025-03-01T12:00:00+01:00\",\"samples\":[1,2,3]}"
                .getBytes(StandardCharsets.UTF_8);
        HeartbeatWindow read = (HeartbeatWindow) json.read(bytes, null, RECORD_TS);
        assertThat(read.beatId()).isEqualTo("17");
        assertThat(read.eventTime()).isEqualTo(1_740_826_800_000L);
    }

    @Test
    void theFirstProblemIsTheRejection() {
        assertThat(reject("{\"samples\":[1,2]}"))
                .isEqualTo(new Rejection(RejectReason.WRONG_LENGTH, "2 samples, expected 3"));
        assertThat(reject("{\"samples\":[1,\"2\",3]}"))
                .isEqualTo(new Rejection(RejectReason.WRONG_TYPE, "sample 1 is a string, not a number"));
        assertThat(reject("{\"samples\":[1,NaN,3]}"))
                .isEqualTo(new Rejection(RejectReason.NON_FINITE, "sample 1 is NaN"));
        assertThat(reject("{\"samples\":[1,2,11]}"))
                .isEqualTo(new Rejection(RejectReason.OUT_OF_RANGE, "sample 2 = 11.0 is beyond |x| <= 10.0"));
        assertThat(reject("{\"patientId\":\"p\"}"))
                .isEqualTo(new Rejection(RejectReason.MISSING_FIELD, "JSON object has no 'samples'"));
        assertThat(reject("{\"samples\":[1,2,3],\"timestamp\":-5}"))
                .isEqualTo(new Rejection(RejectReason.OUT_OF_RANGE, "timestamp -5 is not epoch milliseconds"));
        assertThat(reject("{\"samples\":[1,2,3]} {}").reason()).isEqualTo(RejectReason.UNPARSABLE);
    }

    private Rejection reject(String value) {
        return (Rejection) json.read(value.getBytes(StandardCharsets.UTF_8), null, RECORD_TS);
    }
}
