package ecgdetector.streamer.release;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loading a release (TensorFlow's load, then the canary batch) with a time limit: each load runs on a daemon
 * thread of its own, and the caller (the global thread) waits at most the limit for it. A load past the limit is
 * refused as a release that does not load; its thread cannot be stopped from outside TensorFlow, so it is left
 * behind, counted in {@code ecg_model_load_abandoned_total}, and whatever model it returns later is closed at once.
 * The previous model keeps serving meanwhile.
 */
public final class LoadWatchdog implements ScoringModel.Loader {

    private static final Logger log = LoggerFactory.getLogger(LoadWatchdog.class);
    private static final AtomicLong THREADS = new AtomicLong();

    private final ScoringModel.Loader loader;
    private final Duration limit;
    private final Runnable onAbandoned;

    /**
     * @param onAbandoned called once for each load left behind past the limit
     */
    public LoadWatchdog(ScoringModel.Loader loader, Duration limit, Runnable onAbandoned) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("the load time limit must be positive, got " + limit);
        }
        this.loader = loader;
        this.limit = limit;
        this.onAbandoned = onAbandoned;
    }

    @Override
    public ScoringModel load(ReleaseBundle release) throws InvalidReleaseException {
        CompletableFuture<ScoringModel> loading = new CompletableFuture<>();
        Thread worker = new Thread(
                () -> {
                    try {
                        loading.complete(loader.load(release));
                    } catch (Throwable t) {
                        loading.completeExceptionally(t);
                    }
                },
                "ecg-model-load-" + THREADS.incrementAndGet());
        worker.setDaemon(true);
        worker.start();
        try {
            return loading.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(loading, worker, release);
            throw new InvalidReleaseException("loading and the canary batch did not finish within " + limit.toMillis()
                    + " ms (ecg.release.load.timeout.ms); the load was abandoned on thread " + worker.getName());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidReleaseException invalid) {
                throw invalid;
            }
            if (cause instanceof RuntimeException || cause instanceof LinkageError) {
                throw new InvalidReleaseException("loading failed: " + cause, cause);
            }
            throw new IllegalStateException("loading failed unexpectedly", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(loading, worker, release);
            throw new InvalidReleaseException("interrupted while the release loaded");
        }
    }

    /** The checks that need no loading are quick: they run on the caller's thread. */
    @Override
    public void check(ReleaseBundle release) throws InvalidReleaseException {
        loader.check(release);
    }

    private void abandon(CompletableFuture<ScoringModel> loading, Thread worker, ReleaseBundle release) {
        onAbandoned.run();
        loading.thenAccept(late -> {
            log.warn(
                    "The abandoned load of {} on {} returned after all; closing what it loaded",
                    release,
                    worker.getName());
            late.close();
        });
    }
}
