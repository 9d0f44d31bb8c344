package ecgdetector.streamer.membership;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.streamer.StreamerTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFreshnessTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void theLimitIsHalfTheTimeTheBuffersChangelogKeepsTombstones() {
        StateFreshness freshness =
                new StateFreshness(StreamerTopology.CHANGELOG_CONFIGS, Clock.fixed(NOW, ZoneOffset.UTC));
        long retention = Long.parseLong(StreamerTopology.CHANGELOG_CONFIGS.get("delete.retention.ms"));
        assertThat(freshness.limit()).isEqualTo(Duration.ofMillis(retention / 2));
    }

    @Test
    void stateLastUsedLongerAgoThanTheLimitIsStaleAndYoungerIsNot(@TempDir Path dir) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        StateFreshness freshness = new StateFreshness(Map.of("delete.retention.ms", "60000"), clock);
        InstanceLock.acquire(dir, "a", clock).close();
        setLastAlive(dir, NOW.minusSeconds(29));
        try (InstanceLock lock = InstanceLock.acquire(dir, "a", clock)) {
            assertThat(freshness.isStale(lock)).isFalse();
        }
        setLastAlive(dir, NOW.minusSeconds(31));
        try (InstanceLock lock = InstanceLock.acquire(dir, "a", clock)) {
            assertThat(freshness.isStale(lock)).isTrue();
        }
        try (InstanceLock fresh = InstanceLock.acquire(dir.resolve("new"), "b", clock)) {
            assertThat(freshness.isStale(fresh)).as("no state at all").isFalse();
        }
    }

    @Test
    void aProcessFrozenLongerThanTheLimitIsToldOnceItRunsAgain(@TempDir Path dir) throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(NOW);
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        StateFreshness freshness = new StateFreshness(Map.of("delete.retention.ms", "200"), clock);
        CompletableFuture<Duration> gap = new CompletableFuture<>();
        try (InstanceLock lock = InstanceLock.acquire(dir, "a", clock)) {
            freshness.watch(lock, gap::complete);
            Thread.sleep(50); // marks go on while the clock stands still: no gap
            assertThat(gap).isNotDone();
            now.set(NOW.plusSeconds(5)); // as if the process had been stopped for 5 s
            assertThat(gap.get(10, TimeUnit.SECONDS)).isEqualTo(Duration.ofSeconds(5));
            assertThat(Files.getLastModifiedTime(dir.resolve(InstanceLock.FILE)).toInstant())
                    .as("the state is left marked as of before the freeze, so the restart discards it")
                    .isEqualTo(NOW);
        } finally {
            freshness.close();
        }
    }

    private static void setLastAlive(Path dir, Instant at) throws Exception {
        Files.setLastModifiedTime(dir.resolve(InstanceLock.FILE), FileTime.from(at));
    }
}
