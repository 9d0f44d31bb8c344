package ecgdetector.app.replay;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Hands out permits at a steady rate, e.g. one heartbeat window every 10 ms for 100/s.
 *
 * <p>Permit {@code n} is due at {@code origin + n / rate}, a fixed schedule, so the time spent
 * between permits (sending, oversleeping, a GC pause) is made up by the next ones instead of adding
 * up: over a minute the count is right even though no single sleep is exact. After a stall longer
 * than {@link #BURST_SECONDS}, the schedule restarts so that at most that much is caught up in one
 * burst; a feed that was stuck for a minute should not then fire a minute's worth of windows at
 * once.
 *
 * <p>Waiting parks the thread; it never spins. Not thread-safe: one sender owns it.
 */
public final class RateLimiter {

    /** How much of a stall is made up afterwards, as a burst, in seconds of the rate. */
    public static final double BURST_SECONDS = 1.0;

    /** Time and waiting, injectable so tests run on a fake clock instead of the wall clock. */
    public interface Clock {
        long nanoTime();

        /** Waits about {@code nanos}; may return early or late, the limiter rechecks the time. */
        void park(long nanos);
    }

    public static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void park(long nanos) {
            LockSupport.parkNanos(nanos);
        }
    };

    private final Clock clock;
    private final double nanosPerPermit;
    private final long burstNanos;
    private boolean started;
    private long origin;
    private long issued;

    private RateLimiter(Clock clock, double permitsPerSecond) {
        this.clock = clock;
        this.nanosPerPermit = permitsPerSecond == 0 ? 0 : 1e9 / permitsPerSecond;
        this.burstNanos = (long) (BURST_SECONDS * 1e9);
    }

    /** A limiter at {@code permitsPerSecond}; 0 means no limit. */
    public static RateLimiter perSecond(double permitsPerSecond, Clock clock) {
        if (!(permitsPerSecond >= 0) || Double.isInfinite(permitsPerSecond)) {
            throw new IllegalArgumentException("rate must be a number >= 0 (0 = no limit), got " + permitsPerSecond);
        }
        if (clock == null) {
            throw new NullPointerException("clock");
        }
        return new RateLimiter(clock, permitsPerSecond);
    }

    public boolean unlimited() {
        return nanosPerPermit == 0;
    }

    /**
     * Waits until the next permit is due and takes it. Returns false without taking one if {@code
     * cancelled} turns true, or the thread is interrupted, while it waits.
     */
    public boolean acquire(BooleanSupplier cancelled) {
        if (unlimited()) {
            return true;
        }
        long now = clock.nanoTime();
        if (!started) {
            started = true;
            origin = now;
            issued = 0;
        }
        long due = dueTime(issued);
        if (now - due > burstNanos) {
            // Restarting the schedule one burst in the past leaves exactly one burst of permits due
            // now.
            origin = now - burstNanos;
            issued = 0;
            due = origin;
        }
        while (now - due < 0) {
            // An interrupted thread's park returns at once; going round again would spin.
            if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                return false;
            }
            clock.park(due - now);
            now = clock.nanoTime();
        }
        issued++;
        return true;
    }

    private long dueTime(long permit) {
        // From the origin each time, not by adding up intervals, so rounding never accumulates.
        return origin + Math.round(permit * nanosPerPermit);
    }
}
