package ecgdetector.bench;

import ecgdetector.app.kafka.ReadCommittedConsumer;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
import ecgdetector.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * How long after a live feed stops the streamer says so: once a latency phase's monitors stop sending, every
 * patient's FEED_SILENT (cause {@code NO_RECORDS}, the wall clock's) is waited for on the alarms topic, as a
 * downstream consumer reads it, and timed from the patient's last record sent to the alarm's {@code at}. The
 * target is the silence time S plus 2 s.
 */
final class FeedSilence {

    /** Beyond S, how long every patient's alarm is waited for before those missing are counted as missing. */
    static final Duration GRACE = Duration.ofSeconds(30);

    private FeedSilence() {}

    /**
     * @param lastSentAtMs each patient's last record sent, epoch ms, by record key
     * @param silenceMs    the streamer's S
     */
    static BenchReport.FeedSilent await(
            Properties client, String alarmsTopic, Map<String, Long> lastSentAtMs, long silenceMs) {
        Map<String, Long> raisedAtMs = new HashMap<>();
        long stoppedAt =
                lastSentAtMs.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long deadline = stoppedAt + silenceMs + GRACE.toMillis();
        try (KafkaConsumer<byte[], byte[]> consumer = ReadCommittedConsumer.assign(
                client, List.of(alarmsTopic), ReadCommittedConsumer.Start.BEGINNING, new Properties())) {
            while (raisedAtMs.size() < lastSentAtMs.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Alarm alarm = read(r.value());
                    if (alarm.type() == AlarmType.FEED_SILENT
                            && alarm.state() == AlarmState.RAISED
                            && alarm.cause() == AlarmCause.NO_RECORDS
                            && lastSentAtMs.containsKey(alarm.patientId())) {
                        raisedAtMs.putIfAbsent(
                                alarm.patientId(), Instant.parse(alarm.at()).toEpochMilli());
                    }
                }
            }
        }
        double[] ms = raisedAtMs.entrySet().stream()
                .mapToDouble(e -> e.getValue() - lastSentAtMs.get(e.getKey()))
                .toArray();
        return new BenchReport.FeedSilent(
                silenceMs,
                lastSentAtMs.size(),
                ms.length,
                Percentiles.of(ms, 50),
                Percentiles.of(ms, 95),
                Percentiles.of(ms, 100));
    }

    private static Alarm read(byte[] value) {
        try {
            return Json.mapper().readValue(value, Alarm.class);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "not an alarm on the alarms topic: " + new String(value, StandardCharsets.UTF_8), e);
        }
    }
}
