package ecgdetector.streamer.membership;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One instance per state folder: an exclusive lock on {@value #FILE} inside it, held while the streamer runs,
 * whose modification time is also the last moment the holder was alive ({@link #markAlive()}). A second
 * streamer started with the same instance name on the same host finds the lock taken and stops with one line,
 * before Kafka Streams (which would fail on its own lock later, less clearly) is even built.
 */
public final class InstanceLock implements AutoCloseable {

    public static final String FILE = "ecg-instance.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Instant previouslyAliveAt;
    private final Clock clock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock, Instant previouslyAliveAt, Clock clock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.previouslyAliveAt = previouslyAliveAt;
        this.clock = clock;
    }

    /**
     * Takes the lock of {@code stateFolder} for the instance {@code name}, creating the folder if need be.
     *
     * @throws IllegalStateException naming the folder and the instance, if another streamer holds it
     */
    public static InstanceLock acquire(Path stateFolder, String name, Clock clock) {
        Path file = stateFolder.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(stateFolder);
            Instant before =
                    Files.exists(file) ? Files.getLastModifiedTime(file).toInstant() : null;
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                channel.close();
                throw new IllegalStateException(
                        "another streamer runs as instance '" + name + "' with the state folder "
                                + stateFolder + " (" + holder(file) + "); give each instance its own --instance-name"
                                + " (ECG_INSTANCE_NAME), or its own --state-dir");
            }
            InstanceLock acquired = new InstanceLock(file, channel, lock, before, clock);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " instance " + name + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
            acquired.markAlive();
            return acquired;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock the state folder " + stateFolder + ": " + e.getMessage(), e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this JVM: the same answer as held by another process
        }
    }

    private static String holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? "holder unknown" : text;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /**
     * How long ago the previous holder of this folder was last alive; empty if the folder had never been
     * locked. Its local state is as old as that.
     */
    public Optional<Duration> unusedFor() {
        return previouslyAliveAt == null
                ? Optional.empty()
                : Optional.of(Duration.between(previouslyAliveAt, clock.instant()));
    }

    /** Records that this holder is alive now. */
    public void markAlive() {
        try {
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + file + " as in use: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel releases it too.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing to do: the lock goes with the channel.
            }
        }
    }
}
