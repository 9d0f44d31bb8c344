package ecgdetector.model.inference;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One predictor per thread for one model, as DJL's predictors are not thread-safe: a thread gets its own on
 * first use and keeps it for every later call, shared by whatever that thread scores. All of them are closed
 * with the model; those of threads that died are closed as soon as another thread creates one.
 *
 * @param <P> the predictor
 */
public final class ThreadPredictors<P extends AutoCloseable> implements AutoCloseable {

    private final Supplier<P> create;
    private final Map<Thread, P> byThread = new ConcurrentHashMap<>();

    public ThreadPredictors(Supplier<P> create) {
        this.create = create;
    }

    /** The calling thread's predictor, created now if it has none. */
    public P get() {
        Thread me = Thread.currentThread();
        P mine = byThread.get(me);
        if (mine == null) {
            byThread.entrySet().removeIf(e -> !e.getKey().isAlive() && closeQuietly(e.getValue()));
            mine = create.get();
            byThread.put(me, mine);
        }
        return mine;
    }

    /** Closes and forgets the calling thread's predictor, after it failed: it may be left in a bad state. */
    public void discard() {
        P mine = byThread.remove(Thread.currentThread());
        if (mine != null) {
            closeQuietly(mine);
        }
    }

    /** How many threads hold a predictor. */
    public int size() {
        return byThread.size();
    }

    @Override
    public void close() {
        byThread.values().forEach(ThreadPredictors::closeQuietly);
        byThread.clear();
    }

    private static boolean closeQuietly(AutoCloseable predictor) {
        try {
            predictor.close();
        } catch (Exception e) {
            // Closing frees memory; a predictor that fails to close has nothing left to give back.
        }
        return true;
    }
}
