package ecgdetector.trainer.model;

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
 * A trained autoencoder, still held in its training session.
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

    private final Graph graph;
    private final Session session;
    private final AutoencoderConfig config;
    private final Placeholder<TFloat32> input;
    private final Operand<TFloat32> reconstruction;
    private final List<Variable<TFloat32>> kernels;
    private final List<Variable<TFloat32>> biases;
    private final List<EpochStats> history;
    private boolean closed;

    TrainedAutoencoder(
            Graph graph,
            Session session,
            AutoencoderConfig config,
            Placeholder<TFloat32> input,
            Operand<TFloat32> reconstruction,
            List<Variable<TFloat32>> kernels,
            List<Variable<TFloat32>> biases,
            List<EpochStats> history) {
        this.graph = graph;
        this.session = session;
        this.config = config;
        this.input = input;
        this.reconstruction = reconstruction;
        this.kernels = List.copyOf(kernels);
        this.biases = List.copyOf(biases);
        this.history = List.copyOf(history);
    }

    public AutoencoderConfig config() {
        return config;
    }

    /** One entry per epoch, in order. */
    public List<EpochStats> history() {
        return history;
    }

    /**
     * Runs the network without dropout, exactly as the exported model will.
     *
     * @param scaled beats, each {@code config().inputLength()} long
     * @return one reconstruction per beat
     */
    public float[][] reconstruct(float[][] scaled) {
        ensureOpen();
        int n = config.inputLength();
        Beats beats = Beats.of("input", scaled, n);
        float[][] out = new float[beats.rows()][n];
        float[] chunk = new float[Math.min(RECONSTRUCT_CHUNK, beats.rows()) * n];
        for (int from = 0; from < beats.rows(); from += RECONSTRUCT_CHUNK) {
            int size = Math.min(RECONSTRUCT_CHUNK, beats.rows() - from);
            try (TFloat32 x = TFloat32.tensorOf(
                            Shape.of(size, n),
                            DataBuffers.of(beats.values(), true, false).slice((long) from * n, (long) size * n));
                    Result result = session.runner()
                            .feed(input, x)
                            .fetch(reconstruction)
                            .run()) {
                ((TFloat32) result.get(0)).copyTo(DataBuffers.of(chunk, false, false));
            }
            for (int r = 0; r < size; r++) {
                System.arraycopy(chunk, r * n, out[from + r], 0, n);
            }
        }
        return out;
    }

    /**
     * The trained weights, layer by layer: each kernel (row-major, [fanIn, units]) followed by its
     * bias, as little-endian float32. Equal bytes mean equal models, so this serves as the input to
     * a digest and for reproducibility checks.
     */
    public byte[] weightsBytes() {
        List<float[]> arrays = weights();
        int floats = arrays.stream().mapToInt(a -> a.length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : arrays) {
            for (float f : a) {
                bytes.putFloat(f);
            }
        }
        return bytes.array();
    }

    /** Number of trainable weights (kernels and biases). */
    public long parameterCount() {
        long count = 0;
        for (int i = 0; i < kernels.size(); i++) {
            count += kernels.get(i).shape().size() + biases.get(i).shape().size();
        }
        return count;
    }

    /**
     * Writes an inference-only SavedModel: a fresh graph holding just the dropout-free forward pass
     * and its weights. No optimiser state and no dropout ops come along.
     *
     * <p>The weights are variables, saved in the model's checkpoint, rather than constants in the
     * graph: TensorFlow optimises a graph with constant weights differently, and its outputs then
     * differed from {@link #reconstruct} in the last bit. As variables, the served graph is the
     * training graph's dropout-free path op for op, and its reconstructions are identical.
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
        Files.createDirectories(dir);
        try (Graph exportGraph = new Graph();
                Session exportSession = new Session(exportGraph)) {
            Ops tf = Ops.create(exportGraph);
            Placeholder<TFloat32> in = tf.withName(INPUT_NAME)
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, config.inputLength())));
            List<Variable<TFloat32>> exportKernels = new ArrayList<>();
            List<Variable<TFloat32>> exportBiases = new ArrayList<>();
            for (int i = 0; i < kernels.size(); i++) {
                exportKernels.add(AutoencoderGraph.layerScope(tf, i)
                        .withName("kernel")
                        .variable(kernels.get(i).shape(), TFloat32.class));
                exportBiases.add(AutoencoderGraph.layerScope(tf, i)
                        .withName("bias")
                        .variable(biases.get(i).shape(), TFloat32.class));
            }
            Operand<TFloat32> out =
                    tf.withName(OUTPUT_NAME).identity(AutoencoderGraph.forward(tf, in, exportKernels, exportBiases));
            assignTrainedWeights(tf, exportSession, exportKernels, exportBiases);
            Signature signature = Signature.builder()
                    .key(SIGNATURE_KEY)
                    .input(INPUT_NAME, in)
                    .output(OUTPUT_NAME, out)
                    .build();
            SavedModelBundle.exporter(dir.toString())
                    .withTags(SERVE_TAG)
                    .withSession(exportSession)
                    .withSignature(signature)
                    .export();
        }
    }

    /**
     * Copies the trained weights into the export session's variables. The assign ops and their
     * inputs stay in the exported graph but nothing served ever runs them.
     */
    private void assignTrainedWeights(
            Ops tf,
            Session exportSession,
            List<Variable<TFloat32>> exportKernels,
            List<Variable<TFloat32>> exportBiases) {
        List<Variable<TFloat32>> targets = AutoencoderGraph.interleave(exportKernels, exportBiases);
        List<float[]> values = weights();
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = exportSession.runner();
            for (int i = 0; i < targets.size(); i++) {
                Variable<TFloat32> target = targets.get(i);
                Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(target.shape()));
                TFloat32 tensor = TFloat32.tensorOf(target.shape(), DataBuffers.of(values.get(i), true, false));
                tensors.add(tensor);
                runner.feed(value, tensor).addTarget(tf.assign(target, value));
            }
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    /** Frees the training graph and session. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
            graph.close();
        }
    }

    /** Kernel then bias for each layer, in order. */
    private List<float[]> weights() {
        ensureOpen();
        Session.Runner runner = session.runner();
        List<Variable<TFloat32>> all = AutoencoderGraph.interleave(kernels, biases);
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
