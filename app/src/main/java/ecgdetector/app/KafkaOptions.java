package ecgdetector.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Kafka client settings shared by the commands that talk to a cluster. Any client property passes
 * through untouched (SASL, SSL, timeouts): from a properties file, then {@code -X key=value} on
 * top. Public for the commands outside this module (the bench's).
 */
public final class KafkaOptions {

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster to use (env: ECG_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(
            names = "--kafka-config",
            paramLabel = "FILE",
            description = "Properties file of Kafka client settings (security.protocol, sasl.*, ssl.*," + " ...).")
    Path configFile;

    @Option(
            names = "-X",
            paramLabel = "KEY=VALUE",
            description = "One Kafka client property, e.g. -X security.protocol=SASL_SSL; repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The bootstrap servers from the flag, else the environment; null if neither. */
    public String bootstrapServers() {
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            return bootstrapServers;
        }
        String env = System.getenv("ECG_BOOTSTRAP_SERVERS");
        return env != null && !env.isBlank() ? env : null;
    }

    public Properties clientProperties() throws IOException {
        Properties props = new Properties();
        if (configFile != null) {
            try (Reader in = Files.newBufferedReader(configFile)) {
                props.load(in);
            }
        }
        props.putAll(overrides);
        String servers = bootstrapServers();
        if (servers != null) {
            props.put("bootstrap.servers", servers);
        }
        return props;
    }
}
