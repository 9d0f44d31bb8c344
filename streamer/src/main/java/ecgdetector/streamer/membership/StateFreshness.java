package ecgdetector.streamer.membership;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps local state younger than the stores' changelogs keep their tombstones. The compacted changelog drops
 * a scored window's tombstone {@code delete.retention.ms} after cleaning it; a copy of the buffer that stopped
 * reading before the tombstone and resumes after it is gone keeps the window for ever, and its task would score it
 * a second time. Two ways to get such a copy, and what this class does about each:
 * <ul>
 *   <li>a restart on state left by a run that ended long ago: {@link #isStale} says so, and the streamer discards
 *       the state before Kafka Streams starts (it is restored from the changelog instead);</li>
 *   <li>a process frozen for that long (SIGSTOP, a suspended VM) and resumed, its standby copies now stale: the
 *       {@linkplain #watch watch} notices the gap in its own heartbeat and reports it, and the streamer stops, to
 *       be restarted on fresh state.</li>
 * </ul>
 * The limit is half the changelog's {@code delete.retention.ms}, leaving the other half for the restore itself.
 */
public final class StateFreshness implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateFreshness.class);

    private final Duration limit;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public StateFreshness(Map<String, String> changelogConfigs, Clock clock) {
        this.limit =
                Duration.ofMillis(Long.parseLong(changelogConfigs.get(TopicConfig.DELETE_RETENTION_MS_CONFIG)) / 2);
        this.clock = clock;
    }

    /** The oldest local state the streamer restores from. */
    public Duration limit() {
        return limit;
    }

    /** Whether the state under {@code lock} was last used longer ago than {@link #limit()}. */
    public boolean isStale(InstanceLock lock) {
        return lock.unusedFor().map(age -> age.compareTo(limit) > 0).orElse(false);
    }

    /**
     * Marks {@code lock} alive every second from now on; if one mark comes more than {@link #limit()} after the
     * previous one (the process was frozen), stops marking and calls {@code onGap} with the gap, once.
     */
    public synchronized void watch(InstanceLock lock, Consumer<Duration> onGap) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ecg-state-freshness");
            t.setDaemon(true);
            return t;
        });
        Instant[] last = {clock.instant()};
        long period = Math.max(10, Math.min(1000, limit.toMillis() / 10));
        scheduler.scheduleWithFixedDelay(
                () -> {
                    Instant now = clock.instant();
                    Duration gap = Duration.between(last[0], now);
                    if (gap.compareTo(limit) > 0) {
                        scheduler.shutdown();
                        onGap.accept(gap);
                        return;
                    }
                    last[0] = now;
                    try {
                        lock.markAlive();
                    } catch (RuntimeException e) {
                        log.warn("Could not mark the state folder as in use: {}", e.getMessage());
                    }
                },
                period,
                period,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
