package ecgdetector.broker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerTest {

    @Test
    void refusesOverridesThatWouldMoveTheBrokerAwayFromItsAddress() {
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().brokerProperty("listeners", "PLAINTEXT://0.0.0.0:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listeners");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().brokerProperties(Map.of("log.dirs", "/tmp/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataDir");
    }

    @Test
    void refusesImpossiblePorts() {
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().port(70000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder()
                        .port(9092)
                        .controllerPort(9092)
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hasNoAddressBeforeItsFirstStart() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            assertThatThrownBy(broker::bootstrapServers)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not been started");
        }
    }
}
