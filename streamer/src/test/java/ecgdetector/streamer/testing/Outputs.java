package ecgdetector.streamer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.alarm.AlarmEngine;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.alarm.BeatQuality;
import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.model.alarm.ScoredBeat;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmType;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;

/**
 * What the streamer wrote, read as a downstream consumer reads it ({@code read_committed}), and the one check
 * the fault tests share: every window scored exactly once with its offline score, and exactly the expected
 * alerts, by alert id: none missing, none twice.
 */
public final class Outputs {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private Outputs() {}

    /** The id the streamer gives the window of an input record: {@code topic/partition/offset}. */
    public static String windowId(RecordMetadata m) {
        return m.topic() + "/" + m.partition() + "/" + m.offset();
    }

    public static List<Score> scores(String bootstrapServers, TopicNames topics) {
        return read(bootstrapServers, topics.scores()).stream()
                .map(r -> TopologyHarness.read(r.value(), Score.class))
                .toList();
    }

    public static List<Alert> alerts(String bootstrapServers, TopicNames topics) {
        return read(bootstrapServers, topics.alerts()).stream()
                .map(r -> TopologyHarness.read(r.value(), Alert.class))
                .toList();
    }

    public static List<Alarm> alarms(String bootstrapServers, TopicNames topics) {
        return read(bootstrapServers, topics.alarms()).stream()
                .map(r -> TopologyHarness.read(r.value(), Alarm.class))
                .toList();
    }

    /**
     * The committed alarms hold no id twice, and their physiological and signal-quality transitions are exactly
     * what the alarm engine gives offline on the committed scores in each partition's order (those depend on the
     * beats alone; silence also depends on the wall clock, so only its uniqueness is checked). Returns the
     * physiological ones.
     */
    public static List<Alarm> assertAlarmsExactlyOnce(
            String bootstrapServers,
            TopicNames topics,
            Map<String, Integer> windowIndex,
            RealRelease.Fixture f,
            AlarmRule rule) {
        List<Alarm> alarms = alarms(bootstrapServers, topics);
        assertThat(alarms).extracting(Alarm::alarmId).as("alarm ids").doesNotHaveDuplicates();
        List<String> expected = offlineAlarmIds(scores(bootstrapServers, topics), windowIndex, f, rule);
        List<Alarm> beatAlarms = alarms.stream()
                .filter(a -> a.type() == AlarmType.ANOMALOUS_BEATS || a.type() == AlarmType.SIGNAL_QUALITY)
                .toList();
        assertThat(beatAlarms)
                .extracting(Alarm::alarmId)
                .as("episode and signal-quality alarm ids")
                .containsExactlyInAnyOrderElementsOf(expected);
        return beatAlarms.stream()
                .filter(a -> a.type() == AlarmType.ANOMALOUS_BEATS)
                .toList();
    }

    private static List<String> offlineAlarmIds(
            List<Score> scores, Map<String, Integer> windowIndex, RealRelease.Fixture f, AlarmRule rule) {
        AlarmEngine engine = new AlarmEngine(rule);
        MinMaxScaler scaler = MinMaxScaler.of(f.release().manifest().scaler());
        double threshold = f.release().manifest().threshold();
        Map<String, PatientAlarms> patients = new HashMap<>();
        List<Alarm> out = new ArrayList<>();
        List<Score> ordered = new ArrayList<>(scores);
        ordered.sort(Comparator.comparingInt((Score s) -> s.source().partition())
                .thenComparingLong(s -> s.source().offset()));
        for (Score s : ordered) {
            PatientAlarms p = patients.computeIfAbsent(s.patientId(), k -> engine.newPatient());
            float[] samples = samples(f.lines().get(windowIndex.get(s.windowId())), scaler.length());
            engine.beat(
                    p,
                    new ScoredBeat(
                            s.patientId(),
                            s.source().topic(),
                            s.source().partition(),
                            s.source().offset(),
                            Instant.parse(s.eventTime()).toEpochMilli(),
                            s.score() / threshold,
                            BeatQuality.of(scaler).check(samples),
                            s.model(),
                            0),
                    out);
        }
        return out.stream()
                .filter(a -> a.type() == AlarmType.ANOMALOUS_BEATS || a.type() == AlarmType.SIGNAL_QUALITY)
                .map(Alarm::alarmId)
                .toList();
    }

    /** The samples of a CSV line (the label, if any, dropped). */
    private static float[] samples(String line, int length) {
        String[] fields = line.split(",");
        float[] samples = new float[length];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = Float.parseFloat(fields[i].trim());
        }
        return samples;
    }

    public static List<ConsumerRecord<byte[], byte[]>> read(String bootstrapServers, String topic) {
        return KafkaTestUtils.readToEnd(bootstrapServers, topic, IsolationLevel.READ_COMMITTED, READ_TIMEOUT);
    }

    /** Waits until {@code n} scores are committed (or fails with what arrived). */
    public static void awaitScores(String bootstrapServers, TopicNames topics, int n, Duration timeout) {
        KafkaTestUtils.waitUntilMinRecordsReceived(
                bootstrapServers, topics.scores(), n, timeout, IsolationLevel.READ_COMMITTED);
    }

    /** The windows among {@code windowIndex} (window id -> fixture line) the fixture's offline scores call anomalous. */
    public static Set<String> expectedAlerts(Map<String, Integer> windowIndex, RealRelease.Fixture f) {
        return windowIndex.entrySet().stream()
                .filter(e -> f.anomalous(e.getValue()))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Every window of {@code windowIndex} (window id -> fixture line) has exactly one committed score, equal to
     * the trainer's offline score of its line, and the committed alerts are exactly the anomalous ones, each
     * once, each from {@code f}'s release. Returns the alerts.
     */
    public static List<Alert> assertExactlyOnce(
            String bootstrapServers, TopicNames topics, Map<String, Integer> windowIndex, RealRelease.Fixture f) {
        List<Score> scores = scores(bootstrapServers, topics);
        assertThat(scores)
                .extracting(Score::windowId)
                .as("scored windows")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(windowIndex.keySet());
        scores.forEach(s -> assertThat(s.score())
                .as("score of %s", s.windowId())
                .isEqualTo(f.offline()[windowIndex.get(s.windowId())]));
        Set<String> expected = expectedAlerts(windowIndex, f);
        assertThat(expected).as("the windows hold anomalies").isNotEmpty();
        List<Alert> alerts = alerts(bootstrapServers, topics);
        assertThat(alerts)
                .extracting(Alert::alertId)
                .as("alert ids")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(alerts)
                .allSatisfy(a ->
                        assertThat(a.model().version()).isEqualTo(f.release().version()));
        return alerts;
    }
}
