package ecgdetector.streamer.release;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which model versions failed too often to keep serving: a version that cannot score {@code limit} windows in a
 * row, over all tasks, is marked failed. A model that fails on every window would otherwise send every patient's
 * windows to the dead-letter topic, unscored; once it is marked failed the windows wait in the buffer instead,
 * readiness turns false and an ERROR line says so, until a new release serves (the mark is per version: the next
 * release starts with a clean record; a restart tries the version again).
 *
 * <p>Any window a version scores ends its streak, so a few windows it cannot score among many it can (one
 * broken monitor) never mark it failed.
 */
public final class ModelFailures {

    private static final Logger log = LoggerFactory.getLogger(ModelFailures.class);

    private final int limit;
    private final Supplier<Optional<String>> servingVersion;
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger streak = new AtomicInteger();
    private volatile String streakVersion;

    /**
     * @param limit          windows in a row a version may fail before it is marked failed
     * @param servingVersion the version serving now, if any
     */
    public ModelFailures(int limit, Supplier<Optional<String>> servingVersion) {
        if (limit < 1) {
            throw new IllegalArgumentException("the failure limit must be at least 1, was " + limit);
        }
        this.limit = limit;
        this.servingVersion = servingVersion;
    }

    public int limit() {
        return limit;
    }

    /** {@code version} scored a window: its streak of failures ends. */
    public void scored(String version) {
        if (streak.get() != 0 && version.equals(streakVersion)) {
            streak.set(0);
        }
    }

    /**
     * {@code version} could not score a window.
     *
     * @param latest where the window came from and why it failed, for the ERROR line
     * @return whether the version is now marked failed (then the caller leaves the windows after this one waiting)
     */
    public boolean unscorable(String version, String latest) {
        if (failed.contains(version)) {
            return true;
        }
        int n;
        synchronized (this) {
            if (!version.equals(streakVersion)) {
                streakVersion = version;
                streak.set(0);
            }
            n = streak.incrementAndGet();
        }
        if (n < limit || !failed.add(version)) {
            return n >= limit;
        }
        log.error(
                "Model version {} could not score {} windows in a row (latest: {}): marked failed. Windows now wait in "
                        + "the buffer, none go to the dead-letter topic, and /health/ready answers 503 until a new "
                        + "release serves; the {} dead-lettered ones can be sent again once one does",
                version,
                n,
                latest,
                n);
        return true;
    }

    /** Whether {@code version} is marked failed. */
    public boolean isFailed(String version) {
        return version != null && failed.contains(version);
    }

    /** The serving version, if it is marked failed. */
    public Optional<String> servingFailed() {
        return servingVersion.get().filter(failed::contains);
    }

    /** Whether a model serves that is not marked failed: windows can be scored. */
    public boolean canScore() {
        Optional<String> serving = servingVersion.get();
        return serving.isPresent() && !failed.contains(serving.get());
    }
}
