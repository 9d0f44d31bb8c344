package ecgdetector.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What Linux says about a process and the machine: resident memory from {@code /proc/PID/status}, the load
 * average from {@code /proc/loadavg}, CPU time from {@link ProcessHandle}. Everything is optional: elsewhere
 * (another OS, a process that has exited) the answer is empty, never an exception.
 */
public final class ProcessStats {

    private ProcessStats() {}

    /** Resident set size (VmRSS) of {@code pid} in KiB. */
    public static OptionalLong rssKb(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** Peak resident set size (VmHWM, the high-water mark) of {@code pid} in KiB. */
    public static OptionalLong peakRssKb(long pid) {
        return statusField(pid, "VmHWM:");
    }

    /** {@code USER_HZ}, the unit of {@code /proc}'s CPU times: 100 on every Linux the JVM runs on. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    private static OptionalLong statusField(long pid, String field) {
        try {
            return parseStatusField(
                    Files.readString(Path.of("/proc", String.valueOf(pid), "status"), StandardCharsets.US_ASCII),
                    field);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The value of a {@code Name:   1234 kB} line of a {@code /proc/PID/status} text, in kB. */
    static OptionalLong parseStatusField(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The 1-minute load average. */
    public static OptionalDouble loadAverage() {
        try {
            return parseLoadAverage(Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    static OptionalDouble parseLoadAverage(String loadavg) {
        String[] parts = loadavg.trim().split("\\s+");
        try {
            return OptionalDouble.of(Double.parseDouble(parts[0]));
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return OptionalDouble.empty();
        }
    }

    /** CPU time (user + system) {@code pid} has used so far, in seconds. */
    public static OptionalDouble cpuSeconds(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(p -> p.info().totalCpuDuration())
                .map(d -> OptionalDouble.of(d.toNanos() / 1e9))
                .orElse(OptionalDouble.empty());
    }

    /**
     * CPU time (user + system) the JIT compiler threads of JVM {@code pid} ({@code C1 CompilerThre},
     * {@code C2 CompilerThre}, as {@code /proc/PID/task/TID/comm} cuts their names) have used so far, in seconds;
     * empty without {@code /proc}. Right after a load the compiler is still catching up, which is not what an idle
     * JVM costs for as long as it idles.
     */
    public static OptionalDouble compilerCpuSeconds(long pid) {
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return OptionalDouble.empty();
        }
        long ticks = 0;
        try (var threads = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                try {
                    ticks += compilerTicks(Files.readString(t.resolve("stat"), StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // The thread ended meanwhile.
                }
            }
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(ticks / (double) CLOCK_TICKS_PER_SECOND);
    }

    /** utime + stime of a {@code /proc/PID/task/TID/stat} line if its thread is a JIT compiler's, else 0. */
    static long compilerTicks(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            return 0;
        }
        String name = stat.substring(open + 1, close);
        if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
            return 0;
        }
        // After ") ": state is field 3 of the line, utime field 14 and stime field 15.
        String[] fields = stat.substring(close + 2).trim().split("\\s+");
        return fields.length > 12 ? Long.parseLong(fields[11]) + Long.parseLong(fields[12]) : 0;
    }

    /** CPU time this JVM has used so far, in seconds. */
    public static double ownCpuSeconds() {
        return ProcessHandle.current()
                        .info()
                        .totalCpuDuration()
                        .map(Duration::toNanos)
                        .orElse(0L)
                / 1e9;
    }

    /** Total memory of the machine in MiB, from {@code /proc/meminfo}. */
    public static OptionalLong memTotalMb() {
        try {
            OptionalLong kb = parseStatusField(
                    Files.readString(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII), "MemTotal:");
            return kb.isPresent() ? OptionalLong.of(kb.getAsLong() / 1024) : kb;
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The CPU model name, from {@code /proc/cpuinfo}; empty elsewhere. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "";
    }
}
