package ecgdetector.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchChild} in a JVM of its own, started with this JVM's class path: its settings go to
 * {@code DIR/NAME.properties}, its log (stderr) to {@code DIR/NAME.log}.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final PrintWriter commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "bench-child-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param mode       {@code streamer} or {@code passthrough}
     * @param jvmOptions heap size, JFR and the like
     */
    static ChildJvm start(String mode, Map<String, String> settings, List<String> jvmOptions, Path dir, String name)
            throws IOException {
        Files.createDirectories(dir);
        Properties props = new Properties();
        props.putAll(settings);
        Path config = dir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "bench " + name);
        }
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(classDataOf(ManagementFactory.getRuntimeMXBean().getInputArguments(), jvmOptions));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-Dai.djl.offline=true",
                "-Djava.awt.headless=true",
                "-cp",
                System.getProperty("java.class.path"),
                BenchChild.class.getName(),
                mode,
                config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
        // The child takes its settings from the file only.
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("ECG_") && !k.equals("ECG_LOG_LEVEL") || k.startsWith("KAFKA_"));
        return new ChildJvm(name, builder.start(), log);
    }

    /**
     * The class-data archive this JVM was started with (the launcher's, ./ecg's comments say how it is made) and
     * the options that keep it quiet, for a child started with the same JVM and class path, so that the child
     * starts as {@code ./ecg stream} would; none if this JVM has none or the child's own options name one.
     */
    static List<String> classDataOf(List<String> parentOptions, List<String> childOptions) {
        if (childOptions.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile=") || o.startsWith("-Xshare"))) {
            return List.of();
        }
        List<String> options = new ArrayList<>();
        for (String option : parentOptions) {
            if (option.startsWith("-XX:SharedArchiveFile=")
                    || option.startsWith("-Xlog:cds")
                    || option.startsWith("-Xlog:class+path")) {
                options.add(option);
            }
        }
        return options.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile=")) ? options : List.of();
    }

    private void readReplies() {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(BenchChild.PREFIX)) {
                    replies.add(line.substring(BenchChild.PREFIX.length()));
                }
            }
        } catch (IOException e) {
            // The child went away; waiting callers notice that it is not alive.
        }
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the child to consume; returns the epoch ms at which it said it was ready. */
    long awaitReady(Duration timeout) throws InterruptedException {
        String reply = awaitReply("READY", timeout);
        return Long.parseLong(reply.substring("READY ".length()).trim());
    }

    /** Heap, GC and batching figures, see {@link BenchChild#stats}. */
    Map<String, Long> stats() throws InterruptedException {
        commands.println("stats");
        String reply = awaitReply("STATS", Duration.ofSeconds(30));
        Map<String, Long> out = new LinkedHashMap<>();
        for (String pair : reply.substring("STATS".length()).trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
            }
        }
        return out;
    }

    OptionalLong rssKb() {
        return ProcessStats.rssKb(process.pid());
    }

    OptionalLong peakRssKb() {
        return ProcessStats.peakRssKb(process.pid());
    }

    OptionalDouble cpuSeconds() {
        return ProcessStats.cpuSeconds(process.pid());
    }

    /** SIGKILL: the JVM dies at once, nothing closed or committed, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the JVM freezes, threads, heartbeats and all, as a stalled VM or a long pause would. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a frozen JVM goes on where it stopped, unaware of the time that passed. */
    void thaw() throws IOException, InterruptedException {
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

    boolean isAlive() {
        return process.isAlive();
    }

    /** Asks the child to close cleanly (Kafka Streams commits and closes); kills it if it takes too long. */
    void stop(Duration timeout) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        commands.println("stop");
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private String awaitReply(String kind, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String reply = replies.poll(50, TimeUnit.MILLISECONDS);
            if (reply != null && reply.startsWith(kind)) {
                return reply;
            }
            if (reply == null && !process.isAlive()) {
                throw new IllegalStateException(name + " (child JVM) exited with " + process.exitValue() + " before "
                        + kind + "; its log, " + log + ", ends:\n" + tail());
            }
        }
        throw new IllegalStateException(name + " (child JVM) did not answer " + kind + " within " + timeout.toSeconds()
                + " s; its log, " + log + ", ends:\n" + tail());
    }

    String tail() {
        try {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return out.length() <= 4000 ? out : "..." + out.substring(out.length() - 4000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
