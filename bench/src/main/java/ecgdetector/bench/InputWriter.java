package ecgdetector.bench;

import ecgdetector.app.kafka.HeartbeatProducer;
import ecgdetector.app.replay.PatientKeys;
import ecgdetector.app.replay.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes heartbeat windows to an input topic: the lines of ecg.csv as they are (one line, one record),
 * taken in turn and started again at the end, keyed {@code patient-0001 ...} over a number of patients so
 * the records spread over the partitions, as {@code ./ecg replay} sends them, with the same producer
 * ({@link HeartbeatProducer}).
 */
final class InputWriter implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[][] lines;
    private final byte[][] keys;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final long[] lastSentAtMs;
    private long sent;

    /**
     * @param lingerMs how long the producer may hold records to batch them: long for bulk loading, short
     *                 when every record's produce time counts
     */
    InputWriter(Properties client, String topic, List<String> lines, int patients, int lingerMs) {
        this.producer = HeartbeatProducer.open(
                client,
                topic,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs)),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        this.topic = topic;
        this.lines = new byte[lines.size()][];
        for (int i = 0; i < lines.size(); i++) {
            this.lines[i] = lines.get(i).getBytes(StandardCharsets.UTF_8);
        }
        PatientKeys patientKeys = PatientKeys.of(patients);
        this.keys = new byte[Math.max(1, patients)][];
        this.lastSentAtMs = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            String key = patientKeys.keyFor(i);
            keys[i] = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Sends the next record; its timestamp is the time of this call. */
    void sendNext() {
        int line = (int) (sent % lines.length);
        int key = (int) (sent % keys.length);
        sent++;
        lastSentAtMs[key] = System.currentTimeMillis();
        producer.send(new ProducerRecord<>(topic, keys[key], lines[line]), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                acknowledged.incrementAndGet();
            }
        });
    }

    /** Sends {@code count} records as fast as the cluster takes them and waits until all are acknowledged. */
    void sendAll(long count, Progress progress) {
        long last = System.nanoTime();
        for (long i = 0; i < count; i++) {
            sendNext();
            if ((i & 1023) == 0 && System.nanoTime() - last > 1_000_000_000L) {
                last = System.nanoTime();
                progress.report(acknowledged.get(), count);
                checkHealthy();
            }
        }
        producer.flush();
        checkHealthy();
    }

    /** Sends at {@code perSecond} (on a fixed schedule, see {@link RateLimiter}) until {@code stop} is true. */
    void sendAtRate(double perSecond, BooleanSupplier stop) {
        RateLimiter limiter = RateLimiter.perSecond(perSecond, RateLimiter.SYSTEM);
        while (!stop.getAsBoolean()) {
            if (!limiter.acquire(stop)) {
                break;
            }
            sendNext();
        }
        producer.flush();
        checkHealthy();
    }

    long sent() {
        return sent;
    }

    /** When each keyed patient's last record was sent, epoch ms, by key: those sent to at all. */
    Map<String, Long> lastSentAtMs() {
        Map<String, Long> last = new java.util.HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && lastSentAtMs[i] > 0) {
                last.put(new String(keys[i], StandardCharsets.UTF_8), lastSentAtMs[i]);
            }
        }
        return last;
    }

    long acknowledged() {
        return acknowledged.get();
    }

    private void checkHealthy() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("writing to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    interface Progress {
        void report(long done, long total);
    }
}
