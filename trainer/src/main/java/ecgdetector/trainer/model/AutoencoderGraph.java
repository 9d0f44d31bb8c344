package ecgdetector.trainer.model;

import ecgdetector.trainer.model.AutoencoderConfig.Loss;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The pieces of TensorFlow graph shared by training and export, so that the served model computes
 * exactly what the trainer measured.
 */
final class AutoencoderGraph {

    /** Keras' {@code backend.epsilon()}, the floor MSLE clips both of its inputs to. */
    static final float LOG_EPSILON = 1e-7f;

    /** Dropout layers take seed2 1, 2, ...; the input noise one none of them can reach. */
    private static final long NOISE_SEED2 = 1_000_000;

    private AutoencoderGraph() {}

    /** The network without dropout: what is served and what validation measures. */
    static Operand<TFloat32> forward(
            Ops tf,
            Operand<TFloat32> input,
            List<? extends Operand<TFloat32>> kernels,
            List<? extends Operand<TFloat32>> biases) {
        return forward(tf, input, kernels, biases, 0, 0);
    }

    /**
     * The network as it trains: dropout after every hidden layer.
     *
     * <p>Each dropout op gets its own {@code seed2}; ops sharing both seeds would draw the same
     * stream and, at equal widths, drop the same units in every layer.
     */
    static Operand<TFloat32> forward(
            Ops tf,
            Operand<TFloat32> input,
            List<? extends Operand<TFloat32>> kernels,
            List<? extends Operand<TFloat32>> biases,
            double dropout,
            long seed) {
        Operand<TFloat32> h = input;
        int last = kernels.size() - 1;
        for (int i = 0; i <= last; i++) {
            Operand<TFloat32> z = tf.nn.biasAdd(tf.linalg.matMul(h, kernels.get(i)), biases.get(i));
            if (i == last) {
                return tf.math.sigmoid(z);
            }
            h = tf.nn.relu(z);
            if (dropout > 0) {
                h = dropout(tf, h, input, units(kernels.get(i)), dropout, seed, i + 1);
            }
        }
        throw new IllegalArgumentException("no layers");
    }

    /**
     * Inverted dropout as Keras does it: keep a unit when a uniform draw is at least {@code rate},
     * scale the survivors by {@code 1 / (1 - rate)}.
     *
     * <p>The mask's shape is taken from the input placeholder's batch size rather than from {@code
     * h}, so no gradient has to flow through shape or random ops.
     */
    private static Operand<TFloat32> dropout(
            Ops tf, Operand<TFloat32> h, Operand<TFloat32> input, int units, double rate, long seed, long layerSeed) {
        Operand<TInt32> batch = tf.slice(tf.shape(input), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
        Operand<TInt32> shape = tf.concat(List.of(batch, tf.constant(new int[] {units})), tf.constant(0));
        Operand<TFloat32> draw = tf.random.randomUniform(
                shape, TFloat32.class, RandomUniform.seed(seed), RandomUniform.seed2(layerSeed));
        Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(draw, tf.constant((float) rate)), TFloat32.class);
        return tf.math.mul(tf.math.mul(h, tf.constant((float) (1 / (1 - rate)))), keep);
    }

    /** The members' reconstructions averaged; a single member's as it is, with no op added. */
    static Operand<TFloat32> mean(Ops tf, List<Operand<TFloat32>> reconstructions) {
        if (reconstructions.size() == 1) {
            return reconstructions.get(0);
        }
        return tf.math.div(tf.math.addN(reconstructions), tf.constant((float) reconstructions.size()));
    }

    /**
     * The input with Gaussian noise of standard deviation {@code sd} added to every sample, drawn anew for
     * every batch: what a denoising autoencoder reconstructs the clean beat from. Seeded like dropout, with
     * a {@code seed2} of its own.
     */
    static Operand<TFloat32> noisy(Ops tf, Operand<TFloat32> input, double sd, long seed) {
        Operand<TFloat32> noise = tf.random.randomStandardNormal(
                tf.shape(input),
                TFloat32.class,
                RandomStandardNormal.seed(seed),
                RandomStandardNormal.seed2(NOISE_SEED2));
        return tf.math.add(input, tf.math.mul(noise, tf.constant((float) sd)));
    }

    /** Keras' loss: mean over each beat, then over the batch. */
    static Operand<TFloat32> loss(Ops tf, Loss kind, Operand<TFloat32> truth, Operand<TFloat32> prediction) {
        Operand<TFloat32> perValue = switch (kind) {
            case MSE -> tf.math.squaredDifference(prediction, truth);
            case MAE -> tf.math.abs(tf.math.sub(prediction, truth));
            case MSLE -> {
                Operand<TFloat32> floor = tf.constant(LOG_EPSILON);
                yield tf.math.squaredDifference(
                        tf.math.log1p(tf.math.maximum(prediction, floor)),
                        tf.math.log1p(tf.math.maximum(truth, floor)));
            }
        };
        return tf.math.mean(tf.math.mean(perValue, tf.constant(1)), tf.constant(0));
    }

    /** Keras-like names ({@code dense_0/kernel}), so the exported checkpoint reads naturally. */
    static Ops layerScope(Ops tf, int layer) {
        return tf.withSubScope("dense_" + layer);
    }

    /** Kernel then bias for each layer: the order of {@code weightsBytes()} and of the updates. */
    static <T> List<T> interleave(List<? extends T> kernels, List<? extends T> biases) {
        List<T> weights = new ArrayList<>(kernels.size() * 2);
        for (int i = 0; i < kernels.size(); i++) {
            weights.add(kernels.get(i));
            weights.add(biases.get(i));
        }
        return weights;
    }

    private static int units(Operand<TFloat32> kernel) {
        return (int) kernel.shape().get(1);
    }
}
