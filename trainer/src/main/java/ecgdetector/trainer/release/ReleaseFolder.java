package ecgdetector.trainer.release;

import ecgdetector.model.release.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File handling for a run's output folder. */
public final class ReleaseFolder {

    private ReleaseFolder() {}

    /**
     * Moves the named entries of {@code staging} into {@code out}, replacing what was there under
     * the same names. {@code swappedLast} (the release) is moved after all others, so a reader who
     * sees the new release also finds its report and plots.
     */
    public static void moveInto(Path staging, Path out, List<String> names, String swappedLast) throws IOException {
        List<String> ordered = new java.util.ArrayList<>(names);
        ordered.remove(swappedLast);
        ordered.add(swappedLast);
        for (String name : ordered) {
            Path entry = staging.resolve(name);
            Path target = out.resolve(name);
            if (Files.isDirectory(target)) {
                Path old = Files.createTempDirectory(out.toAbsolutePath(), ".old-");
                Files.move(target, old.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(old);
            } else {
                Files.move(entry, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** SHA-256 over every file's relative path and bytes, in path order. */
    public static String contentHash(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                all.append(dir.relativize(p)).append('=').append(Sha256.hex(p)).append('\n');
            }
        }
        return Sha256.hex(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
