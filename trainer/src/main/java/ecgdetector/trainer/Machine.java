package ecgdetector.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where figures were measured. TensorFlow's CPU kernels (oneDNN) pick their code by instruction set, so the
 * same seed gives other weights, and other figures, on another processor: a record of figures names its
 * machine.
 *
 * @param cpu the processor's model name (Linux's {@code /proc/cpuinfo}), else the architecture
 * @param vectorExtensions the widest x86 vector extensions the processor has, of AVX-512F, AVX2, AVX
 * @param cores processors available to the JVM
 * @param os operating system name and version
 * @param java the JVM's version
 */
public record Machine(String cpu, String vectorExtensions, int cores, String os, String java) {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /** /proc/cpuinfo's flag and the name it is known by, widest first. */
    private static final List<List<String>> EXTENSIONS =
            List.of(List.of("avx512f", "AVX-512F"), List.of("avx2", "AVX2"), List.of("avx", "AVX"));

    public static Machine current() {
        List<String> cpuinfo = cpuinfo();
        return new Machine(
                field(cpuinfo, "model name").orElse(System.getProperty("os.arch")),
                extensions(cpuinfo),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.version"));
    }

    /** e.g. "AMD EPYC (AVX-512F), 2 cores". */
    public String describe() {
        return cpu
                + (vectorExtensions.isEmpty() ? "" : " (" + vectorExtensions + ")")
                + ", "
                + cores
                + (cores == 1 ? " core" : " cores");
    }

    private static String extensions(List<String> cpuinfo) {
        Set<String> flags =
                field(cpuinfo, "flags").map(f -> Set.of(f.split("\\s+"))).orElse(Set.of());
        return EXTENSIONS.stream()
                .filter(e -> flags.contains(e.get(0)))
                .map(e -> e.get(1))
                .findFirst()
                .orElse("");
    }

    private static Optional<String> field(List<String> cpuinfo, String name) {
        return cpuinfo.stream()
                .filter(line -> line.startsWith(name))
                .map(line -> line.substring(line.indexOf(':') + 1).strip())
                .filter(value -> !value.isEmpty())
                .findFirst();
    }

    private static List<String> cpuinfo() {
        if (!Files.isReadable(CPUINFO)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(CPUINFO)) {
            return lines.collect(Collectors.toList());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
