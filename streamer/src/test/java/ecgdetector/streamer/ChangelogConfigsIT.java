package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.TopologyHarness;
import ecgdetector.streamer.topics.TopicPreflight;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store changelog that existed before the streamer's configs for it (a deployment older than them): Kafka
 * Streams keeps it as it is, so the streamer says in one line what to set on it, and runs.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ChangelogConfigsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aChangelogWithKafkasDefaultsGetsOneWarningWithTheCommandAndTheStreamerStillScores(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("old-changelog") + ".");
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(FakeModels.signed(FakeModels.release("v1", 100.0)));
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        settings.put("ecg.batch.size", "1");
        StreamerConfig config = StreamerConfig.fromMap(settings);
        String old = StreamerTopology.alarmChangelog(config.applicationId());
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.createTopics(List.of(new NewTopic(old, 2, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all()
                    .get();
            // The check reads the topic's configs from the broker, which learns of it a moment after its creation.
            KafkaTestUtils.awaitTopicDescribed(admin, old, TIMEOUT);
        }

        try (LogCapture preflight = LogCapture.of(TopicPreflight.class);
                StreamerApp app = StreamerApp.start(config, new FakeModels());
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            List<String> warnings = preflight.messages(Level.WARN).stream()
                    .filter(m -> m.contains("Store changelog"))
                    .toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0))
                    .contains(old + " has delete.retention.ms=86400000")
                    .contains("segment.ms=604800000 (the streamer creates it with 60000)")
                    .contains("--entity-name " + old + " --add-config ");

            producer.send(new ProducerRecord<>(
                            topics.heartbeats(),
                            "patient-1".getBytes(StandardCharsets.UTF_8),
                            TopologyHarness.csv(FakeModels.constant(0.5f)).getBytes(StandardCharsets.UTF_8)))
                    .get();
            Outputs.awaitScores(broker.bootstrapServers(), topics, 1, TIMEOUT);
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
        }
    }
}
