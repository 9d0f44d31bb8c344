package ecgdetector.app.replay;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Plays lines (raw {@code ecg.csv} rows or JSON heartbeat windows) onto a topic at a steady rate,
 * as a ward of monitors would: each record keyed by a patient, patients taken round-robin, the
 * whole feed repeated if asked.
 *
 * <p>Lines go out as they are. Telling a good window from a bad one is the streamer's job (it
 * dead-letters bad ones with the reason), and a feed of bad records is a test in its own right;
 * only blank lines and {@code #} comment lines are skipped, and counted. With a source name, each
 * record carries a {@value #SOURCE_HEADER} header {@code NAME:LINE}, which the streamer keeps on a
 * dead-lettered record, so a rejected window leads back to its line in the file.
 *
 * <p>The first record that fails to be delivered (after the producer's own retries) ends the
 * replay: whatever failed it, such as a deleted topic or a missing permission, would fail the rest
 * too.
 *
 * <p>The producer belongs to the caller, who closes it; {@link #replay} flushes it before
 * returning.
 */
public final class FeedReplayer {

    public static final String SOURCE_HEADER = "ecg.replay.source";
    public static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    /**
     * What to send and how fast.
     *
     * @param topic where the records go
     * @param ratePerSecond records per second; 0 = as fast as the producer takes them
     * @param keys the patient key of each record
     * @param loop start again from the first line at the end of the lines
     * @param count stop after this many records; 0 = no limit
     * @param sourceName the file's name for the {@value #SOURCE_HEADER} header; null = no header
     */
    public record Settings(
            String topic, double ratePerSecond, PatientKeys keys, boolean loop, long count, String sourceName) {

        public Settings {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic must not be blank");
            }
            Objects.requireNonNull(keys, "keys");
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0 (0 = no limit), got " + count);
            }
            // Fails early, with the same message the limiter gives, rather than at the first
            // record.
            RateLimiter.perSecond(ratePerSecond, RateLimiter.SYSTEM);
        }
    }

    /** How a replay ended. */
    public enum Ending {
        /** Every line was sent (once, or with {@code loop} never, since a loop ends otherwise). */
        END_OF_LINES,
        /** {@code count} records were sent. */
        COUNT_REACHED,
        /** {@link #stop()} was called, e.g. on Ctrl-C. */
        STOPPED,
        /** A record could not be delivered; see {@link Progress#firstError()}. */
        DELIVERY_FAILED,
        /** The lines held no record at all, so there was nothing to send, let alone repeat. */
        NOTHING_TO_SEND
    }

    /**
     * Counts so far. {@code sent} records were handed to the producer; each is later either {@code
     * acknowledged} by the cluster or {@code failed}.
     */
    public record Progress(
            long sent,
            long acknowledged,
            long failed,
            long skipped,
            long csvLines,
            long jsonLines,
            long pass,
            long elapsedNanos,
            Exception firstError) {

        public double elapsedSeconds() {
            return elapsedNanos / 1e9;
        }

        /** Records acknowledged per second since the start. */
        public double acknowledgedPerSecond() {
            return elapsedNanos > 0 ? acknowledged * 1e9 / elapsedNanos : 0;
        }
    }

    /** The final counts, after the producer was flushed, and why the replay ended. */
    public record Result(Progress progress, Ending ending) {}

    /** Called from the replaying thread at most once per {@link #PROGRESS_INTERVAL_NANOS}. */
    public interface Listener {
        void progress(Progress progress);
    }

    private final Producer<String, String> producer;
    private final Settings settings;
    private final RateLimiter.Clock clock;

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile Thread runner;

    private long sent;
    private long skipped;
    private long csvLines;
    private long jsonLines;
    private long pass;
    private boolean started;
    private long startedAt;
    private long lastReport;

    public FeedReplayer(Producer<String, String> producer, Settings settings) {
        this(producer, settings, RateLimiter.SYSTEM);
    }

    public FeedReplayer(Producer<String, String> producer, Settings settings, RateLimiter.Clock clock) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sends {@code lines} as the settings say and returns once done, stopped or failed, with every
     * record sent either acknowledged or failed. Each pass takes a new iterator from {@code lines};
     * one that is {@link AutoCloseable} is closed after its pass. One replay per instance.
     */
    public Result replay(Iterable<String> lines, Listener listener) {
        claimThisThread();
        RateLimiter limiter = RateLimiter.perSecond(settings.ratePerSecond(), clock);
        startedAt = clock.nanoTime();
        started = true;
        lastReport = startedAt;
        Ending ending = null;
        while (ending == null) {
            pass++;
            long sentBefore = sent;
            ending = sendOnePass(lines, limiter, listener);
            if (ending == null) {
                ending = endingAfterPass(sent - sentBefore);
            }
        }
        return flushAndEnd(ending);
    }

    private synchronized void claimThisThread() {
        if (runner != null) {
            throw new IllegalStateException("A FeedReplayer replays once; make a new one");
        }
        runner = Thread.currentThread();
    }

    /** One pass over the lines, from a new iterator; the replay's ending if it ended during the pass, else null. */
    private Ending sendOnePass(Iterable<String> lines, RateLimiter limiter, Listener listener) {
        long lineNumber = 0;
        Iterator<String> it = lines.iterator();
        try {
            while (it.hasNext()) {
                Ending ending = shouldEnd();
                if (ending != null) {
                    return ending;
                }
                String line = it.next();
                lineNumber++;
                if (isSkipped(line)) {
                    skipped++;
                    continue;
                }
                if (!limiter.acquire(() -> shouldEnd() != null)) {
                    Ending why = shouldEnd();
                    // Without a reason of its own, the wait ended because the thread was interrupted.
                    return why != null ? why : Ending.STOPPED;
                }
                send(line, lineNumber);
                reportIfDue(listener);
            }
            return null;
        } finally {
            closeIfCloseable(it);
        }
    }

    /** After a whole pass: the ending, or null to start the next pass. */
    private Ending endingAfterPass(long sentThisPass) {
        // The count may be reached by the last line of a pass; say so rather than "end of lines".
        Ending ending = shouldEnd();
        if (ending != null) {
            return ending;
        }
        if (sentThisPass == 0) {
            return sent == 0 ? Ending.NOTHING_TO_SEND : Ending.END_OF_LINES;
        }
        return settings.loop() ? null : Ending.END_OF_LINES;
    }

    private Result flushAndEnd(Ending ending) {
        producer.flush();
        if (ending != Ending.DELIVERY_FAILED && firstError.get() != null) {
            // A record that failed during the final flush still makes this a failed replay.
            ending = Ending.DELIVERY_FAILED;
        }
        return new Result(progress(), ending);
    }

    private void reportIfDue(Listener listener) {
        long now = clock.nanoTime();
        if (now - lastReport >= PROGRESS_INTERVAL_NANOS) {
            lastReport = now;
            listener.progress(progress());
        }
    }

    /**
     * Ends a running replay after the record in flight; safe from any thread, e.g. a shutdown hook.
     */
    public void stop() {
        stopRequested = true;
        Thread thread = runner;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** The counts now; from the replaying thread, or approximate from another. */
    public Progress progress() {
        return new Progress(
                sent,
                acknowledged.get(),
                failed.get(),
                skipped,
                csvLines,
                jsonLines,
                pass,
                started ? clock.nanoTime() - startedAt : 0,
                firstError.get());
    }

    private Ending shouldEnd() {
        if (firstError.get() != null) {
            return Ending.DELIVERY_FAILED;
        }
        if (stopRequested) {
            return Ending.STOPPED;
        }
        if (settings.count() > 0 && sent >= settings.count()) {
            return Ending.COUNT_REACHED;
        }
        return null;
    }

    private void send(String line, long lineNumber) {
        ProducerRecord<String, String> record =
                new ProducerRecord<>(settings.topic(), settings.keys().keyFor(sent), line);
        if (settings.sourceName() != null) {
            record.headers()
                    .add(SOURCE_HEADER, (settings.sourceName() + ":" + lineNumber).getBytes(StandardCharsets.UTF_8));
        }
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                acknowledged.incrementAndGet();
            } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error);
            }
        });
        // Counted once the producer took it: a send that throws never reaches the cluster, nor a
        // callback.
        sent++;
        if (isJson(line)) {
            jsonLines++;
        } else {
            csvLines++;
        }
    }

    static boolean isSkipped(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '#';
            }
        }
        return true;
    }

    static boolean isJson(String line) {
        return line.stripLeading().startsWith("{");
    }

    private static void closeIfCloseable(Iterator<String> it) {
        if (it instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot close the lines being replayed: " + e.getMessage(), e);
            }
        }
    }
}
