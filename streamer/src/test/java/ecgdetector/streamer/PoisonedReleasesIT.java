package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.release.ModelRegistry;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.PoisonedReleases;
import ecgdetector.streamer.testing.RealRelease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poisoned model releases on {@code ecg.models} while windows flow: each is rejected with a WARN saying why
 * and a count in {@code ecg_model_releases_total{outcome="rejected"}}, and the good model keeps serving. A
 * streamer that finds only a bad release waits, not ready, scoring nothing and holding no partition (no stream
 * thread), until a good one arrives.
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
        Map<ReleaseRecord, String> poisoned = new LinkedHashMap<>();
        poisoned.put(PoisonedReleases.corruptBytes(good, 1), "not readable JSON");
        poisoned.put(PoisonedReleases.truncated(good), "not readable JSON");
        poisoned.put(PoisonedReleases.wrongInputLength(good, 70), "release takes windows of 70 samples");
        poisoned.put(PoisonedReleases.digestMismatch(good), "digest mismatch");
        poisoned.put(PoisonedReleases.nanModel(good), "canary batch gave a non-finite error (NaN)");

        TopicNames topics = topics(broker, "poisoned");
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(good));
        Map<String, Integer> windowIndex = new HashMap<>();
        try (LogCapture registryLog = LogCapture.of(ModelRegistry.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings(broker, topics, state)));
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            sendWindows(producer, topics, f, windowIndex);

            int rejected = 0;
            for (Map.Entry<ReleaseRecord, String> bad : poisoned.entrySet()) {
                RecordMetadata m = StreamerIT.send(producer, topics.models(), bad.getKey());
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
                    () -> app.metrics().releasesRejected() == 1,
                    TIMEOUT,
                    () -> "expected the release rejected: " + app.health());

            // No model, no stream thread: the windows wait on the input topic, for this or any other instance.
            assertThat(app.isReady()).isFalse();
            assertThat(app.health().modelVersion()).isNull();
            assertThat(app.health().streamThreads()).isZero();
            assertThat(app.meters().scrape()).contains("ecg_stream_threads 0.0");
            assertThat(app.metrics().windowsScored()).isZero();
            assertThat(KafkaTestUtils.readToEnd(
                            broker.bootstrapServers(), topics.scores(), IsolationLevel.READ_UNCOMMITTED, TIMEOUT))
                    .isEmpty();

            new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
            Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
            Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            assertThat(app.meters().scrape()).contains("ecg_stream_threads 1.0");
        }
    }

    /**
     * Two instances of one application, one of which cannot serve the release (it is configured for another
     * window length, as a misconfigured or outdated instance would be): that one takes no partition, and the
     * other scores every window, none waiting on the one that cannot.
     */
    @Test
    void anInstanceWithoutAValidModelHoldsNoPartitionAndTheOtherScoresThemAll(
            EmbeddedKafkaBroker broker, @TempDir Path stateA, @TempDir Path stateB) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = topics(broker, "no-model-no-partitions");
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
        Map<String, String> able = settings(broker, topics, stateA);
        Map<String, String> unable = settings(broker, topics, stateB);
        unable.put("ecg.window.length", "139");
        Map<String, Integer> windowIndex = new HashMap<>();
        try (StreamerApp withoutModel = StreamerApp.start(StreamerConfig.fromMap(unable));
                StreamerApp withModel = StreamerApp.start(StreamerConfig.fromMap(able));
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            KafkaTestUtils.waitForCondition(
                    () -> withoutModel.metrics().releasesRejected() == 1 && withModel.isReady(),
                    TIMEOUT,
                    () -> "expected one instance without a model, the other ready: " + withoutModel.health() + ", "
                            + withModel.health());
            sendWindows(producer, topics, f, windowIndex);
            sendWindows(producer, topics, f, windowIndex);
            Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
            Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);

            assertThat(withModel.metrics().windowsScored()).isEqualTo(windowIndex.size());
            assertThat(withoutModel.isReady()).isFalse();
            assertThat(withoutModel.health().streamThreads()).isZero();
            assertThat(withoutModel.meters().scrape())
                    .contains("ecg_stream_threads 0.0")
                    .contains("ecg_tasks{type=\"active\"} 0.0");
            assertThat(withModel.meters().scrape()).contains("ecg_tasks{type=\"active\"} 2.0");
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
