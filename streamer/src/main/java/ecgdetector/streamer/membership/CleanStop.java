package ecgdetector.streamer.membership;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the last run of this instance stopped cleanly: a marker file in the application's state folder, written
 * once Kafka Streams closed every task within the shutdown timeout, and taken away when the next run starts.
 *
 * <p>Since Kafka Streams 4.3 (KIP-1035) a RocksDB store keeps its changelog offsets in the store itself and a task
 * folder has no {@code .checkpoint} file even after a clean shutdown, so {@link UncheckpointedTasks}' rule alone
 * would take every restart for a crash and restore all state from the changelogs. After a clean stop the task
 * folders are left to Kafka Streams, which trusts a store only if the store itself records that it was closed
 * cleanly; so the marker can only spare a restore, never make state trusted that Kafka Streams would not trust.
 */
public final class CleanStop {

    static final String FILE = "ecg-clean-stop";

    private CleanStop() {}

    /** Records that the run stopped cleanly; call after Kafka Streams closed cleanly, with the lock still held. */
    public static void mark(Path applicationFolder) {
        try {
            Files.createDirectories(applicationFolder);
            Files.writeString(applicationFolder.resolve(FILE), "stopped cleanly\n");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot mark a clean stop in " + applicationFolder + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the last run stopped cleanly, removing the mark so that a crash of this run is not taken for a clean
     * stop; call at start, with the lock held and before Kafka Streams starts.
     */
    public static boolean take(Path applicationFolder) {
        try {
            return Files.deleteIfExists(applicationFolder.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the clean-stop mark in " + applicationFolder + ": " + e.getMessage(), e);
        }
    }
}
