package ecgdetector.streamer.health;

import ecgdetector.streamer.ops.StreamerMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input records that left the input topic before the streamer read them: a streamer down for longer than the
 * topic's retention, a consumer that fell that far behind. Kafka Streams moves on from the oldest record left
 * (its reset policy), so nothing but this says that windows went unscored. Each range is logged at ERROR once,
 * counted in {@code ecg_input_records_lost_total}, and keeps readiness false until the streamer is restarted, which
 * acknowledges it.
 *
 * <p>Kafka tells of a loss in two places, both reported here and counted once: the consumer group's committed
 * offset below the partition's log start offset, read before the streamer starts ({@link #checkCommitted}); and
 * the consumer's {@code OffsetOutOfRangeException} when its position falls out of the log while it runs
 * ({@link LossAwareConsumer}). Offsets are what is counted: once deleted, records and the transaction markers among
 * them cannot be told apart.
 */
public final class InputLoss {

    private static final Logger log = LoggerFactory.getLogger(InputLoss.class);

    private final StreamerMetrics metrics;
    /** Per partition, the end of the ranges reported lost so far. */
    private final Map<TopicPartition, Long> reportedThrough = new HashMap<>();

    private final List<String> problems = new CopyOnWriteArrayList<>();

    public InputLoss(StreamerMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Committed offsets below the log's start: the records between them are gone.
     *
     * @param committed the consumer group's committed offset per partition (partitions without one are absent)
     * @param logStart  each partition's log start offset
     */
    public void checkCommitted(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> logStart) {
        committed.forEach((partition, offset) -> {
            Long start = logStart.get(partition);
            if (start != null && offset < start) {
                lost(partition, offset, start, "expired (retention) while the streamer was not running");
            }
        });
    }

    /**
     * The consumer's position on {@code partition} is outside its log: below its start, the records between are
     * gone; beyond its end, the partition was truncated or the topic created again, and nothing unread was lost.
     *
     * @param logStart the log start offset, or -1 if it could not be read
     * @param logEnd   the log end offset, or -1 if it could not be read
     */
    public void outOfRange(TopicPartition partition, long position, long logStart, long logEnd) {
        if (logEnd >= 0 && position > logEnd) {
            log.warn(
                    "Input partition {} ends at offset {}, before this streamer's position {}: the topic was truncated"
                            + " (an unclean leader election) or deleted and created again; reading it from its start",
                    partition,
                    logEnd,
                    position);
            return;
        }
        if (logStart < 0) {
            lost(partition, position, Long.MAX_VALUE, "fell out of the log before they were read (retention)");
        } else if (position < logStart) {
            lost(partition, position, logStart, "fell out of the log before they were read (retention)");
        }
    }

    private synchronized void lost(TopicPartition partition, long from, long to, String how) {
        long already = reportedThrough.getOrDefault(partition, Long.MIN_VALUE);
        long start = Math.max(from, already);
        if (start >= to) {
            return;
        }
        reportedThrough.put(partition, to);
        boolean known = to != Long.MAX_VALUE;
        if (known) {
            metrics.inputRecordsLost(to - start);
        }
        String range = known
                ? "offsets " + start + " to " + (to - 1) + " (" + (to - start) + " records)"
                : "offsets from " + start + " to the log's start (unknown)";
        String problem = "input records lost: " + partition + " " + range + " " + how + ", never scored;"
                + " restart the streamer to acknowledge";
        problems.add(problem);
        log.error(
                "Input records lost: {} {} {}, unscored; the streamer goes on from the oldest record left."
                        + " /health/ready answers 503 until the streamer is restarted, which acknowledges the loss",
                partition,
                range,
                how);
    }

    /** One sentence per range lost since the start; readiness is false while there is any. */
    public List<String> problems() {
        return new ArrayList<>(problems);
    }
}
