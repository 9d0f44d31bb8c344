package ecgdetector.view.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StartPointsTest {

    private static final TopicPartition SCORES = new TopicPartition("ecg.scores", 0);
    private static final TopicPartition MODELS = new TopicPartition("ecg.models", 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final long SINCE = 1_000_000L;

    /**
     * A consumer over one log per partition; {@code offsetsForTimes} answers from the log as it is when asked,
     * and then runs what the test says arrives right after the lookup.
     */
    private static final class Logs extends MockConsumer<byte[], byte[]> {
        private final Map<TopicPartition, List<Long>> timestamps = new HashMap<>();
        private Runnable afterLookup = () -> {};

        Logs() {
            super("earliest");
        }

        void write(TopicPartition p, long timestamp) {
            List<Long> log = timestamps.computeIfAbsent(p, k -> new java.util.ArrayList<>());
            long offset = log.size();
            log.add(timestamp);
            updateEndOffsets(Map.of(p, offset + 1));
            if (assignment().contains(p)) {
                addRecord(new ConsumerRecord<>(p.topic(), p.partition(), offset, new byte[0], new byte[0]));
            }
        }

        @Override
        public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
                Map<TopicPartition, Long> times, Duration timeout) {
            Map<TopicPartition, OffsetAndTimestamp> found = new HashMap<>();
            times.forEach((p, since) -> {
                List<Long> log = timestamps.getOrDefault(p, List.of());
                for (int offset = 0; offset < log.size(); offset++) {
                    if (log.get(offset) >= since) {
                        found.put(p, new OffsetAndTimestamp(offset, log.get(offset)));
                        break;
                    }
                }
                found.putIfAbsent(p, null);
            });
            afterLookup.run();
            return found;
        }
    }

    private static Logs logs(TopicPartition... partitions) {
        Logs logs = new Logs();
        Map<TopicPartition, Long> zero = new HashMap<>();
        for (TopicPartition p : partitions) {
            zero.put(p, 0L);
        }
        logs.updateBeginningOffsets(zero);
        logs.updateEndOffsets(zero);
        logs.assign(List.of(partitions));
        return logs;
    }

    @Test
    void recordsWrittenJustAfterTheLookupOfAnEmptyPartitionAreRead() {
        Logs logs = logs(SCORES);
        logs.afterLookup = () -> {
            for (int i = 0; i < 6; i++) {
                logs.write(SCORES, SINCE + 10 + i);
            }
        };

        Map<TopicPartition, Long> positions = StartPoints.seek(logs, List.of(SCORES), Set.of(), SINCE, TIMEOUT);

        assertThat(positions).containsEntry(SCORES, 0L);
        assertThat(logs.poll(TIMEOUT).count()).isEqualTo(6);
    }

    @Test
    void aPartitionWithOnlyOldRecordsStartsAtTheEndItHadWhenAsked() {
        Logs logs = logs(SCORES);
        logs.write(SCORES, SINCE - 500);
        logs.write(SCORES, SINCE - 400);
        logs.afterLookup = () -> logs.write(SCORES, SINCE + 1);

        Map<TopicPartition, Long> positions = StartPoints.seek(logs, List.of(SCORES), Set.of(), SINCE, TIMEOUT);

        assertThat(positions).containsEntry(SCORES, 2L);
        assertThat(logs.poll(TIMEOUT).records(SCORES))
                .extracting(ConsumerRecord::offset)
                .containsExactly(2L);
    }

    @Test
    void theWardsTopicsStartAtTheLookBackAndTheModelsAtTheBeginning() {
        Logs logs = logs(SCORES, MODELS);
        logs.write(SCORES, SINCE - 1);
        logs.write(SCORES, SINCE);
        logs.write(SCORES, SINCE + 1);
        logs.write(MODELS, SINCE - 3_600_000);

        Map<TopicPartition, Long> positions =
                StartPoints.seek(logs, List.of(SCORES, MODELS), Set.of(MODELS), SINCE, TIMEOUT);

        assertThat(positions).containsEntry(SCORES, 1L).containsEntry(MODELS, 0L);
    }
}
