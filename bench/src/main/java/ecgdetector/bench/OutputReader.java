package ecgdetector.bench;

import ecgdetector.app.kafka.ReadCommittedConsumer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Counts what an application under test writes, as a downstream consumer sees it: {@code read_committed},
 * from the beginning of fresh topics, values left undecoded (the bench shares the machine with what it
 * measures, so reading costs as little as it can). For one topic it also records, per record, the time from
 * its timestamp (the input record's produce time, which the streamer's outputs keep) to the moment this
 * consumer got it.
 */
final class OutputReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String timedTopic;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong lastAtMs = new AtomicLong();
    private final Thread thread;
    private final Object latencyLock = new Object();
    private long[] produced = new long[1024];
    private long[] visible = new long[1024];
    private int timed;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    /** @param timedTopic the topic whose records' latency is recorded, or null for none */
    OutputReader(Properties client, List<String> topics, String timedTopic) {
        Properties tuning = new Properties();
        tuning.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        tuning.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        topics.forEach(topic -> counts.put(topic, new AtomicLong()));
        this.consumer = ReadCommittedConsumer.assign(client, topics, ReadCommittedConsumer.Start.BEGINNING, tuning);
        this.timedTopic = timedTopic;
        this.thread = new Thread(this::poll, "bench-output-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    counts.get(record.topic()).incrementAndGet();
                    if (record.topic().equals(timedTopic)) {
                        addLatency(record.timestamp(), now);
                    }
                }
                lastAtMs.set(now);
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void addLatency(long producedAt, long visibleAt) {
        synchronized (latencyLock) {
            if (timed == produced.length) {
                produced = Arrays.copyOf(produced, timed * 2);
                visible = Arrays.copyOf(visible, timed * 2);
            }
            produced[timed] = producedAt;
            visible[timed] = visibleAt;
            timed++;
        }
    }

    long count(String topic) {
        AtomicLong c = counts.get(topic);
        return c == null ? 0 : c.get();
    }

    /** When the last records were read (epoch ms), 0 before any. */
    long lastAtMs() {
        return lastAtMs.get();
    }

    /**
     * Latencies in ms of the timed topic's records produced in {@code [fromMs, toMs)}; and how many such
     * records were seen, as the array's length.
     */
    double[] latenciesProducedBetween(long fromMs, long toMs) {
        synchronized (latencyLock) {
            double[] out = new double[timed];
            int n = 0;
            for (int i = 0; i < timed; i++) {
                if (produced[i] >= fromMs && produced[i] < toMs) {
                    out[n++] = visible[i] - produced[i];
                }
            }
            return Arrays.copyOf(out, n);
        }
    }

    /** The consumer's error, if reading stopped because of one. */
    void checkHealthy() {
        if (failure != null) {
            throw new IllegalStateException("reading the outputs failed: " + failure, failure);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
