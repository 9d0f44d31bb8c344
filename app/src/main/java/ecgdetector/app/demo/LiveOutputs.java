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
 * what a committed transaction made visible counts. Keeps every score by window, counts the per-beat alerts,
 * prints each alarm transition as it arrives (alarms are what people act on; a line per anomalous beat would
 * drown them), and measures how long a window took from its produce time to being readable.
 */
final class LiveOutputs implements AutoCloseable {

    /** One window's live score, with when it became readable. */
    record LiveScore(String beatId, float score, boolean anomaly, long latencyMs, long producedAtMs) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String scoresTopic;
    private final String alertsTopic;
    private final String dlqTopic;
    private final String alarmsTopic;
    private final PrintStream console;
    private final Map<String, LiveScore> scores = new ConcurrentHashMap<>();
    private final String beatIdPrefix;
    private final String replaySource;
    /** By alert id: another streamer on the same cluster may alert on the same window too. */
    private final Map<String, Boolean> alerts = new ConcurrentHashMap<>();
    /** Alarm transitions by alarm id, and the RAISED ones by type. */
    private final Map<String, Boolean> alarms = new ConcurrentHashMap<>();

    private final Map<String, AtomicLong> raisedByType = new ConcurrentHashMap<>();

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
            String alarmsTopic,
            String beatIdPrefix,
            String replaySource,
            PrintStream console) {
        this.beatIdPrefix = beatIdPrefix;
        this.replaySource = replaySource;
        this.scoresTopic = scoresTopic;
        this.alertsTopic = alertsTopic;
        this.dlqTopic = dlqTopic;
        this.alarmsTopic = alarmsTopic;
        this.console = console;
        // Start at the current end: on a shared cluster older runs' records are not this run's.
        this.consumer = ReadCommittedConsumer.assign(
                client,
                List.of(scoresTopic, alertsTopic, dlqTopic, alarmsTopic),
                ReadCommittedConsumer.Start.END,
                new Properties());
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
                    } else if (record.topic().equals(alarmsTopic)) {
                        onAlarm(record);
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
                now - record.timestamp(),
                record.timestamp());
        scores.put(score.get("windowId").asText(), live);
        lastScoredAtMs.set(now);
    }

    private void onAlert(ConsumerRecord<byte[], byte[]> record) throws IOException {
        JsonNode alert = Json.mapper().readTree(record.value());
        if (alert.path("beatId").asText("").startsWith(beatIdPrefix)) {
            alerts.putIfAbsent(alert.path("alertId").asText(), Boolean.TRUE);
        }
    }

    /** One line per alarm transition, once per alarm id (the consumer deduplicates as any consumer may). */
    private void onAlarm(ConsumerRecord<byte[], byte[]> record) throws IOException {
        JsonNode alarm = Json.mapper().readTree(record.value());
        if (alarms.putIfAbsent(alarm.path("alarmId").asText(), Boolean.TRUE) != null) {
            return;
        }
        String state = alarm.path("state").asText();
        String type = alarm.path("type").asText();
        if (state.equals("RAISED")) {
            raisedByType.computeIfAbsent(type, t -> new AtomicLong()).incrementAndGet();
        }
        String episode = alarm.hasNonNull("anomalousBeats")
                ? String.format(
                        Locale.ROOT,
                        ", %d anomalous beats, peak %.1fx threshold",
                        alarm.path("anomalousBeats").asInt(),
                        alarm.path("peakRatio").asDouble())
                : "";
        String gap = alarm.hasNonNull("gapMs")
                ? String.format(Locale.ROOT, ", gap %.1f s", alarm.path("gapMs").asLong() / 1000.0)
                : "";
        console.printf(
                Locale.ROOT,
                "  ALARM %-9s %-6s %-15s %-13s %s%s%s%n",
                state,
                alarm.path("priority").asText(),
                type,
                alarm.path("patientId").asText("-"),
                alarm.path("cause").asText(),
                episode,
                gap);
    }

    Map<String, LiveScore> scores() {
        return scores;
    }

    long alerts() {
        return alerts.size();
    }

    /** Alarm transitions read, each alarm id once. */
    long alarms() {
        return alarms.size();
    }

    /** RAISED alarms read, by type. */
    Map<String, Long> raisedByType() {
        Map<String, Long> raised = new java.util.TreeMap<>();
        raisedByType.forEach((type, n) -> raised.put(type, n.get()));
        return raised;
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
