package ecgdetector.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.app.kafka.ReadCommittedConsumer;
import ecgdetector.app.replay.FeedReplayer;
import ecgdetector.schemas.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Reads what the streamer writes, as a downstream consumer would: {@code read_committed}, so only
 * what a committed transaction made visible counts. Keeps every score by window, prints each alert
 * as it arrives, and measures how long a window took from its produce time to being readable.
 */
final class LiveOutputs implements AutoCloseable {

    /** One window's live score, with when it became readable. */
    record LiveScore(String beatId, float score, boolean anomaly, long latencyMs) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String scoresTopic;
    private final String alertsTopic;
    private final String dlqTopic;
    private final PrintStream console;
    private final Map<String, LiveScore> scores = new ConcurrentHashMap<>();
    private final String beatIdPrefix;
    private final String replaySource;
    /** By alert id: another streamer on the same cluster may alert on the same window too. */
    private final Map<String, Boolean> alerts = new ConcurrentHashMap<>();

    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong lastScoredAtMs = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Exception failure;

    /** Reads only the windows whose beat id starts with {@code beatIdPrefix}: this run's. */
    LiveOutputs(
            Properties client,
            String scoresTopic,
            String alertsTopic,
            String dlqTopic,
            String beatIdPrefix,
            String replaySource,
            PrintStream console) {
        this.beatIdPrefix = beatIdPrefix;
        this.replaySource = replaySource;
        this.scoresTopic = scoresTopic;
        this.alertsTopic = alertsTopic;
        this.dlqTopic = dlqTopic;
        this.console = console;
        // Start at the current end: on a shared cluster older runs' records are not this run's.
        this.consumer = ReadCommittedConsumer.assign(
                client, List.of(scoresTopic, alertsTopic, dlqTopic), ReadCommittedConsumer.Start.END, new Properties());
        this.thread = new Thread(this::poll, "demo-outputs");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (record.topic().equals(scoresTopic)) {
                        onScore(record, now);
                    } else if (record.topic().equals(alertsTopic)) {
                        onAlert(record);
                    } else if (record.topic().equals(dlqTopic) && fromThisRun(record)) {
                        deadLettered.incrementAndGet();
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Dead letters keep the replayer's source header, which names the run. */
    private boolean fromThisRun(ConsumerRecord<byte[], byte[]> record) {
        var source = record.headers().lastHeader(FeedReplayer.SOURCE_HEADER);
        return source != null
                && new String(source.value(), java.nio.charset.StandardCharsets.UTF_8).startsWith(replaySource + ":");
    }

    private void onScore(ConsumerRecord<byte[], byte[]> record, long now) throws IOException {
        JsonNode score = Json.mapper().readTree(record.value());
        if (!score.path("beatId").asText("").startsWith(beatIdPrefix)) {
            return;
        }
        // Output records carry the input record's timestamp: the window's produce time.
        LiveScore live = new LiveScore(
                score.path("beatId").asText(null),
                score.get("score").floatValue(),
                score.get("anomaly").asBoolean(),
                now - record.timestamp());
        scores.put(score.get("windowId").asText(), live);
        lastScoredAtMs.set(now);
    }

    private void onAlert(ConsumerRecord<byte[], byte[]> record) throws IOException {
        JsonNode alert = Json.mapper().readTree(record.value());
        if (!alert.path("beatId").asText("").startsWith(beatIdPrefix)
                || alerts.putIfAbsent(alert.path("alertId").asText(), Boolean.TRUE) != null) {
            return;
        }
        JsonNode label = alert.get("label");
        String truth = label == null || label.isNull()
                ? ""
                : label.asDouble() == 1.0 ? "  (labelled normal)" : "  (labelled abnormal)";
        console.printf(
                Locale.ROOT,
                "  ALERT %-8s %-13s beat %-10s score %.5f = %.1fx threshold%s%n",
                alert.path("severity").asText(),
                alert.path("patientId").asText("-"),
                alert.path("beatId").asText("-"),
                alert.path("score").asDouble(),
                alert.path("ratio").asDouble(),
                truth);
    }

    Map<String, LiveScore> scores() {
        return scores;
    }

    long alerts() {
        return alerts.size();
    }

    long deadLettered() {
        return deadLettered.get();
    }

    long lastScoredAtMs() {
        return lastScoredAtMs.get();
    }

    /** The consumer's error, if reading stopped because of one. */
    Exception failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
