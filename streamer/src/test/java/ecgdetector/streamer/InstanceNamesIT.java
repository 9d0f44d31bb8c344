package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.membership.InstanceLock;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.RealRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instance names and state folders: one instance per name and folder, found out at start with one line; and no
 * instance restores from local state older than its changelog keeps deletions.
 */
@ExtendWith(KafkaBrokerExtension.class)
class InstanceNamesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aSecondInstanceUnderTheSameNameStopsAtStartWithOneLine(EmbeddedKafkaBroker broker, @TempDir Path dir)
            throws Exception {
        TopicNames topics = topics(broker, "names");
        Map<String, String> first = settings(broker, topics, dir.resolve("first"));
        try (StreamerApp running = StreamerApp.start(StreamerConfig.fromMap(first))) {
            KafkaTestUtils.waitForCondition(running::isReady, TIMEOUT, () -> "not ready: " + running.health());

            // The same name and folder on this host: the folder's lock says so, before anything else starts.
            assertThatThrownBy(() -> StreamerApp.start(StreamerConfig.fromMap(first)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("another streamer runs as instance 'names-instance'")
                    .hasMessageContaining("--instance-name");

            // The same name with a folder of its own (another host, say): the group says so, once the live
            // member has kept the name longer than a session timeout.
            Map<String, String> second = settings(broker, topics, dir.resolve("second"));
            long start = System.nanoTime();
            assertThatThrownBy(() -> StreamerApp.start(StreamerConfig.fromMap(second)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("instance name 'names-instance' is taken: member names-instance-1 of group")
                    .hasMessageContaining("--instance-name");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("it waited for a session timeout, in case the member was a dead run of itself")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(6));
            assertThat(running.isReady())
                    .as("the running instance was left alone")
                    .isTrue();
        }
    }

    @Test
    void localStateLeftLongerAgoThanTheChangelogKeepsDeletionsIsDiscardedAtStart(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        TopicNames topics = topics(broker, "stale");
        Map<String, String> settings = settings(broker, topics, dir.resolve("state"));
        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings))) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
        }
        Path lock = dir.resolve("state").resolve(InstanceLock.FILE);
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        try (LogCapture logs = LogCapture.of(StreamerApp.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings))) {
            assertThat(logs.messages(Level.INFO))
                    .anySatisfy(m -> assertThat(m)
                            .contains("was last used 3600 s ago")
                            .contains("discarded, to be restored from the changelog"));
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
        }
        try (LogCapture logs = LogCapture.of(StreamerApp.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings))) {
            assertThat(logs.messages(Level.INFO)).noneSatisfy(m -> assertThat(m).contains("was last used"));
        }
    }

    private static TopicNames topics(EmbeddedKafkaBroker broker, String name) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic(name) + ".");
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(FakeModels.signed(RealRelease.synthetic().release()));
        return topics;
    }

    private static Map<String, String> settings(EmbeddedKafkaBroker broker, TopicNames topics, Path state) {
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        settings.put("ecg.instance.name", topics.heartbeats().split("-")[0] + "-instance");
        return settings;
    }
}
