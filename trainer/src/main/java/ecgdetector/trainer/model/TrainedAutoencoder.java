package ecgdetector.trainer.model;

import ecgdetector.model.inference.InferenceSavedModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A trained autoencoder, still held in its training session: one network, or an ensemble of several
 * ({@link AutoencoderConfig#members()}) whose reconstructions the served graph averages.
 *
 * <p>Owns native TensorFlow memory: close it. Not thread-safe.
 */
public final class TrainedAutoencoder implements AutoCloseable {

    /** Tag DJL and TensorFlow Serving look for. */
    public static final String SERVE_TAG = "serve";

    /** Signature key DJL and TensorFlow Serving call by default. */
    public static final String SIGNATURE_KEY = "serving_default";

    /** Name of the exported input, float[-1, inputLength]. */
    public static final String INPUT_NAME = "input";

    /** Name of the exported output, float[-1, inputLength]. */
    public static final String OUTPUT_NAME = "reconstruction";

    /** Beats per session call in {@link #reconstruct}; bounds the size of the native tensors. */
    private static final int RECONSTRUCT_CHUNK = 4096;

    /**
     * One trained network in its own training graph and session.
     *
     * @param input the graph's input placeholder
     * @param reconstruction the dropout-free forward pass
     */
    record Member(
            Graph graph,
            Session session,
            Placeholder<TFloat32> input,
            Operand<TFloat32> reconstruction,
            List<Variable<TFloat32>> kernels,
            List<Variable<TFloat32>> biases) {
        Member {
            kernels = List.copyOf(kernels);
            biases = List.copyOf(biases);
        }

        void close() {
            session.close();
            graph.close();
        }
    }

    /** The served graph in memory: what {@link #reconstruct} runs for an ensemble. */
    private record Inference(Graph graph, Session session, Placeholder<TFloat32> input, Operand<TFloat32> output) {}

    private final AutoencoderConfig config;
    private final List<Member> members;
    private final List<EpochStats> history;
    private final long steps;
    private Inference inference;
    private boolean closed;

    /**
     * @param history per epoch; for an ensemble, the members' figures averaged
     * @param steps Adam steps over all members
     */
    TrainedAutoencoder(AutoencoderConfig config, List<Member> members, List<EpochStats> history, long steps) {
        if (members.size() != config.members()) {
            throw new IllegalArgumentException(
                    members.size() + " members trained, " + config.members() + " configured");
        }
        this.config = config;
        this.members = List.copyOf(members);
        this.history = List.copyOf(history);
        this.steps = steps;
    }

    public AutoencoderConfig config() {
        return config;
    }

    /** One entry per epoch, in order. */
    public List<EpochStats> history() {
        return history;
    }

    /**
     * Runs the network without dropout, as the exported model will: a single network's training graph through
     * its dropout-free path (the same to the last bit or two: see {@link #exportSavedModel}), an ensemble through
     * the served graph itself.
     *
     * @param scaled beats, each {@code config().inputLength()} long
     * @return one reconstruction per beat
     */
    public float[][] reconstruct(float[][] scaled) {
        ensureOpen();
        if (members.size() == 1) {
            Member only = members.get(0);
            return reconstruct(only.session(), only.input(), only.reconstruction(), scaled);
        }
        if (inference == null) {
            inference = inferenceGraph();
        }
        return reconstruct(inference.session(), inference.input(), inference.output(), scaled);
    }

    private float[][] reconstruct(
            Session session, Placeholder<TFloat32> input, Operand<TFloat32> output, float[][] scaled) {
        int n = config.inputLength();
        Beats beats = Beats.of("input", scaled, n);
        float[][] out = new float[beats.rows()][n];
        float[] chunk = new float[Math.min(RECONSTRUCT_CHUNK, beats.rows()) * n];
        for (int from = 0; from < beats.rows(); from += RECONSTRUCT_CHUNK) {
            int size = Math.min(RECONSTRUCT_CHUNK, beats.rows() - from);
            try (TFloat32 x = TFloat32.tensorOf(
                            Shape.of(size, n),
                            DataBuffers.of(beats.values(), true, false).slice((long) from * n, (long) size * n));
                    Result result =
                            session.runner().feed(input, x).fetch(output).run()) {
                ((TFloat32) result.get(0)).copyTo(DataBuffers.of(chunk, false, false));
            }
            for (int r = 0; r < size; r++) {
                System.arraycopy(chunk, r * n, out[from + r], 0, n);
            }
        }
        return out;
    }

    /**
     * The trained weights, member by member and layer by layer: each kernel (row-major, [fanIn, units])
     * followed by its bias, as little-endian float32. Equal bytes mean equal models, so this serves as the
     * input to a digest and for reproducibility checks.
     */
    public byte[] weightsBytes() {
        List<float[]> arrays = new ArrayList<>();
        members.forEach(m -> arrays.addAll(weights(m)));
        int floats = arrays.stream().mapToInt(a -> a.length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : arrays) {
            for (float f : a) {
                bytes.putFloat(f);
            }
        }
        return bytes.array();
    }

    /** Number of trainable weights (kernels and biases) of all members. */
    public long parameterCount() {
        long count = 0;
        for (Member m : members) {
            for (int i = 0; i < m.kernels().size(); i++) {
                count += m.kernels().get(i).shape().size()
                        + m.biases().get(i).shape().size();
            }
        }
        return count;
    }

    /**
     * Weights updated over the training: each member's Adam steps times its trainable weights. A measure of
     * the training's work that, unlike its wall time, does not depend on the machine or what else runs on
     * it.
     */
    public long weightUpdates() {
        return steps / members.size() * parameterCount();
    }

    /**
     * Writes an inference-only SavedModel that is data, not code: a fresh graph holding just the dropout-free
     * forward pass of every member, their mean when there are several, with the trained weights as constants, and
     * nothing else. No variables, no saver or restore ops (they read and write files), no init ops, no function
     * library, no assets: loading it runs nothing, and a streamer can check every op in it against a short list
     * before TensorFlow sees it.
     *
     * <p>TensorFlow optimises a graph with constant weights differently from the training graph (whose weights
     * are variables), so its reconstructions may differ from a single network's {@link #reconstruct} in the last
     * bit. Nothing depends on that: the trainer scores, and chooses the threshold, through the exported release,
     * exactly as the streamer will.
     *
     * <p>Tag {@value #SERVE_TAG}, signature {@value #SIGNATURE_KEY}, input {@value #INPUT_NAME}
     * float[-1, inputLength], output {@value #OUTPUT_NAME} float[-1, inputLength].
     *
     * @param dir where to write; created if missing, must be empty if present
     */
    public void exportSavedModel(Path dir) throws IOException {
        ensureOpen();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("refusing to export into non-empty directory " + dir);
                }
            }
        }
        Inference served = inferenceGraph();
        try {
            InferenceSavedModel.write(
                    dir,
                    served.graph(),
                    SERVE_TAG,
                    SIGNATURE_KEY,
                    INPUT_NAME,
                    served.input(),
                    OUTPUT_NAME,
                    served.output());
        } finally {
            served.session().close();
            served.graph().close();
        }
    }

    /**
     * The served graph, holding the trained weights as constants: per member its layers under {@code
     * dense_<layer>} (a single network) or {@code member_<m>/dense_<layer>}, and for an ensemble the members' mean.
     */
    private Inference inferenceGraph() {
        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> in = tf.withName(INPUT_NAME)
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, config.inputLength())));
            List<Operand<TFloat32>> outputs = new ArrayList<>();
            for (int m = 0; m < members.size(); m++) {
                Member member = members.get(m);
                Ops scope = members.size() == 1 ? tf : tf.withSubScope("member_" + m);
                List<float[]> values = weights(member);
                List<Operand<TFloat32>> kernels = new ArrayList<>();
                List<Operand<TFloat32>> biases = new ArrayList<>();
                for (int i = 0; i < member.kernels().size(); i++) {
                    // One scope per layer, so its kernel and bias share the name dense_<layer>/.
                    Ops layer = AutoencoderGraph.layerScope(scope, i);
                    kernels.add(layer.withName("kernel")
                            .constant(member.kernels().get(i).shape(), DataBuffers.of(values.get(2 * i), true, false)));
                    biases.add(layer.withName("bias")
                            .constant(
                                    member.biases().get(i).shape(),
                                    DataBuffers.of(values.get(2 * i + 1), true, false)));
                }
                outputs.add(AutoencoderGraph.forward(scope, in, kernels, biases));
            }
            Operand<TFloat32> out = tf.withName(OUTPUT_NAME).identity(AutoencoderGraph.mean(tf, outputs));
            return new Inference(graph, new Session(graph), in, out);
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    /** Frees the training graphs and sessions. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (inference != null) {
                inference.session().close();
                inference.graph().close();
            }
            members.forEach(Member::close);
        }
    }

    /** A member's kernel then bias for each layer, in order. */
    private List<float[]> weights(Member member) {
        ensureOpen();
        Session.Runner runner = member.session().runner();
        List<Variable<TFloat32>> all = AutoencoderGraph.interleave(member.kernels(), member.biases());
        all.forEach(runner::fetch);
        try (Result result = runner.run()) {
            List<float[]> arrays = new ArrayList<>(all.size());
            for (int i = 0; i < all.size(); i++) {
                TFloat32 tensor = (TFloat32) result.get(i);
                float[] values = new float[(int) tensor.shape().size()];
                tensor.copyTo(DataBuffers.of(values, false, false));
                arrays.add(values);
            }
            return arrays;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this model has been closed");
        }
    }
}
