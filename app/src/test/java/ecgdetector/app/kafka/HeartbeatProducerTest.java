package ecgdetector.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class HeartbeatProducerTest {

    @Test
    void durableOrderedAndCompressedByDefault() {
        Properties settings = HeartbeatProducer.settings(new Properties(), Map.of());

        assertThat(settings)
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("linger.ms", "5")
                .containsEntry("batch.size", String.valueOf(128 * 1024))
                .containsEntry("compression.type", "lz4")
                .doesNotContainKey("max.in.flight.requests.per.connection");
    }

    @Test
    void theCallersTuningGoesOverOursAndTheUsersSettingsOverBoth() {
        Properties client = new Properties();
        client.put("bootstrap.servers", "kafka:9093");
        client.put("linger.ms", "50");
        client.put("compression.type", "zstd");

        Properties settings = HeartbeatProducer.settings(client, Map.of("linger.ms", "0", "client.id", "ecg-replay"));

        assertThat(settings)
                .containsEntry("bootstrap.servers", "kafka:9093")
                .containsEntry("linger.ms", "50")
                .containsEntry("compression.type", "zstd")
                .containsEntry("client.id", "ecg-replay");
    }

    @Test
    void choosingAcksWithoutIdempotenceGivesIdempotenceUp() {
        Properties client = new Properties();
        client.put("acks", "1");

        assertThat(HeartbeatProducer.settings(client, Map.of()))
                .containsEntry("acks", "1")
                .doesNotContainKey("enable.idempotence");
    }
}
