package ecgdetector.streamer.membership;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream threads of an instance, which exist only while it can score. Kafka Streams starts with none (the
 * global thread still reads the models topic); once a valid model serves, {@link #ensure()} adds them, and only
 * then does the instance join its group and take partitions. An instance without a model therefore holds no
 * partition unscored while the other instances of the application could score it.
 */
public final class ScoringThreads implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScoringThreads.class);
    /** How long a shutdown lets a thread being added finish; adding one takes milliseconds. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final KafkaStreams streams;
    private final int wanted;
    private final BooleanSupplier modelServes;
    private final Runnable afterAdding;
    /** Set once the threads were added: from then on Kafka Streams keeps their number (it replaces a failed one). */
    private boolean added;
    /**
     * Set once {@link KafkaStreams#start()} has returned. The global thread may load a model while start() is
     * still running, and start() starts every thread in its list: one added meanwhile would be started twice.
     */
    private volatile boolean streamsStarted;

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ecg-scoring-threads");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param streams     started (or to be started) with {@code num.stream.threads=0}
     * @param wanted      the stream threads it runs once a model serves ({@code ecg.threads})
     * @param modelServes whether a valid model serves
     * @param afterAdding run once the threads were added (metrics of the new threads, say)
     */
    public ScoringThreads(KafkaStreams streams, int wanted, BooleanSupplier modelServes, Runnable afterAdding) {
        this.streams = streams;
        this.wanted = wanted;
        this.modelServes = modelServes;
        this.afterAdding = afterAdding;
    }

    /** Call once {@link KafkaStreams#start()} has returned: threads may be added from then on. */
    public void streamsStarted() {
        streamsStarted = true;
        ensure();
    }

    /** Adds stream threads up to the wanted number if a model serves; on a thread of its own, never blocking. */
    public void ensure() {
        try {
            executor.execute(this::addMissing);
        } catch (RejectedExecutionException e) {
            // Closing: no more threads.
        }
    }

    private void addMissing() {
        if (added || !streamsStarted || !modelServes.getAsBoolean()) {
            return;
        }
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return; // not started yet (the state listener calls again), or shutting down
        }
        int before = running();
        for (int n = before; n < wanted; n++) {
            Optional<String> added = streams.addStreamThread();
            if (added.isEmpty()) {
                log.warn("Kafka Streams did not add a stream thread (state {})", streams.state());
                return;
            }
        }
        added = true;
        if (before < wanted) {
            log.info(
                    "A valid model serves: started {} stream thread(s); this instance now joins its group and takes"
                            + " partitions",
                    wanted - before);
            afterAdding.run();
        }
    }

    /** Stream threads alive now. */
    public int running() {
        return streams.metadataForLocalThreads().size();
    }

    /** Whether some stream thread has joined the group and runs (with tasks or, beyond the partitions, without). */
    public boolean joined() {
        return streams.metadataForLocalThreads().stream().anyMatch(t -> "RUNNING".equals(t.threadState()));
    }

    /** Active tasks (partitions this instance scores) now. */
    public int activeTasks() {
        return streams.metadataForLocalThreads().stream()
                .mapToInt(t -> t.activeTasks().size())
                .sum();
    }

    /** Standby tasks (buffers this instance keeps warm for another) now. */
    public int standbyTasks() {
        return streams.metadataForLocalThreads().stream()
                .map(ThreadMetadata::standbyTasks)
                .mapToInt(java.util.Set::size)
                .sum();
    }

    /**
     * Stops adding threads. A thread being added is let finish rather than interrupted: Kafka Streams' own start-up
     * of it, interrupted, logs errors (a producer's I/O thread "interrupted while joining") on every shutdown that
     * races a model's arrival, and the close that follows stops the thread anyway.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "Adding stream threads did not finish within {} ms of the shutdown; interrupting it",
                        CLOSE_WAIT.toMillis());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
