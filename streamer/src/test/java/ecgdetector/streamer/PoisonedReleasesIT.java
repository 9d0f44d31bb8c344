package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.PoisonedReleases;
import ecgdetector.streamer.testing.RealRelease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poisoned model releases on {@code ecg.models} while windows flow: each is rejected with a WARN saying why
 * and a count in {@code ecg_model_releases_total{outcome="rejected"}}, and the good model keeps serving. A
 * streamer that finds only a bad release waits, not ready, scoring nothing, until a good one arrives.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PoisonedReleasesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int WINDOWS_PER_STEP = 40;

    @Test
    void badReleasesMidStreamAreRejectedAndTheGoodModelKeepsServing(EmbeddedKafkaBroker broker, @TempDir Path state)
            throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        ReleaseBundle good = f.release();
        // What each bad release is, and the words its rejection must give.
        Map<byte[], String> poisoned = new LinkedHashMap<>();
        poisoned.put(PoisonedReleases.corruptBytes(1), "not readable JSON");
        poisoned.put(PoisonedReleases.truncated(good), "not readable JSON");
        poisoned.put(PoisonedReleases.wrongInputLength(good, 70).toBytes(), "release takes windows of 70 samples");
        poisoned.put(PoisonedReleases.digestMismatch(good), "digest mismatch");
        poisoned.put(PoisonedReleases.nanModel(good).toBytes(), "canary batch gave a non-finite error (NaN)");

        TopicNames topics = topics(broker, "poisoned");
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(good);
        Map<String, Integer> windowIndex = new HashMap<>();
        try (LogCapture registryLog = LogCapture.of(ModelRegistry.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings(broker, topics, state)));
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            sendWindows(producer, topics, f, windowIndex);

            int rejected = 0;
            for (Map.Entry<byte[], String> bad : poisoned.entrySet()) {
                RecordMetadata m = producer.send(new ProducerRecord<>(
                                topics.models(), good.modelName().getBytes(StandardCharsets.UTF_8), bad.getKey()))
                        .get();
                int expected = ++rejected;
                KafkaTestUtils.waitForCondition(
                        () -> app.metrics().releasesRejected() == expected,
                        TIMEOUT,
                        () -> "release at offset " + m.offset() + " not rejected: " + registryLog.messages(Level.WARN));
                String origin = m.topic() + "/" + m.partition() + "/" + m.offset();
                assertThat(registryLog.messages(Level.WARN))
                        .as("the log line for the release at %s", origin)
                        .filteredOn(line -> line.contains("from " + origin + ":"))
                        .singleElement()
                        .asString()
                        .startsWith("Rejected model release ecg-autoencoder version ")
                        .contains(bad.getValue())
                        .endsWith("version " + good.version() + " keeps serving");
                assertThat(app.models().serving())
                        .hasValueSatisfying(s -> assertThat(s.version()).isEqualTo(good.version()));
                sendWindows(producer, topics, f, windowIndex);
            }

            Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
            Outputs.assertExactlyOnce(
                    broker.bootstrapServers(), topics, windowIndex, f); // alerts name the good version
            assertThat(app.meters().scrape())
                    .contains("ecg_model_releases_total{outcome=\"rejected\"} 5.0")
                    .contains("ecg_model_info{name=\"ecg-autoencoder\",version=\"" + good.version() + "\"} 1");
            assertThat(app.isReady()).isTrue();
        }
    }

    @Test
    void aStreamerWithOnlyABadReleaseWaitsNotReadyAndScoresNothingUntilAGoodOneArrives(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = topics(broker, "only-bad");
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(PoisonedReleases.nanModel(f.release()));
        Map<String, Integer> windowIndex = new HashMap<>();
        try (StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings(broker, topics, state)));
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            sendWindows(producer, topics, f, windowIndex);
            KafkaTestUtils.waitForCondition(
                    () -> app.metrics().releasesRejected() == 1
                            && app.metrics().bufferedWindows() == windowIndex.size(),
                    TIMEOUT,
                    () -> "expected the release rejected and every window waiting: " + app.health());

            assertThat(app.isReady()).isFalse();
            assertThat(app.health().modelVersion()).isNull();
            assertThat(app.metrics().windowsScored()).isZero();
            assertThat(KafkaTestUtils.readToEnd(
                            broker.bootstrapServers(), topics.scores(), IsolationLevel.READ_UNCOMMITTED, TIMEOUT))
                    .isEmpty();

            new ReleaseTopic(broker.clientProperties(), topics.models()).publish(f.release());
            Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
            Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
        }
    }

    private static TopicNames topics(EmbeddedKafkaBroker broker, String name) {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic(name) + ".");
        TopicSetup.createAll(broker, topics, 2);
        return topics;
    }

    private static Map<String, String> settings(EmbeddedKafkaBroker broker, TopicNames topics, Path state) {
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        settings.put("ecg.batch.size", "16");
        settings.put("ecg.batch.wait.ms", "100");
        return settings;
    }

    /** Sends the next {@link #WINDOWS_PER_STEP} fixture lines, recording each window's id and line. */
    private static void sendWindows(
            KafkaProducer<byte[], byte[]> producer,
            TopicNames topics,
            RealRelease.Fixture f,
            Map<String, Integer> windowIndex)
            throws Exception {
        int start = windowIndex.size();
        for (int i = start; i < start + WINDOWS_PER_STEP; i++) {
            int line = i % f.size();
            RecordMetadata m = StreamerIT.send(
                    producer,
                    topics.heartbeats(),
                    "patient-" + (i % 5),
                    f.lines().get(line));
            windowIndex.put(Outputs.windowId(m), line);
        }
    }
}
