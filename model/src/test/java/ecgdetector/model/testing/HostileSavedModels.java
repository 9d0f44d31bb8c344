package ecgdetector.model.testing;

import ecgdetector.model.inference.InferenceSavedModel;
import ecgdetector.model.inference.TensorFlowRuntime;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.schemas.ReleaseManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Real TensorFlow SavedModels, built with TensorFlow's graph API in the release's form (one {@code saved_model.pb},
 * the serving signature of a real release), that a release must never be: a graph that reads a file into its output,
 * one that writes a file, one that loops for ever; and one of allowed ops only whose weights are NaN.
 */
public final class HostileSavedModels {

    private HostileSavedModels() {}

    /** reconstruction = input * 0 + the number the file {@code canary} holds: the file's content in every score. */
    public static ReleaseBundle readsFile(ReleaseBundle good, Path canary) {
        return release(good, "reads-file", (tf, in) -> {
            Operand<TFloat32> content = tf.strings.toNumber(
                    tf.io.readFile(tf.constant(canary.toAbsolutePath().toString())));
            return tf.math.add(tf.math.mul(in, tf.constant(0f)), content);
        });
    }

    /** reconstruction = input, once the graph wrote "written by a release" to the file {@code canary}. */
    public static ReleaseBundle writesFile(ReleaseBundle good, Path canary) {
        return release(good, "writes-file", (tf, in) -> {
            var write = tf.io.writeFile(
                    tf.constant(canary.toAbsolutePath().toString()), tf.constant("written by a release"));
            return tf.withControlDependencies(write).identity(in);
        });
    }

    /** reconstruction = input, once a loop whose condition is always true ended: never. */
    public static ReleaseBundle loopsForever(ReleaseBundle good) {
        return release(good, "loops", (tf, in) -> {
            ConcreteFunction cond = ConcreteFunction.create(ops -> {
                Placeholder<TInt32> i = ops.placeholder(TInt32.class);
                return Signature.builder()
                        .input("i", i)
                        .output("go", ops.constant(true))
                        .build();
            });
            ConcreteFunction body = ConcreteFunction.create(ops -> {
                Placeholder<TInt32> i = ops.placeholder(TInt32.class);
                return Signature.builder()
                        .input("i", i)
                        .output("next", ops.math.add(i, ops.constant(1)))
                        .build();
            });
            var loop = tf.statefulWhile(List.of(tf.constant(0)), cond, body);
            Operand<TFloat32> never = tf.dtypes.cast(loop.iterator().next(), TFloat32.class);
            return tf.math.add(in, tf.math.mul(never, tf.constant(0f)));
        });
    }

    /** reconstruction = input x a matrix of NaN, with allowed ops only: it loads, and computes NaN for any input. */
    public static ReleaseBundle nanWeights(ReleaseBundle good) {
        int length = good.manifest().inputLength();
        return release(good, "nan", (tf, in) -> {
            float[] nan = new float[length * length];
            Arrays.fill(nan, Float.NaN);
            return tf.identity(tf.linalg.matMul(in, tf.constant(Shape.of(length, length), DataBuffers.of(nan))));
        });
    }

    /**
     * A release of the good one's model and manifest, version suffixed with {@code variant}, whose SavedModel is the
     * graph {@code build} makes from the input placeholder.
     */
    public static ReleaseBundle release(
            ReleaseBundle good, String variant, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> build) {
        ReleaseManifest m = good.manifest();
        return release(
                good, variant, build, TestManifests.withVersion(m, m.version() + "-" + variant, later(m.createdAt())));
    }

    /** As {@link #release(ReleaseBundle, String, BiFunction)}, described by {@code draft}. */
    public static ReleaseBundle release(
            ReleaseBundle good,
            String variant,
            BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> build,
            ReleaseManifest draft) {
        TensorFlowRuntime.engine();
        ReleaseManifest m = good.manifest();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ecg-hostile-" + variant + "-");
            try (Graph graph = new Graph()) {
                Ops tf = Ops.create(graph);
                ReleaseManifest.Serving serving = m.serving();
                Placeholder<TFloat32> in = tf.withName(serving.input())
                        .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, m.inputLength())));
                Operand<TFloat32> out = tf.withName(serving.output()).identity(build.apply(tf, in));
                InferenceSavedModel.write(
                        dir, graph, serving.tag(), serving.signature(), serving.input(), in, serving.output(), out);
            }
            return ReleaseBundle.seal(draft, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /** A second after {@code createdAt}: a hostile release is always "newer", so age alone cannot stop it. */
    private static String later(String createdAt) {
        return java.time.Instant.parse(createdAt).plusSeconds(1).toString();
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
