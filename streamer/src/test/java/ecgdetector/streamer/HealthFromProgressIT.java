package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.FakeModels.RuntimeFailure;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.TopologyHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health from progress, not from state: Kafka Streams stays RUNNING through each of these faults, and readiness
 * (or liveness) says what is wrong anyway, with the metric and the reason, and recovers when the fault clears.
 */
@ExtendWith(KafkaBrokerExtension.class)
class HealthFromProgressIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /**
     * The streamer's producer held back by a quota of 200 bytes a second (a score is about 400): Kafka Streams stays RUNNING, but the
     * task's committed offset stops moving while input waits, so readiness turns false with the task named and
     * {@code ecg_tasks_stalled} counts it; once the quota is lifted every window is scored, once.
     */
    @Test
    void aProducerHeldBackByAQuotaShowsAsAStalledTaskUntilItWritesAgain(EmbeddedKafkaBroker broker, @TempDir Path state)
            throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("stalled") + ".");
        String clientId = topics.heartbeats() + "-client";
        ClientQuotaEntity producer =
                new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId + "-StreamThread-1-producer"));
        // A transaction open longer than Kafka Streams' 10 s default is aborted by the broker; the throttled producer
        // then timed out in SendOffsetsToTransaction (max.block.ms) and did not score again for minutes after the
        // quota was lifted. With 120 s the open transaction outlives the throttle and commits once it ends.
        try (Fixture f = new Fixture(
                        broker,
                        topics,
                        state,
                        Map.of(
                                "ecg.progress.timeout.ms",
                                "3000",
                                "client.id",
                                clientId,
                                "producer.transaction.timeout.ms",
                                "120000"));
                Admin admin = Admin.create(broker.adminProperties())) {
            f.publish(FakeModels.release("v1", 100.0));
            f.awaitReady();
            List<String> ids = new ArrayList<>(f.sendWindows(5));
            Outputs.awaitScores(broker.bootstrapServers(), topics, 5, TIMEOUT);

            quota(admin, producer, 200.0);
            ids.addAll(f.sendWindows(20));
            f.awaitProblem("input records waiting and its committed offset has not moved");
            assertThat(f.gauge("ecg.tasks.stalled")).isEqualTo(1.0);
            assertThat(f.app.state().name()).isEqualTo("RUNNING");
            assertThat(f.get("/health/ready").statusCode()).isEqualTo(503);

            quota(admin, producer, null);
            f.awaitReady();
            Outputs.awaitScores(broker.bootstrapServers(), topics, 25, TIMEOUT);
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .extracting(Score::windowId)
                    .containsExactlyInAnyOrderElementsOf(ids);
            assertThat(f.gauge("ecg.tasks.stalled")).isZero();
        }
    }

    /** Sets the producer byte rate of {@code client}, or removes it for null. */
    private static void quota(Admin admin, ClientQuotaEntity client, Double bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                        client, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond)))))
                .all()
                .get();
    }

    /**
     * A model version that fails on every window: after the failure limit the version is marked failed, the rest
     * of the windows wait, readiness is false with the reason and {@code ecg_model_failed} is 1, until a new
     * release scores them.
     */
    @Test
    void aModelFailingOnEveryWindowIsMarkedFailedUntilANewRelease(EmbeddedKafkaBroker broker, @TempDir Path state)
            throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("failing") + ".");
        try (Fixture f = new Fixture(broker, topics, state, Map.of("ecg.model.failure.limit", "3"))) {
            f.publish(FakeModels.failingAbove("v1", 1.0, RuntimeFailure.THROWS, -1f));
            f.awaitReady();
            List<String> ids = f.sendWindows(8);

            f.awaitProblem("model version v1 is marked failed");
            assertThat(f.gauge("ecg.model.failed")).isEqualTo(1.0);
            KafkaTestUtils.waitUntilMinRecordsReceived(
                    broker.bootstrapServers(),
                    topics.heartbeatsDlq(),
                    3,
                    TIMEOUT,
                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED);
            KafkaTestUtils.waitForCondition(
                    () -> f.app.metrics().bufferedWindows() == 5, TIMEOUT, () -> "buffered " + f.app.health());

            f.publish(FakeModels.release("v2", 100.0));
            f.awaitReady();
            Outputs.awaitScores(broker.bootstrapServers(), topics, 5, TIMEOUT);
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .extracting(Score::windowId)
                    .containsExactlyElementsOf(ids.subList(3, 8));
            assertThat(Outputs.read(broker.bootstrapServers(), topics.heartbeatsDlq()))
                    .hasSize(3);
            assertThat(f.gauge("ecg.model.failed")).isZero();
        }
    }

    /** A stream thread that fails on the same window each time it is replaced: liveness turns false and stays so. */
    @Test
    void aStreamThreadReplacedAgainAndAgainForTheSameFailureTurnsLivenessFalse(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("crash-loop") + ".");
        // The dead thread's consumer stays in the group until its session times out; 6 s keeps the test short.
        try (Fixture f = new Fixture(broker, topics, state, Map.of("session.timeout.ms", "6000"))) {
            f.publish(FakeModels.crashing("v1"));
            f.awaitReady();
            assertThat(f.get("/health/live").statusCode()).isEqualTo(200);
            f.sendWindows(1);

            KafkaTestUtils.waitForCondition(() -> !f.app.isLive(), TIMEOUT, () -> "still live: " + f.app.health());
            HttpResponse<String> live = f.get("/health/live");
            assertThat(live.statusCode()).isEqualTo(503);
            assertThat(live.body()).contains("stream threads replaced 3 times").contains("UnsatisfiedLinkError");
            assertThat(f.counter("ecg.stream.thread.replacements")).isGreaterThanOrEqualTo(3.0);
            assertThat(f.gauge("ecg.live")).isZero();
            assertThat(Outputs.scores(broker.bootstrapServers(), topics)).isEmpty();
        }
    }

    /** A streamer with fake models on its own topics, a producer, and the ops server. */
    private static final class Fixture implements AutoCloseable {
        final EmbeddedKafkaBroker broker;
        final TopicNames topics;
        final StreamerApp app;
        final KafkaProducer<byte[], byte[]> producer;
        final HttpClient http = HttpClient.newHttpClient();
        int sent;

        Fixture(EmbeddedKafkaBroker broker, TopicNames topics, Path state, Map<String, String> extra) {
            this.broker = broker;
            this.topics = topics;
            TopicSetup.createAll(broker, topics, 1);
            Map<String, String> settings =
                    StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
            settings.put("ecg.batch.size", "1");
            settings.putAll(extra);
            app = StreamerApp.start(StreamerConfig.fromMap(settings), new FakeModels());
            producer = StreamerIT.producer(broker);
        }

        void publish(ecgdetector.model.release.ReleaseBundle release) throws Exception {
            new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(release));
        }

        void awaitReady() {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
        }

        void awaitProblem(String text) {
            KafkaTestUtils.waitForCondition(
                    () -> app.health().problems().stream().anyMatch(p -> p.contains(text)),
                    TIMEOUT,
                    () -> "no problem '" + text + "': " + app.health());
            assertThat(app.isReady()).isFalse();
        }

        /** Sends {@code n} windows of one patient and returns their window ids. */
        List<String> sendWindows(int n) throws Exception {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(Outputs.windowId(StreamerIT.send(
                        producer,
                        topics.heartbeats(),
                        "patient-1",
                        TopologyHarness.csv(FakeModels.constant(0.5f + sent++)))));
            }
            return ids;
        }

        double gauge(String name) {
            return app.meters().get(name).gauge().value();
        }

        double counter(String name) {
            return app.meters().get(name).counter().count();
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() {
            producer.close();
            app.close();
        }
    }
}
