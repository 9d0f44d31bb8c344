package ecgdetector.app.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On a fake clock: what is checked is the schedule, never how exactly a machine sleeps. */
class RateLimiterTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    /** Time moves only when the limiter parks, by what it asked plus a chosen oversleep. */
    static class FakeClock implements RateLimiter.Clock {
        long now = 5 * S;
        long oversleep;
        final List<Long> parks = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void park(long nanos) {
            parks.add(nanos);
            now += nanos + oversleep;
        }

        void advance(long nanos) {
            now += nanos;
        }
    }

    @Test
    void spacesPermitsEvenlyAtTheRate() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(100, clock);
        long start = clock.now;
        List<Long> granted = new ArrayList<>();

        for (int i = 0; i < 101; i++) {
            assertThat(limiter.acquire(() -> false)).isTrue();
            granted.add(clock.now - start);
        }

        for (int i = 0; i < granted.size(); i++) {
            assertThat(granted.get(i)).isEqualTo(i * 10 * MS);
        }
    }

    @Test
    void oversleepingIsMadeUpSoTheRateHoldsOverTime() {
        FakeClock clock = new FakeClock();
        clock.oversleep = 3 * MS;
        RateLimiter limiter = RateLimiter.perSecond(100, clock);
        long start = clock.now;

        for (int i = 0; i < 1001; i++) {
            limiter.acquire(() -> false);
        }

        // 1000 intervals of 10 ms; each late wake-up is absorbed by the next permit, never summed.
        assertThat(clock.now - start).isBetween(10 * S, 10 * S + 3 * MS);
    }

    @Test
    void timeSpentSendingCountsTowardsTheWait() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(100, clock);
        limiter.acquire(() -> false);

        clock.advance(4 * MS);
        limiter.acquire(() -> false);

        assertThat(clock.parks).containsExactly(6 * MS);
    }

    @Test
    void aFractionalRateIsKeptWithoutRoundingDrift() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(3, clock);
        long start = clock.now;

        for (int i = 0; i < 3001; i++) {
            limiter.acquire(() -> false);
        }

        assertThat(clock.now - start).isEqualTo(1000 * S);
    }

    @Test
    void aShortStallIsCaughtUpInFull() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(10, clock);
        long start = clock.now;
        limiter.acquire(() -> false);

        clock.advance(500 * MS);
        for (int i = 0; i < 5; i++) {
            limiter.acquire(() -> false);
        }
        assertThat(clock.parks).isEmpty();
        for (int i = 0; i < 5; i++) {
            limiter.acquire(() -> false);
        }

        assertThat(clock.now - start).isEqualTo(1000 * MS);
    }

    @Test
    void aLongStallIsCaughtUpByOneSecondsWorthAtMost() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(100, clock);
        limiter.acquire(() -> false);

        clock.advance(60 * S);
        int withoutWaiting = 0;
        while (clock.parks.isEmpty()) {
            limiter.acquire(() -> false);
            withoutWaiting++;
        }

        // The permits due within the burst second, including one at each end, then the steady rate.
        assertThat(withoutWaiting - 1).isEqualTo(101);
        assertThat(clock.parks).containsExactly(10 * MS);
    }

    @Test
    void zeroMeansNoLimit() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(0, clock);

        for (int i = 0; i < 100_000; i++) {
            assertThat(limiter.acquire(() -> false)).isTrue();
        }

        assertThat(limiter.unlimited()).isTrue();
        assertThat(clock.parks).isEmpty();
    }

    @Test
    void cancellingWhileWaitingTakesNoPermit() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(1, clock);
        limiter.acquire(() -> false);
        long before = clock.now;

        assertThat(limiter.acquire(() -> true)).isFalse();
        assertThat(clock.now).isEqualTo(before);

        // The permit that was refused is still the next one, due a second after the first.
        assertThat(limiter.acquire(() -> false)).isTrue();
        assertThat(clock.now).isEqualTo(before + S);
    }

    @Test
    void aWakeUpBeforeTheDueTimeWaitsAgainInsteadOfGrantingEarly() {
        FakeClock clock = new FakeClock() {
            @Override
            public void park(long nanos) {
                parks.add(nanos);
                now += Math.max(1, nanos / 2);
            }
        };
        RateLimiter limiter = RateLimiter.perSecond(1, clock);
        limiter.acquire(() -> false);
        long first = clock.now;

        limiter.acquire(() -> false);

        assertThat(clock.now - first).isEqualTo(S);
        assertThat(clock.parks.size()).isGreaterThan(1);
    }

    @Test
    void anInterruptedThreadStopsWaitingRatherThanSpinning() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = RateLimiter.perSecond(1, clock);
        limiter.acquire(() -> false);

        Thread.currentThread().interrupt();
        try {
            assertThat(limiter.acquire(() -> false)).isFalse();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void refusesARateThatIsNotANonNegativeNumber() {
        FakeClock clock = new FakeClock();
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> RateLimiter.perSecond(bad, clock))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rate must be a number >= 0");
        }
    }
}
