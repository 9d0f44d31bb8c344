package ecgdetector.streamer.infer;

import ecgdetector.model.scoring.BeatScore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores batches with one {@link Scorer} (for DJL: one {@code Predictor}) per stream thread, shared by the
 * tasks of that thread. At the start of each batch the thread checks whether the model was swapped; if so it
 * closes its old scorer, releases the old model and creates a scorer for the new one, so a batch is always
 * scored entirely by one model and the swap is atomic between batches.
 *
 * <p>Tasks {@link #attach()} on init and {@link #detach()} on close; a thread's scorer is closed when its last
 * task goes. Threads that died without detaching are cleaned up by {@link #releaseStale()}.
 */
public final class BatchScorer {

    private final ModelSource models;
    private final Map<Thread, Slot> slots = new ConcurrentHashMap<>();

    /** One thread's scorer and the lease on the model it belongs to. Touched only by its thread. */
    private static final class Slot {
        int tasks;
        ModelLease lease;
        Scorer scorer;

        void clear() {
            if (scorer != null) {
                try {
                    scorer.close();
                } finally {
                    scorer = null;
                    lease.release();
                    lease = null;
                }
            }
        }
    }

    public BatchScorer(ModelSource models) {
        this.models = models;
    }

    /** A task of the calling thread starts using this scorer. */
    public void attach() {
        slots.computeIfAbsent(Thread.currentThread(), t -> new Slot()).tasks++;
    }

    /** A task of the calling thread stops; the thread's scorer goes with its last task. */
    public void detach() {
        Thread me = Thread.currentThread();
        Slot slot = slots.get(me);
        if (slot != null && --slot.tasks <= 0) {
            slots.remove(me);
            slot.clear();
        }
    }

    /**
     * Scores a batch with the current model on the calling thread's scorer.
     *
     * @throws ScoringFailedException if the model fails on the batch; the thread's scorer is discarded, so the
     *                                next call starts with a fresh one
     * @throws IllegalStateException  if no model is loaded (callers check {@link ModelSource#hasModel()} first)
     */
    public ScoredBatch score(float[][] rawWindows) {
        Slot slot = slots.computeIfAbsent(Thread.currentThread(), t -> new Slot());
        if (slot.lease == null || !models.isCurrent(slot.lease)) {
            slot.clear();
            ModelLease lease = models.acquire();
            if (lease == null) {
                throw new IllegalStateException("no model loaded: windows must wait in the buffer");
            }
            try {
                slot.scorer = lease.model().newScorer();
            } catch (RuntimeException e) {
                lease.release();
                throw new ScoringFailedException(
                        lease.model().manifest().version(),
                        "cannot create a scorer for model " + "version "
                                + lease.model().manifest().version() + ": " + e,
                        e);
            }
            slot.lease = lease;
        }
        ScoringModel model = slot.lease.model();
        BeatScore[] scores;
        try {
            scores = slot.scorer.score(rawWindows);
        } catch (RuntimeException e) {
            // The predictor may be left in a bad state: the next batch gets a fresh one.
            slot.clear();
            throw new ScoringFailedException(
                    model.manifest().version(),
                    "inference failed on model version " + model.manifest().version() + " for a batch of "
                            + rawWindows.length + " windows: " + e,
                    e);
        }
        if (scores.length != rawWindows.length) {
            slot.clear();
            throw new ScoringFailedException(
                    model.manifest().version(),
                    "model version " + model.manifest().version() + " returned " + scores.length + " scores for "
                            + rawWindows.length + " windows",
                    null);
        }
        return new ScoredBatch(model, scores);
    }

    /**
     * Frees what is no longer needed: the calling thread's scorer if its model was swapped out (an idle thread
     * would otherwise keep the old model alive), and the slots of threads that died.
     */
    public void releaseStale() {
        Slot mine = slots.get(Thread.currentThread());
        if (mine != null && mine.lease != null && !models.isCurrent(mine.lease)) {
            mine.clear();
        }
        slots.entrySet().removeIf(e -> {
            if (e.getKey().isAlive()) {
                return false;
            }
            e.getValue().clear();
            return true;
        });
    }

    /** How many threads hold a scorer; for tests and diagnostics. */
    public int activeScorers() {
        return (int) slots.values().stream().filter(s -> s.scorer != null).count();
    }
}
