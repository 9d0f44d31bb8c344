package ecgdetector.streamer.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceLockTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void aSecondStreamerOnTheSameStateFolderStopsWithOneLineNamingTheInstanceAndTheFix(@TempDir Path dir) {
        try (InstanceLock first = InstanceLock.acquire(dir.resolve("pod-0"), "pod-0", CLOCK)) {
            assertThatThrownBy(() -> InstanceLock.acquire(dir.resolve("pod-0"), "pod-0", CLOCK))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another streamer runs as instance 'pod-0'")
                    .hasMessageContaining(dir.resolve("pod-0").toString())
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("--instance-name")
                    .hasMessageNotContaining("\n");
            try (InstanceLock other = InstanceLock.acquire(dir.resolve("pod-1"), "pod-1", CLOCK)) {
                assertThat(other.unusedFor()).as("a folder never used before").isEmpty();
            }
        }
        try (InstanceLock again = InstanceLock.acquire(dir.resolve("pod-0"), "pod-0", CLOCK)) {
            assertThat(again.unusedFor()).as("released, and used until now").contains(Duration.ZERO);
        }
    }

    @Test
    void theLockSaysWhenItsPreviousHolderWasLastAlive(@TempDir Path dir) throws Exception {
        InstanceLock.acquire(dir, "a", CLOCK).close();
        Files.setLastModifiedTime(dir.resolve(InstanceLock.FILE), FileTime.from(NOW.minusSeconds(600)));
        try (InstanceLock lock = InstanceLock.acquire(dir, "a", CLOCK)) {
            assertThat(lock.unusedFor()).contains(Duration.ofMinutes(10));
            lock.markAlive();
            assertThat(Files.getLastModifiedTime(dir.resolve(InstanceLock.FILE)).toInstant())
                    .isEqualTo(NOW);
        }
    }
}
