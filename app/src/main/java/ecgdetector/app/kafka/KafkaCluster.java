package ecgdetector.app.kafka;

import ecgdetector.broker.EmbeddedKafkaBroker;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The cluster a whole-system command runs against: the one the user named, or a real broker embedded
 * in this JVM on 127.0.0.1 when none was named. Closing it stops the embedded broker, if any.
 *
 * @param broker the embedded broker, or null for a cluster the user named
 * @param client client properties for it (bootstrap servers, and the user's SASL/SSL settings)
 */
public record KafkaCluster(EmbeddedKafkaBroker broker, Properties client) implements AutoCloseable {

    public static KafkaCluster start(Optional<String> bootstrapServers, Properties kafka, PrintStream console) {
        return start(bootstrapServers, kafka, Map.of(), console);
    }

    /** @param brokerSettings settings of the embedded broker over its own, when it is started */
    public static KafkaCluster start(
            Optional<String> bootstrapServers,
            Properties kafka,
            Map<String, String> brokerSettings,
            PrintStream console) {
        Properties client = new Properties();
        client.putAll(kafka);
        if (bootstrapServers.isPresent()) {
            client.put("bootstrap.servers", bootstrapServers.get());
            return new KafkaCluster(null, client);
        }
        console.println("==> Starting an embedded Kafka broker (KRaft) on 127.0.0.1, in this JVM");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .port(0)
                .brokerProperties(brokerSettings)
                .build()
                .start();
        client.putAll(broker.clientProperties());
        return new KafkaCluster(broker, client);
    }

    public boolean isEmbedded() {
        return broker != null;
    }

    public String bootstrapServers() {
        return client.getProperty("bootstrap.servers");
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
