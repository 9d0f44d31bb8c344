package ecgdetector.streamer.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Bad model releases made from a good one, each as it would reach the models topic: bytes that are no
 * release, a release cut short, one for another window length, one whose content no longer matches its
 * digest, and a real TensorFlow model that outputs NaN.
 */
public final class PoisonedReleases {

    private PoisonedReleases() {}

    /** Random bytes: not even JSON. */
    public static byte[] corruptBytes(long seed) {
        byte[] bytes = new byte[4096];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The first half of the good release's wire form, as a broken upload would leave it. */
    public static byte[] truncated(ReleaseBundle good) {
        byte[] bytes = good.toBytes();
        return Arrays.copyOf(bytes, bytes.length / 2);
    }

    /** A correctly sealed release of the same model and weights that declares windows of {@code length} samples. */
    public static ReleaseBundle wrongInputLength(ReleaseBundle good, int length) {
        ReleaseManifest m = good.manifest();
        ReleaseManifest.Scaler s = m.scaler();
        ReleaseManifest.Scaler scaler =
                new ReleaseManifest.Scaler(s.kind(), Arrays.copyOf(s.min(), length), Arrays.copyOf(s.max(), length));
        return sealWithFiles(
                new ReleaseManifest(
                        m.formatVersion(),
                        m.modelName(),
                        m.version() + "-len" + length,
                        m.createdAt(),
                        length,
                        m.serving(),
                        scaler,
                        m.errorMetric(),
                        m.threshold(),
                        m.thresholdPolicy(),
                        m.provenance(),
                        null,
                        null),
                good.modelFiles());
    }

    /**
     * The good release with its threshold lowered to 0 after sealing, so that every window would alert: the
     * manifest's digest no longer matches its content.
     */
    public static byte[] digestMismatch(ReleaseBundle good) {
        try {
            ObjectNode root = (ObjectNode) Json.mapper().readTree(good.toBytes());
            ((ObjectNode) root.get("manifest")).put("threshold", 0.0).put("version", good.version() + "-tampered");
            return Json.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A release of a real TensorFlow SavedModel with the serving signature of the good one whose weights are
     * NaN: it loads, and TensorFlow computes NaN for every input. TensorFlow must already be loaded (train or
     * load a release first).
     */
    public static ReleaseBundle nanModel(ReleaseBundle good) {
        ReleaseManifest m = good.manifest();
        Path dir = tempDir();
        try {
            exportNanModel(dir.resolve("saved_model"), m.inputLength(), m.serving());
            return ReleaseBundle.seal(
                    new ReleaseManifest(
                            m.formatVersion(),
                            m.modelName(),
                            m.version() + "-nan",
                            m.createdAt(),
                            m.inputLength(),
                            m.serving(),
                            m.scaler(),
                            m.errorMetric(),
                            m.threshold(),
                            m.thresholdPolicy(),
                            m.provenance(),
                            null,
                            null),
                    dir.resolve("saved_model"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /** reconstruction = input * w, with w a variable (saved in the checkpoint) holding NaN. */
    private static void exportNanModel(Path dir, int length, ReleaseManifest.Serving serving) {
        try (Graph graph = new Graph();
                Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> in =
                    tf.withName(serving.input()).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, length)));
            Variable<TFloat32> weights = tf.withName("kernel").variable(Shape.of(length), TFloat32.class);
            Operand<TFloat32> out = tf.withName(serving.output()).math.mul(in, weights);
            Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(length)));
            float[] nan = new float[length];
            Arrays.fill(nan, Float.NaN);
            try (TFloat32 tensor = TFloat32.tensorOf(Shape.of(length), DataBuffers.of(nan, true, false))) {
                session.runner()
                        .feed(value, tensor)
                        .addTarget(tf.assign(weights, value))
                        .run()
                        .close();
            }
            SavedModelBundle.exporter(dir.toString())
                    .withTags(serving.tag())
                    .withSession(session)
                    .withSignature(Signature.builder()
                            .key(serving.signature())
                            .input(serving.input(), in)
                            .output(serving.output(), out)
                            .build())
                    .export();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ReleaseBundle sealWithFiles(ReleaseManifest draft, Map<String, byte[]> files) {
        Path dir = tempDir();
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path target = dir.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, file.getValue());
            }
            return ReleaseBundle.seal(draft, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ecg-poisoned-release");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
