package ecgdetector.streamer.testing;

import ecgdetector.broker.testing.ChildJvms;
import ecgdetector.streamer.StreamerApp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streamer in a JVM of its own ({@link StreamerApp#main} on this test's class path), so a test can kill
 * it the hard way ({@link Process#destroyForcibly()}, SIGKILL: no shutdown hook, no clean close), freeze it
 * ({@link #freeze()}, SIGSTOP, and {@link #thaw()}, SIGCONT, as a stalled VM or a long pause would) or stop it
 * the operator's way ({@link Process#destroy()}, SIGTERM). Several of them with one application id and names of
 * their own ({@code ecg.instance.name}) are instances of one scaled-out deployment.
 */
public final class ChildStreamer implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ChildStreamer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts a streamer with {@code settings} and an ops server on a free port; its properties file and its
     * output go to {@code dir} as {@code NAME.properties} and {@code NAME.log}.
     */
    public static ChildStreamer start(Map<String, String> settings, Path dir, String name) throws IOException {
        return start(settings, dir, name, productionHeap());
    }

    /**
     * The heap the launcher gives every command (its {@code default_heap}, as {@code -Xmx384m}): the fault tests run
     * the streamer with exactly what production does.
     */
    public static String productionHeap() {
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("ecg");
        try {
            Matcher m = Pattern.compile("(?m)^default_heap=\"(-Xmx\\w+)\"$").matcher(Files.readString(launcher));
            if (!m.find()) {
                throw new IllegalStateException("no default_heap=\"-Xmx...\" line in " + launcher);
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #start(Map, Path, String)}, with the JVM's {@code -Xmx} option given. */
    public static ChildStreamer start(Map<String, String> settings, Path dir, String name, String heap)
            throws IOException {
        Files.createDirectories(dir);
        int port = freePort();
        Properties props = new Properties();
        props.putAll(settings);
        props.put("ecg.http.host", "127.0.0.1");
        props.put("ecg.http.port", String.valueOf(port));
        Path config = dir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "streamer " + name);
        }
        Path log = dir.resolve(name + ".log");
        Process child = ChildJvms.java(
                        List.of(heap, "-XX:+ExitOnOutOfMemoryError", "-Dai.djl.offline=true"),
                        StreamerApp.class.getName(),
                        List.of("--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ChildStreamer(child, log, port);
    }

    /** Waits until {@code /health/ready} answers 200: Kafka Streams runs and a model is loaded. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "streamer exited with " + process.exitValue() + " before it was ready:\n" + tail());
            }
            if (get("/health/ready").status() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("streamer not ready within " + timeout + ":\n" + tail());
    }

    /** A GET on the ops server. */
    public Reply get(String path) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Reply(0, "");
        }
    }

    /** The value of a gauge or counter without labels on {@code /metrics}, or NaN. */
    public double metric(String name) throws InterruptedException {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /** SIGKILL: the JVM dies at once, no shutdown hook runs, nothing is closed or committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: every thread of the JVM stops, heartbeats included, until {@link #thaw()}. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a frozen JVM goes on where it stopped. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The partitions this instance scores now (its active tasks), from its metrics; -1 while it does not answer. */
    public int activeTasks() throws InterruptedException {
        double tasks = metric("ecg_tasks{type=\"active\"}");
        return Double.isNaN(tasks) ? -1 : (int) tasks;
    }

    /** SIGTERM, then waits for the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("streamer did not stop within " + timeout + " of SIGTERM:\n" + tail());
        }
        return process.exitValue();
    }

    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String tail() {
        String out = output();
        return out.length() <= 6000 ? out : "..." + out.substring(out.length() - 6000);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                thaw();
                kill();
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** An answer of the ops server; status 0 when it did not answer (yet). */
    public record Reply(int status, String body) {}
}
