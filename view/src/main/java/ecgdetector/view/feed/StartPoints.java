package ecgdetector.view.feed;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the view starts reading a partition it was just given: a little in the past for the ward's topics, the
 * beginning for the models topic and for a partition added to a topic the view already reads.
 *
 * <p>A partition with nothing as recent as the look-back starts at the end it had <em>before</em> the lookup, not
 * at {@code seekToEnd}: the consumer resolves {@code seekToEnd} lazily, at its next poll, so every record written
 * between the lookup and that poll would be skipped and never counted, which is how a view that started while a
 * ward was sending showed a few scores fewer than were sent.
 */
final class StartPoints {

    private StartPoints() {}

    /**
     * Seeks each partition to its start point and returns the positions.
     *
     * @param fromStart partitions read from their beginning whatever their records' times
     * @param since the earliest record time the ward's topics are read from
     */
    static Map<TopicPartition, Long> seek(
            Consumer<?, ?> consumer,
            Collection<TopicPartition> partitions,
            Set<TopicPartition> fromStart,
            long since,
            Duration timeout) {
        Map<TopicPartition, Long> byTime = new HashMap<>();
        for (TopicPartition p : partitions) {
            if (fromStart.contains(p)) {
                consumer.seekToBeginning(List.of(p));
            } else {
                byTime.put(p, since);
            }
        }
        if (!byTime.isEmpty()) {
            // Asked first, so that a partition with no recent record starts no later than the lookup saw it.
            Map<TopicPartition, Long> ends = consumer.endOffsets(byTime.keySet(), timeout);
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(byTime, timeout);
            for (TopicPartition p : byTime.keySet()) {
                OffsetAndTimestamp at = found.get(p);
                consumer.seek(p, at != null ? at.offset() : ends.get(p));
            }
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition p : partitions) {
            positions.put(p, consumer.position(p, timeout));
        }
        return positions;
    }
}
