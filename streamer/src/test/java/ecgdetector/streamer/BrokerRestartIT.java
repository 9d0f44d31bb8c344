package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away mid-stream and comes back on the same data folder and port: the streamer, in a JVM of
 * its own, says it is not ready while the broker is gone, recovers by itself, and the output is exact.
 *
 * <p>The broker is this test's own, not the shared one, so stopping it disturbs no other test; the shared
 * broker's extension still guards the JVM against Kafka's exit calls.
 */
@ExtendWith(KafkaBrokerExtension.class)
class BrokerRestartIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int CHUNK = 120;

    @Test
    void theStreamerRidesOutABrokerRestartNotReadyMeanwhileAndTheOutputIsExact(@TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = TopicNames.defaults();
        Map<String, Integer> windowIndex = new HashMap<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDir(dir.resolve("kafka"))
                .build()
                .start()) {
            TopicSetup.createAll(broker, topics, 2);
            new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
            Map<String, String> settings =
                    StreamerIT.settings(broker, topics, "restart-streamer", dir.resolve("state"));
            settings.put("ecg.batch.size", "32");
            settings.put("ecg.batch.wait.ms", "200");

            try (ChildStreamer streamer = ChildStreamer.start(settings, dir.resolve("logs"), "streamer");
                    KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
                streamer.awaitReady(TIMEOUT);
                record(windowIndex, send(producer, topics, f, 0));
                Outputs.awaitScores(broker.bootstrapServers(), topics, CHUNK / 2, TIMEOUT);

                // Down while the first chunk is still being scored and the second may still be on its way. (Not
                // sent during the outage: a producer whose metadata refresh met the shutting-down broker blocks
                // each send for max.block.ms until it knows the topic again.)
                List<Sent> aroundOutage = send(producer, topics, f, 1);
                broker.stop();
                awaitReadiness(streamer, 503);
                assertThat(streamer.get("/health/ready").body()).contains("\"kafka\":\"unreachable\"");

                broker.start();
                assertThat(broker.bootstrapServers()).isEqualTo(settings.get("bootstrap.servers"));
                awaitReadiness(streamer, 200);
                record(windowIndex, aroundOutage);
                record(windowIndex, send(producer, topics, f, 2));

                Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
                Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);
                assertThat(streamer.output()).contains("did not answer").contains("answers again");
                assertThat(streamer.terminate(Duration.ofSeconds(60)))
                        .as("exit code after SIGTERM")
                        .isIn(0, 143);
            }
        }
    }

    /** A record on its way, and the fixture line it carries. */
    private record Sent(Future<RecordMetadata> ack, int line) {}

    /** Sends chunk {@code n}: fixture lines over two patients, without waiting for the acknowledgements. */
    private static List<Sent> send(
            KafkaProducer<byte[], byte[]> producer, TopicNames topics, RealRelease.Fixture f, int n) {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < CHUNK; i++) {
            int line = (n * CHUNK + i * 7) % f.size();
            sent.add(new Sent(
                    producer.send(new ProducerRecord<>(
                            topics.heartbeats(),
                            ("patient-" + i % 2).getBytes(StandardCharsets.UTF_8),
                            f.lines().get(line).getBytes(StandardCharsets.UTF_8))),
                    line));
        }
        return sent;
    }

    private static void record(Map<String, Integer> windowIndex, List<Sent> sent) throws Exception {
        for (Sent s : sent) {
            windowIndex.put(Outputs.windowId(s.ack().get()), s.line());
        }
    }

    private static void awaitReadiness(ChildStreamer streamer, int status) {
        KafkaTestUtils.waitForCondition(
                () -> {
                    try {
                        return streamer.get("/health/ready").status() == status;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                TIMEOUT,
                () -> "/health/ready never answered " + status + ":\n" + streamer.tail());
    }
}
