package ecgdetector.streamer.testing;

import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.schemas.Score;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The scores topic as a downstream {@code read_committed} consumer sees it, throughout a test: every score with
 * the time its window was produced (the score keeps the input record's timestamp) and the time it became
 * readable here, so the test can say how long patients' windows waited across its faults.
 */
public final class ScoreWatch implements AutoCloseable {

    /** One score: its window, when that window was produced and when the score became readable (epoch ms). */
    public record Seen(String windowId, long producedMs, long visibleMs) {
        public long delayMs() {
            return visibleMs - producedMs;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Seen> seen = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    public ScoreWatch(String bootstrapServers, String scoresTopic) {
        Properties props = KafkaTestUtils.consumerProperties(bootstrapServers, IsolationLevel.READ_COMMITTED);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = consumer.partitionsFor(scoresTopic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(scoresTopic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::poll, "score-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(50));
                long now = System.currentTimeMillis();
                synchronized (seen) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        Score score = TopologyHarness.read(r.value(), Score.class);
                        seen.add(new Seen(score.windowId(), r.timestamp(), now));
                        ids.add(score.windowId());
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Waits until every one of {@code windowIds} has a readable score, or fails saying how many have not. */
    public void awaitScored(Collection<String> windowIds, Duration timeout) {
        Set<String> wanted = Set.copyOf(windowIds);
        KafkaTestUtils.waitForCondition(
                () -> {
                    checkHealthy();
                    synchronized (seen) {
                        return ids.containsAll(wanted);
                    }
                },
                timeout,
                () -> {
                    synchronized (seen) {
                        return wanted.stream().filter(id -> !ids.contains(id)).count() + " of " + wanted.size()
                                + " windows still without a readable score";
                    }
                });
    }

    /** Every score read so far, in the order read. */
    public List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** The longest wait of a window produced in {@code [fromMs, toMs)}, ms; 0 if none. */
    public long worstDelayMs(long fromMs, long toMs) {
        synchronized (seen) {
            return seen.stream()
                    .filter(s -> s.producedMs() >= fromMs && s.producedMs() < toMs)
                    .mapToLong(Seen::delayMs)
                    .max()
                    .orElse(0);
        }
    }

    public void checkHealthy() {
        if (failure != null) {
            throw new AssertionError("reading the scores failed: " + failure, failure);
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
