package ecgdetector.streamer.release;

import ecgdetector.model.kafka.TopicCheck;
import ecgdetector.model.release.ModelsTopicConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At startup, a WARN line for each setting of the models topic that leaves the streamer open to what the contract
 * guards against ({@link ModelsTopicConfig}): a topic stored compressed lets a decompression bomb reach the global
 * thread whole; one that is not compacted loses releases. The streamer still starts: the topic is the operator's.
 */
public final class ModelsTopicWarnings {

    private static final Logger log = LoggerFactory.getLogger(ModelsTopicWarnings.class);

    private ModelsTopicWarnings() {}

    /** The problems found, each also logged at WARN; empty if none, or if the settings could not be read. */
    public static List<String> check(Map<String, Object> adminConfig, String topic, Duration timeout) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = TopicCheck.admin(adminConfig, timeout)) {
            Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(resource);
            List<String> problems = ModelsTopicConfig.problems(topic, config);
            problems.forEach(p -> log.warn("Models topic: {}", p));
            return problems;
        } catch (ExecutionException | TimeoutException e) {
            log.info(
                    "Could not read the settings of topic {} to check them ({}); a topic that is not compacted and "
                            + "stored uncompressed leaves the streamer open to lost releases and decompression bombs",
                    topic,
                    e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
