package ecgdetector.app.e2e;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The end-to-end scenarios on Apache Kafka's own image, where Docker is available: the same release of Kafka
 * as the in-process broker, but the broker as people deploy it, in a process and network of its own. Without
 * Docker the class is skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersEndToEndIT extends EndToEndScenarios {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.3.1")
            // As on the in-process broker: a topic the tests forgot to create is an error, not a surprise.
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }

    /** The container is this class's alone, and only the demo uses the real topic names on it. */
    @Override
    protected DemoCluster demoCluster() {
        return new DemoCluster(clientProperties(), () -> {});
    }
}
