package ecgdetector.streamer.membership;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local state of tasks that a run of this instance left without a checkpoint: it crashed (SIGKILL, OOM, a lost
 * host) while they ran. Under exactly-once such state may hold writes of a transaction that was never committed,
 * so Kafka Streams never uses it: when the task is assigned it opens the stores, finds no checkpoint, closes them as
 * corrupted, wipes the folder, opens them again and restores them from the changelog, and then asks for another
 * rebalance because an active task was corrupted. On a restart after a crash that is every task of the instance,
 * one rebalance and several seconds more before it scores. Removing the same folders before Kafka Streams starts
 * gives the same state (restored from the changelog in full) without the detour.
 *
 * <p>The rule is Kafka Streams' own ({@code ProcessorStateManager}): under exactly-once, a task folder holding
 * anything besides its lock and checkpoint files, and no checkpoint file, is not trusted. A task folder with a
 * checkpoint file is left to Kafka Streams, and so is everything else in the application's folder (the global store,
 * the process id that keeps the instance's client id across restarts). Since Kafka Streams 4.3 a RocksDB store keeps
 * its offsets itself and leaves no checkpoint file even when closed cleanly, so this is applied only when the last
 * run did not stop cleanly ({@link CleanStop}).
 */
public final class UncheckpointedTasks {

    /** Kafka Streams' task folders: {@code <subtopology>_<partition>}. */
    private static final Pattern TASK_FOLDER = Pattern.compile("\\d+_\\d+");

    private static final String CHECKPOINT_FILE = ".checkpoint";
    private static final String LOCK_FILE = ".lock";

    private UncheckpointedTasks() {}

    /**
     * Removes the task folders of {@code applicationFolder} ({@code state.dir/application.id}) that hold state but
     * no checkpoint; call under exactly-once only, with the instance's lock held and before Kafka Streams starts.
     *
     * @return the task ids removed, sorted
     */
    public static List<String> discard(Path applicationFolder) {
        if (!Files.isDirectory(applicationFolder)) {
            return List.of();
        }
        List<String> discarded = new ArrayList<>();
        try (Stream<Path> children = Files.list(applicationFolder)) {
            for (Path task : children.sorted().toList()) {
                String name = task.getFileName().toString();
                if (TASK_FOLDER.matcher(name).matches() && Files.isDirectory(task) && untrusted(task)) {
                    deleteRecursively(task);
                    discarded.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot remove the uncommitted local state in " + applicationFolder + ": " + e.getMessage(), e);
        }
        return discarded;
    }

    /** State and no checkpoint: what Kafka Streams would wipe as corrupted under exactly-once. */
    private static boolean untrusted(Path task) throws IOException {
        if (Files.exists(task.resolve(CHECKPOINT_FILE))) {
            return false;
        }
        try (Stream<Path> contents = Files.list(task)) {
            return contents.map(p -> p.getFileName().toString()).anyMatch(n -> !n.endsWith(LOCK_FILE));
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> tree = Files.walk(folder)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
