package ecgdetector.streamer.config;

import ecgdetector.streamer.alarm.AlarmProcessor;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How long one consumer's poll may block. Kafka Streams polls with {@code poll.ms}, which the streamer lowers to
 * a quarter of the batch wait so that a waiting window is flushed on time ({@link KafkaDefault#POLL_MS}); over an
 * idle input that is hundreds of empty polls a second on each stream thread and on the global thread, most of an
 * idle streamer's CPU. Once no record has come for the quiet time (the batch wait plus the commit interval, twice:
 * by then every window taken in has been scored and committed) a poll blocks up to the idle timeout instead. A
 * record that arrives ends a poll at once, so the first window after a pause waits no longer; what waits is a
 * wall-clock punctuation of an idle task (the alarm stage's tick, the buffer's over windows that wait for a model),
 * up to the idle timeout late.
 *
 * <p>One per consumer, used by the thread that polls it.
 */
public final class IdlePoll {

    /**
     * The idle timeout: the alarm stage's tick, the shortest wall-clock punctuation an idle task has, so that each
     * idle wake-up of a stream thread finds a tick due. At 100 ms (Kafka Streams' own default), two of three
     * wake-ups found nothing to do.
     */
    static final Duration IDLE = AlarmProcessor.TICK;

    private final long idleMs;
    private final long quietNanos;
    private final LongSupplier nanoClock;
    private long lastRecordsAt;

    /**
     * @param idle  the longest a poll blocks once idle; zero leaves every poll as asked
     * @param quiet how long without a record makes the consumer idle
     */
    public IdlePoll(Duration idle, Duration quiet, LongSupplier nanoClock) {
        if (idle.isNegative() || quiet.isNegative()) {
            throw new IllegalArgumentException("negative idle poll " + idle + " or quiet time " + quiet);
        }
        this.idleMs = idle.toMillis();
        this.quietNanos = quiet.toNanos();
        this.nanoClock = nanoClock;
        this.lastRecordsAt = nanoClock.getAsLong();
    }

    /**
     * The streamer's: Kafka Streams' own {@code poll.ms} default once idle, unless {@code poll.ms} is given (then
     * every poll is as given).
     */
    public static IdlePoll of(StreamerConfig config) {
        return of(config, System::nanoTime);
    }

    static IdlePoll of(StreamerConfig config, LongSupplier nanoClock) {
        boolean given = config.kafka().containsKey(StreamsConfig.POLL_MS_CONFIG);
        long commitMs = Long.parseLong(config.streamsProperties()
                .getProperty(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)
                .trim());
        Duration quiet = config.batchMaxWait().plusMillis(commitMs).multipliedBy(2);
        Duration idle = given ? Duration.ZERO : IDLE;
        return new IdlePoll(idle, quiet, nanoClock);
    }

    /** The timeout to poll with when Kafka Streams asks for {@code asked}: a non-blocking poll stays one. */
    public Duration timeout(Duration asked) {
        if (asked.isZero() || asked.toMillis() >= idleMs) {
            return asked;
        }
        return nanoClock.getAsLong() - lastRecordsAt >= quietNanos ? Duration.ofMillis(idleMs) : asked;
    }

    /** What the poll returned. */
    public void polled(int records) {
        if (records > 0) {
            lastRecordsAt = nanoClock.getAsLong();
        }
    }
}
