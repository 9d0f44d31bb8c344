package ecgdetector.streamer.health;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.streamer.ops.StreamerMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

/** The rules the health check applies to what the cluster and the tasks report, without a cluster. */
class HealthRulesTest {

    private static final TopicPartition P0 = new TopicPartition("ecg.heartbeats", 0);
    private static final Node NODE = new Node(1, "127.0.0.1", 9092);

    private static TaskProgress.Sample task(Long committed, long end, long buffered, long waitingSince) {
        return new TaskProgress.Sample(
                "0_0",
                List.of(P0),
                committed == null ? Map.of() : Map.of(P0, committed),
                Map.of(P0, end),
                Map.of(P0, 0L),
                buffered,
                waitingSince);
    }

    @Test
    void aTaskWithInputWaitingAndNoCommittedProgressForTheTimeoutIsStalled() {
        TaskProgress progress = new TaskProgress(Duration.ofSeconds(30), Duration.ofMillis(10));
        assertThat(progress.update(0, List.of(task(100L, 150, 0, Long.MAX_VALUE))))
                .isEmpty();
        assertThat(progress.update(29_000, List.of(task(120L, 180, 0, Long.MAX_VALUE))))
                .as("it committed")
                .isEmpty();
        assertThat(progress.update(58_000, List.of(task(120L, 190, 0, Long.MAX_VALUE))))
                .isEmpty();
        assertThat(progress.update(59_001, List.of(task(120L, 190, 0, Long.MAX_VALUE))))
                .containsOnlyKeys("0_0")
                .extractingByKey("0_0")
                .asString()
                .contains("70 input records waiting")
                .contains("has not moved for 30 s");
        assertThat(progress.update(60_000, List.of(task(190L, 190, 0, Long.MAX_VALUE))))
                .as("caught up")
                .isEmpty();
    }

    @Test
    void anIdleTaskWithNothingWaitingIsNeverStalledNorOneThatNeverCommittedOnAnEmptyTopic() {
        TaskProgress progress = new TaskProgress(Duration.ofSeconds(30), Duration.ofMillis(10));
        for (long now = 0; now < 300_000; now += 10_000) {
            assertThat(progress.update(now, List.of(task(190L, 190, 0, Long.MAX_VALUE))))
                    .isEmpty();
            assertThat(progress.update(now, List.of(task(null, 0, 0, Long.MAX_VALUE))))
                    .isEmpty();
        }
    }

    @Test
    void windowsHeldLongerThanTheBatchWaitAndTheTimeoutAreAStallToo() {
        TaskProgress progress = new TaskProgress(Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(progress.update(34_000, List.of(task(10L, 10, 80, 0)))).isEmpty();
        assertThat(progress.update(35_001, List.of(task(10L, 10, 80, 0))))
                .extractingByKey("0_0")
                .asString()
                .contains("holds 80 windows it has not scored for 35 s");
    }

    @Test
    void anOutputTopicIsUnwritableWhenMissingLeaderlessOrShortOfInSyncReplicas() {
        TopicDescription fine = new TopicDescription(
                "ecg.alerts", false, List.of(new TopicPartitionInfo(0, NODE, List.of(NODE), List.of(NODE))));
        TopicDescription leaderless = new TopicDescription(
                "ecg.scores", false, List.of(new TopicPartitionInfo(0, null, List.of(NODE), List.of())));
        Node two = new Node(2, "127.0.0.1", 9093);
        Node three = new Node(3, "127.0.0.1", 9094);
        TopicDescription shortOfIsr = new TopicDescription(
                "ecg.alerts",
                false,
                List.of(new TopicPartitionInfo(0, NODE, List.of(NODE, two, three), List.of(NODE))));

        assertThat(OutputTopics.problems(List.of("ecg.alerts"), Map.of("ecg.alerts", fine), Map.of("ecg.alerts", 1)))
                .isEmpty();
        assertThat(OutputTopics.problems(List.of("ecg.alerts"), Map.of("ecg.alerts", fine), Map.of("ecg.alerts", 2)))
                .as("one replica of one: all there is, Kafka's effective minimum")
                .isEmpty();
        assertThat(OutputTopics.problems(
                        List.of("ecg.alerts", "ecg.scores", "ecg.heartbeats.dlq"),
                        Map.of("ecg.alerts", shortOfIsr, "ecg.scores", leaderless),
                        Map.of("ecg.alerts", 2)))
                .containsOnlyKeys("ecg.alerts", "ecg.scores", "ecg.heartbeats.dlq")
                .hasEntrySatisfying("ecg.alerts", p -> assertThat(p).contains("1 in-sync replica(s) and needs 2"))
                .hasEntrySatisfying("ecg.scores", p -> assertThat(p).contains("no leader"))
                .hasEntrySatisfying("ecg.heartbeats.dlq", p -> assertThat(p).contains("does not exist"));
    }

    @Test
    void threeFailuresOfTheSameKindWithinTenMinutesAreALoopButDifferentOnesAreNot() {
        ThreadFailures failures = new ThreadFailures();
        assertThat(failures.failed(new IllegalStateException("offset 12 failed"), 0))
                .isFalse();
        assertThat(failures.failed(new IllegalArgumentException("other"), 1_000))
                .isFalse();
        assertThat(failures.failed(new IllegalStateException("offset 13 failed"), 2_000))
                .isFalse();
        assertThat(failures.failed(new IllegalStateException("offset 14 failed"), 11 * 60_000))
                .isFalse();
        assertThat(failures.problem()).isEmpty();
        assertThat(failures.failed(new IllegalStateException("offset 15 failed"), 12 * 60_000))
                .isFalse();
        assertThat(failures.failed(
                        new RuntimeException("wrapped", new IllegalStateException("offset 15 failed")),
                        11 * 60_000 + 1))
                .isTrue();
        assertThat(failures.problem())
                .hasValueSatisfying(p -> assertThat(p).contains("IllegalStateException: offset # failed"));
    }

    @Test
    void eachLostRangeIsCountedOnceWhicheverSideReportsIt() {
        StreamerMetrics metrics = StreamerMetrics.noop();
        InputLoss losses = new InputLoss(metrics);
        losses.checkCommitted(Map.of(P0, 10L), Map.of(P0, 40L));
        losses.outOfRange(P0, 10, 40, 60);
        losses.outOfRange(P0, 40, 55, 70);
        losses.outOfRange(P0, 90, 0, 5);

        assertThat(metrics.inputRecordsLost()).isEqualTo(45.0);
        assertThat(losses.problems())
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("offsets 10 to 39 (30 records)"))
                .anySatisfy(p -> assertThat(p).contains("offsets 40 to 54 (15 records)"));
    }
}
