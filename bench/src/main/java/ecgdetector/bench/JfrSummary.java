package ecgdetector.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a measured application spent its CPU, from a Java Flight Recorder file, over the measured interval
 * only: Java execution samples per thread, the methods on top of the stack (self time), and per part of the
 * data path (decode, buffer store, scoring, ...) the samples whose nearest recognisable frame belongs to it.
 * Kafka Streams calls the whole topology from the source processor down, so "anywhere on the stack" would put
 * everything under decode; the nearest frame is what the time is spent on. Threads in native code
 * (TensorFlow, RocksDB, sockets) show up as native-method samples, counted apart.
 */
public final class JfrSummary {

    /** Parts of the data path, by the frames that belong to them; a sample counts for every part it touches. */
    static final Map<String, List<String>> PARTS = parts();

    /**
     * @param samples     Java execution samples in the interval
     * @param threads     share of the samples per thread (numbered threads grouped)
     * @param parts       share of the samples per part of the data path, by the frame nearest the top
     * @param topMethods  share of samples with each method on top of the stack, largest first
     * @param nativeTop   stream threads' native-method samples: share per native method on top
     */
    public record Profile(
            String file,
            long samples,
            Map<String, Double> threads,
            Map<String, Double> parts,
            Map<String, Double> topMethods,
            long nativeSamples,
            Map<String, Double> nativeTop) {

        public String describe() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(
                    Locale.ROOT,
                    "  profile %s: %d Java samples, %d native samples of stream threads%n",
                    file,
                    samples,
                    nativeSamples));
            s.append("    by thread: ").append(percentages(threads)).append(System.lineSeparator());
            s.append("    by part of the path (the part nearest the top of the stack): ")
                    .append(percentages(parts))
                    .append(System.lineSeparator());
            s.append("    hottest methods (self):").append(System.lineSeparator());
            topMethods.forEach((m, v) -> s.append(String.format(Locale.ROOT, "      %5.1f%%  %s%n", 100 * v, m)));
            s.append("    stream threads in native code:").append(System.lineSeparator());
            nativeTop.forEach((m, v) -> s.append(String.format(Locale.ROOT, "      %5.1f%%  %s%n", 100 * v, m)));
            return s.toString();
        }

        private static String percentages(Map<String, Double> shares) {
            StringBuilder s = new StringBuilder();
            shares.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%s %.0f%%, ", k, 100 * v)));
            return s.length() > 2 ? s.substring(0, s.length() - 2) : "";
        }
    }

    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private JfrSummary() {}

    private static Map<String, List<String>> parts() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("decode", List.of("ecgdetector.streamer.decode."));
        p.put(
                "buffer-store",
                List.of("org.rocksdb.", "org.apache.kafka.streams.state.", "ecgdetector.streamer.batch.WindowBuffer"));
        p.put("buffer-serde", List.of("ecgdetector.streamer.batch.BufferedWindowSerde"));
        p.put("scoring", List.of("ecgdetector.model.scoring.", "ecgdetector.model.inference.AutoencoderTranslator"));
        p.put("tensorflow", List.of("org.tensorflow.", "ai.djl.", "org.bytedeco."));
        p.put("output-json", List.of("ecgdetector.streamer.alert.", "ecgdetector.schemas.", "com.fasterxml."));
        p.put("metrics", List.of("io.micrometer.", "org.apache.kafka.common.metrics.", "ecgdetector.streamer.ops."));
        p.put("compression", List.of("net.jpountz.", "org.xerial.snappy.", "com.github.luben."));
        p.put(
                "produce",
                List.of(
                        "org.apache.kafka.clients.producer.",
                        "org.apache.kafka.streams.processor.internals.RecordCollectorImpl"));
        p.put("consume", List.of("org.apache.kafka.clients.consumer."));
        p.put("network", List.of("org.apache.kafka.common.network.", "sun.nio.ch.", "org.apache.kafka.clients."));
        p.put("streams-runtime", List.of("org.apache.kafka.streams."));
        return p;
    }

    /** The part of the path the frame nearest the top of the stack belongs to; "other" for none. */
    static String partOf(List<String> framesTopFirst) {
        for (String frame : framesTopFirst) {
            for (Map.Entry<String, List<String>> part : PARTS.entrySet()) {
                for (String prefix : part.getValue()) {
                    if (frame.startsWith(prefix)) {
                        return part.getKey();
                    }
                }
            }
        }
        return "other";
    }

    /** Summarises the samples of {@code file} taken between {@code fromMs} and {@code toMs} (epoch ms). */
    public static Profile summarize(Path file, long fromMs, long toMs, int top) throws IOException {
        Instant from = Instant.ofEpochMilli(fromMs);
        Instant to = Instant.ofEpochMilli(toMs);
        long samples = 0;
        long nativeSamples = 0;
        Map<String, Long> threads = new TreeMap<>();
        Map<String, Long> parts = new LinkedHashMap<>();
        Map<String, Long> self = new LinkedHashMap<>();
        Map<String, Long> nativeSelf = new LinkedHashMap<>();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                boolean java = type.equals("jdk.ExecutionSample");
                boolean nativeSample = type.equals("jdk.NativeMethodSample");
                if (!(java || nativeSample)
                        || e.getStartTime().isBefore(from)
                        || e.getStartTime().isAfter(to)) {
                    continue;
                }
                RecordedStackTrace stack = e.getStackTrace();
                String thread = threadGroup(e.getThread("sampledThread"));
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                String topFrame = frame(stack.getFrames().get(0));
                if (nativeSample) {
                    if (thread.startsWith("StreamThread")) {
                        nativeSamples++;
                        nativeSelf.merge(topFrame, 1L, Long::sum);
                    }
                    continue;
                }
                samples++;
                threads.merge(thread, 1L, Long::sum);
                self.merge(topFrame, 1L, Long::sum);
                List<String> frames = new ArrayList<>(stack.getFrames().size());
                stack.getFrames().forEach(f -> frames.add(frame(f)));
                parts.merge(partOf(frames), 1L, Long::sum);
            }
        }
        return new Profile(
                file.toString(),
                samples,
                shares(threads, samples, Integer.MAX_VALUE),
                shares(parts, samples, Integer.MAX_VALUE),
                shares(self, samples, top),
                nativeSamples,
                shares(nativeSelf, nativeSamples, top));
    }

    private static String frame(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    /** Kafka Streams' and Kafka clients' thread names without their ids: {@code StreamThread-1}, ... */
    static String threadGroup(RecordedThread thread) {
        return thread == null
                ? "?"
                : threadGroup(thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName());
    }

    static String threadGroup(String name) {
        if (name == null) {
            return "?";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producer-network-thread";
        }
        if (name.contains("GlobalStreamThread")) {
            return "GlobalStreamThread";
        }
        int stream = name.indexOf("StreamThread-");
        if (stream >= 0) {
            return name.substring(stream);
        }
        if (name.startsWith("kafka-coordinator-heartbeat-thread")) {
            return "consumer-heartbeat-thread";
        }
        return DIGITS.matcher(name).replaceAll("N");
    }

    private static Map<String, Double> shares(Map<String, Long> counts, long total, int top) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : entries) {
            if (out.size() >= top) {
                break;
            }
            out.put(e.getKey(), total == 0 ? 0.0 : e.getValue() / (double) total);
        }
        return out;
    }
}
