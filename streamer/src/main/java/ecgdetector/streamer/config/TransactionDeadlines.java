package ecgdetector.streamer.config;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of the stream threads' transactions, one thread for all of an instance's producers: each
 * transactional producer Kafka Streams creates is watched ({@link TransactionTimeoutProducer}) and given up once
 * its transaction has been open for its {@code transaction.timeout.ms}. Counts the transactions given up, and
 * says so in a WARN line at most once a minute (DEBUG otherwise): a throttled or silent broker gives one up every
 * transaction timeout until it answers again.
 */
public final class TransactionDeadlines implements AutoCloseable {

    static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(TransactionDeadlines.class);

    /** Runs a task after a delay; the returned action cancels it. */
    interface Scheduler {
        Runnable schedule(Runnable task, Duration delay);
    }

    private final ScheduledThreadPoolExecutor executor;
    private final ExecutorService closer;
    private final Scheduler scheduler;
    private final Executor closes;
    private final LongSupplier nanoClock;
    private final Runnable onExpired;
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong warnedAt = new AtomicLong(Long.MIN_VALUE);

    /** @param onExpired told of each transaction given up (a metric) */
    public TransactionDeadlines(Runnable onExpired) {
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ecg-transaction-deadlines");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.scheduler = (task, delay) -> {
            try {
                ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            } catch (RejectedExecutionException e) {
                // Closed: the streamer is stopping, and Kafka Streams did not stop within its time.
                return () -> {};
            }
        };
        // A producer given up is closed on a thread of its own: its I/O thread may first wait out a throttle, up
        // to request.timeout.ms, before it sees the close (Sender.awaitNodeReady), and nothing else should wait.
        this.closer = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ecg-transaction-expired-close");
            t.setDaemon(true);
            return t;
        });
        this.closes = closer;
        this.nanoClock = System::nanoTime;
        this.onExpired = onExpired;
    }

    TransactionDeadlines(Scheduler scheduler, Executor closes, LongSupplier nanoClock, Runnable onExpired) {
        this.executor = null;
        this.closer = null;
        this.scheduler = scheduler;
        this.closes = closes;
        this.nanoClock = nanoClock;
        this.onExpired = onExpired;
    }

    /**
     * The producer Kafka Streams asked for with {@code config}, watched if it is transactional (exactly-once);
     * any other is returned as it is.
     */
    public Producer<byte[], byte[]> watch(Producer<byte[], byte[]> producer, Map<String, Object> config) {
        if (config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) == null) {
            return producer;
        }
        Object timeout = config.get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        // Kafka Streams always gives it under exactly-once (its default: 10000); the producer's own is 60000.
        long ms = timeout == null ? 60_000 : Long.parseLong(timeout.toString().trim());
        Object clientId = config.get(ProducerConfig.CLIENT_ID_CONFIG);
        return new TransactionTimeoutProducer(
                producer, Duration.ofMillis(ms), clientId == null ? "producer" : clientId.toString(), this);
    }

    /** How many transactions were given up at their deadline. */
    public long expired() {
        return expired.get();
    }

    Runnable schedule(Runnable task, Duration delay) {
        return scheduler.schedule(task, delay);
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** Closes a producer given up, at once ({@code close(0)}: nothing it still holds is sent), elsewhere. */
    void closeLater(Producer<byte[], byte[]> producer, String client) {
        Runnable close = () -> {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("Closing producer {}, given up at its transaction's deadline, failed", client, e);
            }
        };
        try {
            closes.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    /** A producer gave up its transaction at its deadline. */
    void expired(String client, Duration timeout) {
        long n = expired.incrementAndGet();
        onExpired.run();
        long now = System.nanoTime();
        long last = warnedAt.get();
        boolean warn =
                (last == Long.MIN_VALUE || now - last >= WARN_EVERY.toNanos()) && warnedAt.compareAndSet(last, now);
        String line = "Producer {}: its transaction has been open for {} ms (transaction.timeout.ms), after which the"
                + " broker aborts it, without the broker answering (a quota throttles this client, or the broker is"
                + " slow or away); closing it, so that Kafka Streams starts the thread's tasks again from their last"
                + " commit with a new producer ({} transactions given up so far; this repeats each transaction"
                + " timeout until the broker answers)";
        if (warn) {
            log.warn(line, client, timeout.toMillis(), n);
        } else {
            log.debug(line, client, timeout.toMillis(), n);
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            closer.shutdown();
        }
    }
}
