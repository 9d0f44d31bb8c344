package ecgdetector.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The JVM's Native Memory Tracking summary ({@code jcmd PID VM.native_memory summary}), read in-process
 * through the DiagnosticCommand MBean so that sampling it costs no extra JVM. Empty unless the JVM runs with
 * {@code -XX:NativeMemoryTracking=summary}.
 *
 * <p>NMT counts what the JVM itself allocates (heap, metaspace, threads, code, GC, direct buffers under
 * "Other"); memory that native libraries (TensorFlow, RocksDB) get from {@code malloc} is not in it, so RSS
 * minus NMT's committed total is roughly those libraries plus the mapped files.
 */
final class NativeMemory {

    static final String TOTAL = "Total";
    private static final Pattern TOTAL_LINE =
            Pattern.compile("^Total: reserved=(\\d+)(KB|MB|GB)?, committed=(\\d+)(KB|MB|GB)?", Pattern.MULTILINE);
    private static final Pattern CATEGORY_LINE = Pattern.compile(
            "^-\\s+(.+?) \\(reserved=(\\d+)(KB|MB|GB)?, committed=(\\d+)(KB|MB|GB)?\\)", Pattern.MULTILINE);

    private NativeMemory() {}

    /** Committed bytes of this JVM: {@value #TOTAL} first, then each category; empty without NMT. */
    static Map<String, Long> committedBytesOfThisJvm() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "vmNativeMemory",
                            new Object[] {new String[] {"summary"}},
                            new String[] {String[].class.getName()});
            return committedBytes(String.valueOf(out));
        } catch (JMException | RuntimeException e) {
            return Map.of();
        }
    }

    /** Committed bytes per line of a summary's text: {@value #TOTAL}, then each category as named there. */
    static Map<String, Long> committedBytes(String summary) {
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher total = TOTAL_LINE.matcher(summary);
        if (!total.find()) {
            return out;
        }
        out.put(TOTAL, bytes(total.group(3), total.group(4)));
        Matcher category = CATEGORY_LINE.matcher(summary);
        while (category.find()) {
            out.put(category.group(1).trim(), bytes(category.group(4), category.group(5)));
        }
        return out;
    }

    private static long bytes(String number, String unit) {
        long n = Long.parseLong(number);
        return switch (unit == null ? "" : unit.toUpperCase(Locale.ROOT)) {
            case "KB" -> n * 1024;
            case "MB" -> n * 1024 * 1024;
            case "GB" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }
}
