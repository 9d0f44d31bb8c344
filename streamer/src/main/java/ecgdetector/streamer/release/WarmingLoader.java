package ecgdetector.streamer.release;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a release and warms it on every batch shape the stream threads will give it ({@link ScoringModel#warmUp})
 * before it is offered to serve: the load runs off the stream threads (on {@link LoadWatchdog}'s thread, within
 * its time limit), so the first batches after a start or a swap are as fast as the rest and the swap itself still
 * happens between two batches. A model that fails its warm-up is closed and refused like one that fails to load.
 */
public final class WarmingLoader implements ScoringModel.Loader {

    private static final Logger log = LoggerFactory.getLogger(WarmingLoader.class);

    private final ScoringModel.Loader loader;
    private final int largestBatch;

    /** @param largestBatch the most windows a batch holds ({@code ecg.batch.size}) */
    public WarmingLoader(ScoringModel.Loader loader, int largestBatch) {
        if (largestBatch < 1) {
            throw new IllegalArgumentException("a batch holds at least one window, got " + largestBatch);
        }
        this.loader = loader;
        this.largestBatch = largestBatch;
    }

    @Override
    public ScoringModel load(ReleaseBundle release) throws InvalidReleaseException {
        ScoringModel model = loader.load(release);
        long start = System.nanoTime();
        int shapes;
        try {
            shapes = model.warmUp(largestBatch);
        } catch (RuntimeException | LinkageError e) {
            model.close();
            throw new InvalidReleaseException("release " + release.version() + " failed its warm-up: " + e, e);
        }
        log.info(
                "Warmed release {} {} on {} tensor shape(s) (batches of up to {} windows) in {} ms",
                release.modelName(),
                release.version(),
                shapes,
                largestBatch,
                (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    @Override
    public void check(ReleaseBundle release) throws InvalidReleaseException {
        loader.check(release);
    }
}
