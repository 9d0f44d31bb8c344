package ecgdetector.bench;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.scoring.AnomalyRule;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.DeadLetter;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.JsonSerde;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Rejection;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.alert.EventFactory;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import ecgdetector.streamer.window.BufferedWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The simplest program that does the streamer's job with plain Kafka clients, for the bench to hold the Kafka
 * Streams topology against: poll a batch, decode each record with the streamer's {@link HeartbeatDecoder}, score the
 * valid windows in one call of the same {@link ScoringModel}, produce the same JSON {@link Score} (and, for an
 * anomaly, {@link Alert}) records through the streamer's {@link EventFactory}, dead-letter what does not decode with
 * the streamer's headers, and commit the batch's offsets: {@link Guarantee#AT_LEAST_ONCE} after the producer's
 * flush, {@link Guarantee#TRANSACTIONAL} in one transaction with the outputs ({@code sendOffsetsToTransaction}).
 *
 * <p>What it leaves out is what the streamer's price buys: no changelogged batch buffer (a batch is one poll, held
 * in memory between the poll and the commit), no wait for a batch to fill, no hot swap, no alarm stage, no health
 * or metrics, no dead letter for a score that is not finite, and no retry of a failed batch (the loop stops, and the
 * bench's phase with it).
 */
final class PlainClientPeer implements AutoCloseable {

    /** How the outputs and the input offsets are committed. */
    enum Guarantee {
        AT_LEAST_ONCE,
        TRANSACTIONAL
    }

    private static final Duration POLL = Duration.ofMillis(100);
    /** The producer's default {@code max.request.size}: a larger dead letter is written in its reduced form. */
    private static final int DEAD_LETTER_MAX_BYTES = 1024 * 1024 - 1024;

    private final TopicNames topics;
    private final ScoringModel model;
    private final HeartbeatDecoder decoder;
    private final Guarantee guarantee;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<Score> scores = JsonSerde.of(Score.class).serializer();
    private final Serializer<Alert> alerts = JsonSerde.of(Alert.class).serializer();
    private final AtomicBoolean assigned = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedWindows = new AtomicLong();
    private final AtomicLong inferenceNanos = new AtomicLong();
    private final Thread loop;
    private volatile Throwable failure;

    /**
     * @param client     the cluster's client properties (bootstrap servers, security)
     * @param group      the consumer group, and the transactional id's prefix
     * @param batchSize  the most records one poll returns, so the largest batch scored in one call
     */
    PlainClientPeer(
            Properties client,
            String group,
            TopicNames topics,
            ScoringModel model,
            HeartbeatDecoder decoder,
            int batchSize,
            Guarantee guarantee) {
        this.topics = topics;
        this.model = model;
        this.decoder = decoder;
        this.guarantee = guarantee;
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(batchSize));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (guarantee == Guarantee.TRANSACTIONAL) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-peer");
        }
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        loop = new Thread(this::run, "peer-" + guarantee.name().toLowerCase(java.util.Locale.ROOT));
    }

    void start() {
        if (guarantee == Guarantee.TRANSACTIONAL) {
            producer.initTransactions();
        }
        consumer.subscribe(List.of(topics.heartbeats()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned.set(true);
            }
        });
        loop.start();
    }

    /** Once the group gave this consumer its partitions: the records it polls from then on are scored. */
    boolean isReady() {
        if (failure != null) {
            throw new IllegalStateException("the plain-client peer failed", failure);
        }
        return assigned.get();
    }

    /** The figures {@link BenchChild#stats} reports for the streamer's batches and inference, for this loop. */
    Map<String, Long> stats() {
        return Map.of(
                "batches", batches.get(),
                "batchedWindows", batchedWindows.get(),
                "inferenceMs", TimeUnit.NANOSECONDS.toMillis(inferenceNanos.get()));
    }

    private void run() {
        try {
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    handle(records);
                }
            }
        } catch (WakeupException e) {
            if (!stop.get()) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
            System.err.println("the plain-client peer stopped: " + e);
            e.printStackTrace();
        }
    }

    /** One poll: decode, score in one call, produce, commit. */
    private void handle(ConsumerRecords<byte[], byte[]> records) {
        if (guarantee == Guarantee.TRANSACTIONAL) {
            producer.beginTransaction();
        }
        List<BufferedWindow> windows = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            Decoded decoded = decoder.decode(r.key(), r.value(), r.timestamp());
            if (decoded instanceof HeartbeatWindow window) {
                windows.add(new BufferedWindow(
                        new WindowSource(r.topic(), r.partition(), r.offset()), r.timestamp(), now, r.key(), window));
            } else {
                deadLetter(r, (Rejection) decoded);
            }
        }
        if (!windows.isEmpty()) {
            emit(windows);
        }
        if (guarantee == Guarantee.TRANSACTIONAL) {
            producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
            producer.commitTransaction();
        } else {
            producer.flush();
            consumer.commitSync(next);
        }
    }

    private void emit(List<BufferedWindow> windows) {
        float[][] raw = new float[windows.size()][];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = windows.get(i).window().samples();
        }
        long start = System.nanoTime();
        BeatScore[] scored = model.score(raw);
        inferenceNanos.addAndGet(System.nanoTime() - start);
        batches.incrementAndGet();
        batchedWindows.addAndGet(raw.length);
        ReleaseManifest manifest = model.manifest();
        ModelRef ref = new ModelRef(manifest.modelName(), manifest.version());
        double threshold = manifest.threshold();
        String detectedAt = EventFactory.iso(System.currentTimeMillis());
        for (int i = 0; i < raw.length; i++) {
            BufferedWindow w = windows.get(i);
            BeatScore s = scored[i];
            boolean anomaly = AnomalyRule.isAnomaly(s.error(), threshold);
            Score score = EventFactory.score(w, s.error(), threshold, anomaly, ref, detectedAt);
            producer.send(new ProducerRecord<>(
                    topics.scores(), null, w.recordTimestamp(), w.key(), scores.serialize(topics.scores(), score)));
            if (anomaly) {
                Alert alert = EventFactory.alert(w, s.error(), threshold, ref, s.worstPositions(), detectedAt);
                producer.send(new ProducerRecord<>(
                        topics.alerts(), null, w.recordTimestamp(), w.key(), alerts.serialize(topics.alerts(), alert)));
            }
        }
    }

    /** A record that did not decode, with the streamer's dead-letter headers; a reduced form if it is too large. */
    private void deadLetter(ConsumerRecord<byte[], byte[]> r, Rejection rejection) {
        DeadLetter letter = DeadLetter.of(
                r.key(),
                r.value(),
                DeadLetterHeaders.rejected(
                        r.headers(),
                        rejection,
                        r.topic(),
                        String.valueOf(r.partition()),
                        String.valueOf(r.offset()),
                        r.timestamp()),
                DEAD_LETTER_MAX_BYTES);
        producer.send(new ProducerRecord<>(
                topics.heartbeatsDlq(), null, r.timestamp(), letter.key(), letter.value(), letter.headers()));
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        consumer.wakeup();
        loop.join(TimeUnit.SECONDS.toMillis(30));
        producer.close(Duration.ofSeconds(10));
        consumer.close(Duration.ofSeconds(10));
        model.close();
    }
}
