package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.BadInputCorpus;
import ecgdetector.streamer.testing.BadInputCorpus.Bad;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.LogCapture;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus ({@link BadInputCorpus}: broken CSV and JSON, wrong and huge lengths, non-finite and
 * overflowing numbers, numbers as strings, nested junk, empty and null values, binary garbage, invalid UTF-8,
 * and a record just under the broker's size limit) interleaved with valid windows, live: every bad record is
 * in the dead-letter topic, whole, with its own reason and its origin; every valid window is scored; the
 * alerts are exactly the expected ones; the streamer never stopped.
 */
@ExtendWith(KafkaBrokerExtension.class)
class BadInputCorpusIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String CASE = "test.case";
    /** Leaves room under the input topic's limit for the record batch and the record's headers. */
    private static final int HUGE = EcgTopic.HEARTBEATS_MAX_MESSAGE_BYTES - 16 * 1024;

    @Test
    void everyBadRecordIsDeadLetteredWithItsReasonAndEveryValidWindowAroundItIsScored(
            EmbeddedKafkaBroker broker, @TempDir Path state) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        List<Bad> corpus = BadInputCorpus.around(f.lines().get(0), HUGE);
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(50);
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("corpus") + ".");
        TopicSetup.createAll(broker, topics, 2);
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
        Map<String, String> settings = StreamerIT.settings(broker, topics, topics.heartbeats() + ".streamer", state);
        settings.put("ecg.batch.size", "32");
        settings.put("ecg.batch.wait.ms", "100");

        Map<String, Integer> windowIndex = new HashMap<>();
        Map<String, RecordMetadata> sourceOfCase = new HashMap<>();
        try (LogCapture appLog = LogCapture.of(StreamerApp.class);
                StreamerApp app = StreamerApp.start(StreamerConfig.fromMap(settings));
                KafkaProducer<byte[], byte[]> producer = producer(broker)) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());

            // Good and bad in turn, on the same patients' partitions; every third good window as JSON.
            List<Future<RecordMetadata>> goods = new ArrayList<>();
            List<Future<RecordMetadata>> bads = new ArrayList<>();
            for (int i = 0; i < Math.max(f.size(), corpus.size()); i++) {
                byte[] key = ("patient-" + i % 3).getBytes(StandardCharsets.UTF_8);
                if (i < f.size()) {
                    goods.add(producer.send(new ProducerRecord<>(topics.heartbeats(), key, window(f, i))));
                }
                if (i < corpus.size()) {
                    Bad bad = corpus.get(i);
                    ProducerRecord<byte[], byte[]> r =
                            new ProducerRecord<>(topics.heartbeats(), bad.key() != null ? bad.key() : key, bad.value());
                    r.headers().add(CASE, bad.name().getBytes(StandardCharsets.UTF_8));
                    bads.add(producer.send(r));
                }
            }
            for (int i = 0; i < goods.size(); i++) {
                windowIndex.put(Outputs.windowId(goods.get(i).get()), i);
            }
            for (int i = 0; i < bads.size(); i++) {
                sourceOfCase.put(corpus.get(i).name(), bads.get(i).get());
            }

            Outputs.awaitScores(broker.bootstrapServers(), topics, windowIndex.size(), TIMEOUT);
            Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, windowIndex, f);

            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.waitUntilMinRecordsReceived(
                    broker.bootstrapServers(),
                    topics.heartbeatsDlq(),
                    corpus.size(),
                    TIMEOUT,
                    IsolationLevel.READ_COMMITTED);
            assertThat(dead)
                    .extracting(r -> header(r, CASE))
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(
                            corpus.stream().map(Bad::name).toList());
            Map<String, ConsumerRecord<byte[], byte[]>> deadByCase = new HashMap<>();
            dead.forEach(r -> deadByCase.put(header(r, CASE), r));
            Map<RejectReason, Integer> perReason = new EnumMap<>(RejectReason.class);
            for (Bad bad : corpus) {
                ConsumerRecord<byte[], byte[]> r = deadByCase.get(bad.name());
                RecordMetadata source = sourceOfCase.get(bad.name());
                assertThat(header(r, DeadLetterHeaders.REASON))
                        .as("reason of '%s' (%s)", bad.name(), header(r, DeadLetterHeaders.DETAIL))
                        .isEqualTo(bad.reason().name());
                assertThat(header(r, DeadLetterHeaders.DETAIL)).as(bad.name()).isNotBlank();
                assertThat(header(r, DeadLetterHeaders.TOPIC)).isEqualTo(source.topic());
                assertThat(header(r, DeadLetterHeaders.PARTITION)).isEqualTo(String.valueOf(source.partition()));
                assertThat(header(r, DeadLetterHeaders.OFFSET)).isEqualTo(String.valueOf(source.offset()));
                assertThat(r.value())
                        .as("the value of '%s', unchanged", bad.name())
                        .isEqualTo(bad.value());
                if (bad.key() != null) {
                    assertThat(r.key())
                            .as("the key of '%s', unchanged", bad.name())
                            .isEqualTo(bad.key());
                }
                perReason.merge(bad.reason(), 1, Integer::sum);
            }
            perReason.forEach((reason, n) -> assertThat(app.metrics().deadLetters(reason))
                    .as("metric of %s", reason)
                    .isEqualTo(n.doubleValue()));

            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(app.isLive()).isTrue();
            assertThat(appLog.messages(Level.ERROR))
                    .as("stream thread failures")
                    .isEmpty();
            // Kafka Streams starts with its global thread alone and reaches RUNNING; the stream threads, added once
            // the model serves, may take it through one more rebalance (none if they were added before RUNNING). A
            // bad record that killed a thread would log an ERROR (above) and rebalance again.
            assertThat(appLog.messages(Level.INFO))
                    .filteredOn(l -> l.startsWith("Kafka Streams state"))
                    .as("no rebalance or restart after the start")
                    .endsWith("Kafka Streams state REBALANCING -> RUNNING")
                    .filteredOn(l -> l.endsWith("-> RUNNING"))
                    .hasSizeBetween(1, 2);
        }
    }

    /** Fixture line {@code i}: the raw CSV line, or for every third one the same numbers as a JSON window. */
    private static byte[] window(RealRelease.Fixture f, int i) {
        String line = f.lines().get(i);
        if (i % 3 != 1) {
            return line.getBytes(StandardCharsets.UTF_8);
        }
        String[] fields = line.split(",");
        String json = "{\"beatId\":" + i + ",\"samples\":[" + String.join(",", Arrays.copyOf(fields, 140))
                + "],\"label\":" + fields[140] + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker broker) {
        var props = broker.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(EmbeddedKafkaBroker.MAX_MESSAGE_BYTES));
        return new KafkaProducer<>(props);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return TopologyHarness.header(r.headers(), key);
    }
}
