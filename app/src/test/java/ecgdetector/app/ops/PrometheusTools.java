package ecgdetector.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's Prometheus and promtool (package {@code prometheus}, 2.42), run as the real tools. Where they are not
 * installed, the calling test is skipped, saying what to install.
 */
final class PrometheusTools {

    static final Path PROMTOOL = Path.of(System.getProperty("ecg.promtool", "/usr/bin/promtool"));
    static final Path PROMETHEUS = Path.of(System.getProperty("ecg.prometheus", "/usr/bin/prometheus"));

    private PrometheusTools() {}

    static void assumeInstalled() {
        Assumptions.assumeTrue(
                Files.isExecutable(PROMTOOL) && Files.isExecutable(PROMETHEUS),
                "skipped: needs Prometheus and promtool at " + PROMETHEUS + " and " + PROMTOOL
                        + " (apt-get install prometheus; .ci/run installs it), or -Decg.prometheus=..."
                        + " -Decg.promtool=...");
    }

    /** Runs promtool in {@code dir}; fails the test with its output unless it succeeds. */
    static String promtool(Path dir, String... args) throws IOException, InterruptedException {
        assumeInstalled();
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(p.exitValue())
                .as("promtool %s:%n%s", String.join(" ", args), out)
                .isZero();
        return out;
    }
}
