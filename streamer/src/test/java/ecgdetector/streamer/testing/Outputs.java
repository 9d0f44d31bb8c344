package ecgdetector.streamer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import java.time.Duration;
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
