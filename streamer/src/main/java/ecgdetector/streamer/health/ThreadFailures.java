package ecgdetector.streamer.health;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream threads that failed and were replaced, and whether they fail in a loop: {@value #REPEATS} failures of
 * the same kind within {@link #WINDOW} mean a replaced thread meets the same cause again (a record it cannot get
 * past, an exhausted resource), so replacing it helps no one and the process should be restarted: liveness turns
 * false and stays so.
 */
public final class ThreadFailures {

    static final int REPEATS = 3;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(ThreadFailures.class);
    private static final int KEPT = 16;

    private record Failure(String kind, long at) {}

    private final Deque<Failure> recent = new ArrayDeque<>();
    private volatile String loop;

    /**
     * A stream thread failed and is being replaced.
     *
     * @return whether the threads now fail in a loop
     */
    public synchronized boolean failed(Throwable error, long now) {
        String kind = kind(error);
        recent.addLast(new Failure(kind, now));
        if (recent.size() > KEPT) {
            recent.removeFirst();
        }
        long same = recent.stream()
                .filter(f -> f.kind().equals(kind) && now - f.at() <= WINDOW.toMillis())
                .count();
        if (same >= REPEATS && loop == null) {
            loop = kind;
            log.error(
                    "A stream thread was replaced {} times within {} min for the same failure ({}): replacing it does"
                            + " not help, so /health/live answers 503 from now on and the process should be restarted",
                    same,
                    WINDOW.toMinutes(),
                    kind);
        }
        return loop != null;
    }

    /** Why the process is not live, if the threads fail in a loop. */
    public Optional<String> problem() {
        String kind = loop;
        return kind == null
                ? Optional.empty()
                : Optional.of("stream threads replaced " + REPEATS + " times within " + WINDOW.toMinutes()
                        + " min for the same failure: " + kind + "; restart the process");
    }

    /**
     * What kind of failure: the root cause's class, its message with numbers blanked (offsets, sizes and task ids
     * differ between attempts) and where it was thrown.
     */
    static String kind(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                root.getMessage() == null ? "" : ": " + root.getMessage().replaceAll("[0-9]+", "#");
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        StackTraceElement[] frames = root.getStackTrace();
        String where = frames.length == 0 ? "" : " at " + frames[0].getClassName() + "." + frames[0].getMethodName();
        return root.getClass().getName() + message + where;
    }
}
