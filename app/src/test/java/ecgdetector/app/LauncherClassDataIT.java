package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archive ({@code ./ecg}'s comments): {@code ./ecg stream --help} run as a child process
 * in a copy of a built checkout (the launcher, {@code app/target}'s jars linked, a build stamp, no sources, so
 * the launcher never builds), with the JVM's class loading logged to a file. No timing is asserted: whether the
 * archive is made, whether the JVM loads classes from it, and that nothing the JVM says about it reaches the
 * output.
 */
class LauncherClassDataIT {

    /** How the JVM's class+load log names a class that came from the launcher's (dynamic, "top") archive. */
    private static final String FROM_ARCHIVE = "source: shared objects file (top)";

    @TempDir
    Path checkout;

    private Path classLoads;

    @BeforeEach
    void copyOfABuiltCheckout() throws IOException {
        Path target = checkout.resolve("app").resolve("target");
        Path lib = target.resolve("lib");
        Files.createDirectories(lib);
        Files.copy(Path.of("..", "ecg"), checkout.resolve("ecg"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(
                target.resolve("ecg-app.jar"), Path.of("target", "ecg-app.jar").toAbsolutePath());
        try (Stream<Path> jars = Files.list(Path.of("target", "lib"))) {
            for (Path jar : jars.toList()) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar.toAbsolutePath());
            }
        }
        Files.createFile(target.resolve(".ecg-built"));
        classLoads = checkout.resolve("class-load.log");
    }

    @Test
    void twoFirstStartsAtOnceShareOneArchiveAndTheJvmLoadsFromIt() throws Exception {
        Started first = start(Map.of());
        Started second = start(Map.of());
        Run a = finish(first);
        Run b = finish(second);

        assertThat(a.exit()).as(a.output()).isZero();
        assertThat(b.exit()).as(b.output()).isZero();
        assertThat(a.stdout()).contains("Usage: ecg stream");
        assertNothingAboutTheArchive(a);
        assertNothingAboutTheArchive(b);
        assertThat(files("*.jsa")).hasSize(1);
        assertThat(files("*.tmp")).isEmpty();
        assertThat(files("*.failed")).isEmpty();

        Run again = run(Map.of());
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.stderr()).doesNotContain("recording");
        assertThat(Files.readString(classLoads)).contains(FROM_ARCHIVE);
    }

    @Test
    void aRebuiltJarGetsANewArchiveAndAStaleOneIsIgnoredQuietly() throws Exception {
        Run first = run(Map.of());
        assertThat(first.exit()).as(first.output()).isZero();
        Path recorded = files("*.jsa").get(0);

        rebuild("kafka-clients");
        Run afterRebuild = run(Map.of());
        assertThat(afterRebuild.exit()).as(afterRebuild.output()).isZero();
        assertThat(afterRebuild.stdout()).contains("Usage: ecg stream");
        assertNothingAboutTheArchive(afterRebuild);
        assertThat(files("*.jsa")).hasSize(2);
        assertThat(Files.readString(classLoads)).contains(FROM_ARCHIVE);

        // The archive of the jars before the rebuild, under the name of the archive of the jars now: the JVM
        // finds it does not match the class path and, as the launcher asks (-Xshare:auto, its logging off),
        // starts without it and says nothing.
        Path current = files("*.jsa").stream()
                .filter(p -> !p.equals(recorded))
                .findFirst()
                .orElseThrow();
        Files.copy(recorded, current, StandardCopyOption.REPLACE_EXISTING);
        Run stale = run(Map.of());
        assertThat(stale.exit()).as(stale.output()).isZero();
        assertThat(stale.stdout()).contains("Usage: ecg stream");
        assertNothingAboutTheArchive(stale);
        assertThat(stale.stderr()).doesNotContain("recording");
        assertThat(Files.readString(classLoads)).doesNotContain(FROM_ARCHIVE);
    }

    @Test
    void ecgCdsOffNeitherRecordsNorUsesAnArchive() throws Exception {
        Run off = run(Map.of("ECG_CDS", "off"));
        assertThat(off.exit()).as(off.output()).isZero();
        assertThat(off.stdout()).contains("Usage: ecg stream");
        assertThat(off.stderr()).doesNotContain("recording");
        assertThat(files("*.jsa")).isEmpty();
        assertThat(Files.readString(classLoads)).doesNotContain(FROM_ARCHIVE);
    }

    @Test
    void theHeapStartsSmallAndAMaximumOfOnesOwnBelowItStillStarts() throws Exception {
        Run defaults = run(Map.of("ECG_CDS", "off", "ECG_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
        assertThat(defaults.exit()).as(defaults.output()).isZero();
        assertThat(defaults.stdout()).contains("-XX:InitialHeapSize=67108864", "-XX:MaxHeapSize=402653184");

        // Below the launcher's 64 MB initial heap: with it the JVM would refuse to start.
        Run small = run(Map.of("ECG_CDS", "off", "ECG_JAVA_OPTS", "-Xmx48m -XX:+PrintCommandLineFlags"));
        assertThat(small.exit()).as(small.output()).isZero();
        assertThat(small.stdout()).contains("Usage: ecg stream", "-XX:MaxHeapSize=50331648");
    }

    /** No line of the JVM's about class data sharing, and no failed recording. */
    private static void assertNothingAboutTheArchive(Run run) {
        assertThat(run.output())
                .doesNotContain("[warning]")
                .doesNotContain("[error")
                .doesNotContainIgnoringCase("shared archive")
                .doesNotContain("recording failed");
    }

    /** A jar of {@code lib} replaced by a copy written now, as a rebuild leaves it. */
    private void rebuild(String artifact) throws IOException {
        Path lib = checkout.resolve("app").resolve("target").resolve("lib");
        try (Stream<Path> jars = Files.list(lib)) {
            Path link = jars.filter(p -> p.getFileName().toString().startsWith(artifact + "-"))
                    .findFirst()
                    .orElseThrow();
            Path jar = link.toRealPath();
            Files.delete(link);
            Files.copy(jar, link);
            Files.setLastModifiedTime(link, FileTime.from(Instant.now().plusSeconds(5)));
        }
    }

    private List<Path> files(String glob) throws IOException {
        Path cds = checkout.resolve("app").resolve("target").resolve("cds");
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(cds)) {
            try (var stream = Files.newDirectoryStream(cds, glob)) {
                stream.forEach(found::add);
            }
        }
        found.sort(null);
        return found;
    }

    private Run run(Map<String, String> env) throws Exception {
        return finish(start(env));
    }

    /** {@code ./ecg stream --help} of the copy started, its output going to files. */
    private Started start(Map<String, String> env) throws IOException {
        Files.deleteIfExists(classLoads);
        Path stdout = Files.createTempFile(checkout, "stdout", ".txt");
        Path stderr = Files.createTempFile(checkout, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(checkout.resolve("ecg").toString(), "stream", "--help")
                .directory(checkout.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("ECG_"));
        builder.environment().put("ECG_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLoads);
        builder.environment().putAll(env);
        return new Started(builder.start(), stdout, stderr);
    }

    private static Run finish(Started started) throws Exception {
        if (!started.process().waitFor(5, TimeUnit.MINUTES)) {
            started.process().destroyForcibly();
            throw new AssertionError("./ecg stream --help did not end within 5 minutes");
        }
        return new Run(
                started.process().exitValue(),
                Files.readString(started.stdout(), StandardCharsets.UTF_8),
                Files.readString(started.stderr(), StandardCharsets.UTF_8));
    }

    private record Started(Process process, Path stdout, Path stderr) {}

    private record Run(int exit, String stdout, String stderr) {
        String output() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}
