package ecgdetector.broker.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM options a test gives every JVM it starts (a child streamer, a cluster node, a bench child) besides that
 * JVM's own: the build's {@code test.child.jvm.options}, passed in as the system property {@value #PROPERTY}.
 *
 * <p>The build's default is C1 only ({@code -XX:TieredStopAtLevel=1}). A fault test's JVM lives for a minute or
 * less, and on 2 cores C2 compiling Kafka's code in several such JVMs at once cost a third of their CPU and of the
 * suite's time (ChaosIT: 101-112 s against 148-157 s, two runs each). The JIT changes how fast, never what, a JVM
 * computes, and no test asserts a speed. Production, the demo and the bench's own JVMs keep the default JIT; run
 * the suite with {@code -Dtest.child.jvm.options=} to give the children the default too.
 */
public final class ChildJvms {

    public static final String PROPERTY = "ecg.test.child.jvm.options";

    private ChildJvms() {}

    /** The options, split on spaces; none where the property is unset or blank (a run outside Maven). */
    public static List<String> options() {
        return Arrays.stream(System.getProperty(PROPERTY, "").trim().split("\\s+"))
                .filter(option -> !option.isEmpty())
                .toList();
    }

    /** {@code own} followed by {@link #options()}. */
    public static List<String> after(List<String> own) {
        List<String> all = new ArrayList<>(own);
        all.addAll(options());
        return List.copyOf(all);
    }

    /**
     * A JVM of this test's JDK and class path running {@code mainClass}: {@code own} options, then {@link
     * #options()}. The child sees only the settings given to it: the {@code ECG_} and {@code KAFKA_} variables of
     * the test's environment (which would override its files and flags) are left out, and TensorFlow's native log
     * is quiet.
     */
    public static ProcessBuilder java(List<String> own, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(after(own));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
        builder.environment().keySet().removeIf(k -> k.startsWith("ECG_") || k.startsWith("KAFKA_"));
        return builder;
    }
}
