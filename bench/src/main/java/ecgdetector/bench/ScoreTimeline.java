package ecgdetector.bench;

import ecgdetector.app.kafka.ReadCommittedConsumer;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.Score;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Every score the streamer writes, as a downstream {@code read_committed} consumer sees it: which window it is
 * for, on which partition, when that window was produced (the input record's timestamp, which the score keeps)
 * and when the score became readable here. {@link FailoverFigures} turns this into failover figures.
 */
final class ScoreTimeline implements AutoCloseable {

    /**
     * One score as seen: its window, output partition, produce time, the time the streamer scored it (its clock)
     * and the time it became readable here (epoch ms).
     */
    record Seen(String windowId, int partition, long producedMs, long scoredMs, long visibleMs) {
        long delayMs() {
            return visibleMs - producedMs;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final List<Seen> seen = new ArrayList<>();
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    ScoreTimeline(Properties client, String scoresTopic) {
        Properties tuning = new Properties();
        tuning.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        this.consumer = ReadCommittedConsumer.assign(
                client, List.of(scoresTopic), ReadCommittedConsumer.Start.BEGINNING, tuning);
        this.thread = new Thread(this::poll, "bench-score-timeline");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                long now = System.currentTimeMillis();
                List<Seen> batch = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Score score = Json.mapper().readValue(r.value(), Score.class);
                    long scored = java.time.Instant.parse(score.detectedAt()).toEpochMilli();
                    batch.add(new Seen(score.windowId(), r.partition(), r.timestamp(), scored, now));
                }
                synchronized (seen) {
                    seen.addAll(batch);
                }
            }
        } catch (IOException e) {
            failure = new IllegalStateException("a score is not readable JSON: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Scores seen so far. */
    int size() {
        synchronized (seen) {
            return seen.size();
        }
    }

    /** A copy of what was seen so far, in the order it was read. */
    List<Seen> snapshot() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    void checkHealthy() {
        if (failure != null) {
            throw new IllegalStateException("reading the scores failed: " + failure, failure);
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
