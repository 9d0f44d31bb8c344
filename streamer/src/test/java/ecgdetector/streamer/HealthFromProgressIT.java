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
import ecgdetector.streamer.testing.ScoreWatch;
import ecgdetector.streamer.testing.TopologyHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health from progress, not from state: Kafka Streams stays RUNNING through each of these faults (but for a moment at
 * each transaction the streamer gives up), and readiness (or liveness) says what is wrong anyway, with the metric
 * and the reason, and recovers when the fault clears.
 */
@ExtendWith(KafkaBrokerExtension.class)
class HealthFromProgressIT {

    private static final Logger log = LoggerFactory.getLogger(HealthFromProgressIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /**
     * The streamer's producer held back by a quota of 200 bytes a second (a score is about 400, a window in the
     * buffer's changelog more): the broker throttles its connection for as long as the quota takes to pay for what
     * it sent (seconds to minutes), and that throttle runs its full length even once the quota is lifted. The task's
     * committed offset stops moving while input waits, so readiness turns false with the task named and
     * {@code ecg_tasks_stalled} counts it. At the streamer's defaults each transaction is given up at its
     * {@code transaction.timeout.ms} (5 s), and Kafka Streams goes on from the last commit with a new producer, a
     * new connection ({@code TransactionTimeoutProducer}); once the quota is lifted the next one writes. So scoring
     * resumes within seconds of the lift, every window is scored once, readiness is true again, and no stream thread
     * was replaced. (Before, the throttled producer's thread waited out the whole throttle, up to 60 s at a time in
     * {@code SendOffsetsToTransaction} and {@code EndTxn}: scoring resumed up to 25 s after the lift in the runs of
     * 8 December 2026, and 3 min 25 s after it under 5 bytes a second.)
     */
    @Test
    void aProducerHeldBackByAQuotaShowsAsAStalledTaskUntilItWritesAgain(EmbeddedKafkaBroker broker, @TempDir Path state)
            throws Exception {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("stalled") + ".");
        String clientId = topics.heartbeats() + "-client";
        ClientQuotaEntity producer =
                new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId + "-StreamThread-1-producer"));
        try (Fixture f = new Fixture(
                        broker, topics, state, Map.of("ecg.progress.timeout.ms", "3000", "client.id", clientId));
                Admin admin = Admin.create(broker.adminProperties());
                ScoreWatch watch = new ScoreWatch(broker.bootstrapServers(), topics.scores())) {
            f.publish(FakeModels.release("v1", 100.0));
            f.awaitReady();
            List<String> ids = new ArrayList<>(f.sendWindows(5));
            watch.awaitScored(ids, TIMEOUT);

            quota(admin, producer, 200.0);
            List<String> held = f.sendWindows(20);
            ids.addAll(held);
            String stalled = "input records waiting and its committed offset has not moved";
            f.awaitProblem(stalled);
            KafkaTestUtils.waitForCondition(
                    () -> {
                        HttpResponse<String> ready = f.ready();
                        return ready.statusCode() == 503
                                && ready.body().contains(stalled)
                                && f.gauge("ecg.tasks.stalled") == 1.0;
                    },
                    TIMEOUT,
                    () -> "not 503 with the stalled task and ecg_tasks_stalled 1: " + f.app.health());

            quota(admin, producer, null);
            long liftedAt = System.currentTimeMillis();
            watch.awaitScored(ids, TIMEOUT);
            f.awaitReady();
            long readyMs = System.currentTimeMillis() - liftedAt;
            KafkaTestUtils.waitForCondition(
                    () -> f.gauge("ecg.tasks.stalled") == 0.0, TIMEOUT, () -> "still stalled: " + f.app.health());

            long resumedMs = watch.seen().stream()
                    .filter(s -> s.visibleMs() >= liftedAt)
                    .mapToLong(s -> s.visibleMs() - liftedAt)
                    .min()
                    .orElse(0);
            long allMs = watch.seen().stream()
                    .filter(s -> held.contains(s.windowId()))
                    .mapToLong(s -> s.visibleMs() - liftedAt)
                    .max()
                    .orElseThrow();
            log.info(
                    "Quota lifted: first score readable after {} ms, all {} held windows after {} ms, ready after {} ms;"
                            + " {} transactions given up",
                    resumedMs,
                    held.size(),
                    allMs,
                    readyMs,
                    f.counter("ecg.transactions.expired"));
            assertThat(allMs)
                    .as("ms from the lift until every held window was scored")
                    .isLessThan(30_000);
            assertThat(readyMs).as("ms from the lift until ready").isLessThan(30_000);
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .extracting(Score::windowId)
                    .containsExactlyInAnyOrderElementsOf(ids);
            assertThat(f.counter("ecg.transactions.expired")).isGreaterThanOrEqualTo(1.0);
            assertThat(f.counter("ecg.stream.thread.replacements")).isZero();
            assertThat(f.app.isLive()).isTrue();
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

        HttpResponse<String> ready() {
            try {
                return get("/health/ready");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
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
