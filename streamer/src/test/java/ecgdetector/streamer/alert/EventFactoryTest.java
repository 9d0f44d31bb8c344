package ecgdetector.streamer.alert;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.Alert;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.JsonSerde;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Severity;
import ecgdetector.schemas.WindowSource;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.streamer.window.BufferedWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventFactoryTest {

    private static final JsonSerde<Alert> ALERT_JSON = JsonSerde.of(Alert.class);
    private static final ModelRef MODEL = new ModelRef("ecg-autoencoder", "v1");
    private static final BufferedWindow WINDOW = new BufferedWindow(
            new WindowSource("ecg.heartbeats", 2, 1234),
            1_700_000_000_000L,
            1_700_000_000_050L,
            "p-1".getBytes(),
            new HeartbeatWindow("p-1", "b-7", 1_699_999_999_990L, new float[140], 0.0));

    @ParameterizedTest
    @CsvSource({
        "1.0001, LOW",
        "1.4999, LOW",
        "1.5, MEDIUM",
        "1.9999, MEDIUM",
        "2.0, HIGH",
        "3.9999, HIGH",
        "4.0, CRITICAL",
        "1000, CRITICAL",
        "Infinity, CRITICAL",
        "NaN, CRITICAL"
    })
    void severityBandsFollowTheRatio(double ratio, Severity expected) {
        assertThat(Severity.ofRatio(ratio)).isEqualTo(expected);
    }

    @Test
    void anAlertNamesTheWindowDeterministicallyAndValidates() {
        Alert a = EventFactory.alert(
                WINDOW, 0.03f, 0.01, MODEL, new int[] {3, 1, 4, 1, 5}, EventFactory.iso(1_700_000_000_100L));
        assertThat(a.alertId()).isEqualTo("ecg.heartbeats/2/1234");
        assertThat(a.eventTime()).isEqualTo("2023-11-14T22:13:19.990Z");
        assertThat(a.detectedAt()).isEqualTo("2023-11-14T22:13:20.100Z");
        assertThat(a.ratio()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(a.severity()).isEqualTo(Severity.HIGH);
        assertThat(JsonSchemas.violations(
                        JsonSchemas.Contract.ALERT, ALERT_JSON.serializer().serialize("ecg.alerts", a)))
                .isEmpty();
    }

    @Test
    void aZeroThresholdHasNoRatioAndIsCritical() {
        Alert a = EventFactory.alert(WINDOW, 0.5f, 0.0, MODEL, new int[] {0}, EventFactory.iso(0));
        assertThat(a.ratio()).isNull();
        assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(JsonSchemas.violations(
                        JsonSchemas.Contract.ALERT, ALERT_JSON.serializer().serialize("ecg.alerts", a)))
                .isEmpty();
    }
}
