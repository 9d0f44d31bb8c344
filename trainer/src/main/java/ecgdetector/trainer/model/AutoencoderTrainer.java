package ecgdetector.trainer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Fits the autoencoder with mini-batch Adam on TensorFlow's graph API.
 *
 * <p>DJL's TensorFlow engine cannot train, so the network is built directly as a TensorFlow graph
 * with two forward paths over the same variables: one with dropout that the optimiser minimises,
 * and one without that validation, {@link TrainedAutoencoder#reconstruct} and the export use.
 *
 * <p>Training is reproducible to the bit: the same data, config and seed give byte-identical
 * weights. Everything random is seeded from {@link AutoencoderConfig#seed()}, and no variable is
 * updated before every gradient of the step has been computed.
 */
public final class AutoencoderTrainer {

    /** The one optimiser, as a release's provenance names it. */
    public static final String OPTIMIZER = "adam";

    private final int threads;

    /**
     * A trainer that runs TensorFlow on one thread. This model is too small to gain from more: on
     * two cores, 200 epochs at batch 64 took about 4 s on one thread and 6-7 s on two.
     */
    public AutoencoderTrainer() {
        this(1);
    }

    /**
     * @param threads TensorFlow's intra-op threads; the weights do not depend on it
     */
    public AutoencoderTrainer(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.threads = threads;
    }

    /**
     * Trains a fresh model.
     *
     * @param train scaled beats, each {@code cfg.inputLength()} long; at least one
     * @param validation beats to measure after each epoch, dropout off; may be empty
     * @param listener told about progress; {@link EpochListener#SILENT} for none
     * @return the trained model, which owns native memory: close it
     * @throws IllegalArgumentException if a beat has the wrong length or a non-finite value
     */
    public TrainedAutoencoder train(
            float[][] train, float[][] validation, AutoencoderConfig cfg, EpochListener listener) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(listener, "listener");
        Beats trainSet = Beats.of("train", train, cfg.inputLength());
        Beats validationSet = Beats.of("validation", validation, cfg.inputLength());
        if (trainSet.rows() == 0) {
            throw new IllegalArgumentException("train must hold at least one beat");
        }

        // Unpacks and loads the natives on first use; every TensorFlow call below needs them.
        TensorFlow.version();
        List<TrainedAutoencoder.Member> members = new ArrayList<>();
        List<List<EpochStats>> histories = new ArrayList<>();
        try {
            for (int m = 0; m < cfg.members(); m++) {
                List<EpochStats> history = new ArrayList<>();
                members.add(trainMember(trainSet, validationSet, cfg.member(m), listener, history));
                histories.add(history);
            }
        } catch (RuntimeException | Error e) {
            members.forEach(TrainedAutoencoder.Member::close);
            throw e;
        }
        long steps = (long) cfg.members() * cfg.epochs() * batchesPerEpoch(trainSet.rows(), cfg.batchSize());
        return new TrainedAutoencoder(cfg, members, EpochStats.mean(histories), steps);
    }

    /** One network in a graph and session of its own, its epochs into {@code history}. */
    private TrainedAutoencoder.Member trainMember(
            Beats trainSet,
            Beats validationSet,
            AutoencoderConfig cfg,
            EpochListener listener,
            List<EpochStats> history) {
        Graph graph = new Graph();
        try {
            // Separate streams, so the number of weights drawn cannot shift the batch order.
            SplittableRandom root = new SplittableRandom(cfg.seed());
            SplittableRandom initRandom = root.split();
            SplittableRandom shuffleRandom = root.split();
            TrainingGraph net = new TrainingGraph(graph, cfg, initRandom);
            Session session = new Session(
                    graph,
                    ConfigProto.newBuilder()
                            .setIntraOpParallelismThreads(threads)
                            .setInterOpParallelismThreads(1)
                            .build());
            try {
                session.initialize();
                history.addAll(fit(session, net, trainSet, validationSet, cfg, shuffleRandom, listener));
                return new TrainedAutoencoder.Member(
                        graph, session, net.input, net.reconstruction, net.kernels, net.biases);
            } catch (RuntimeException | Error e) {
                session.close();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            graph.close();
            throw e;
        }
    }

    /** Trains without reporting progress. */
    public TrainedAutoencoder train(float[][] train, float[][] validation, AutoencoderConfig cfg) {
        return train(train, validation, cfg, EpochListener.SILENT);
    }

    private static List<EpochStats> fit(
            Session session,
            TrainingGraph net,
            Beats train,
            Beats validation,
            AutoencoderConfig cfg,
            SplittableRandom shuffleRandom,
            EpochListener listener) {
        int n = cfg.inputLength();
        int rows = train.rows();
        int batchSize = Math.min(cfg.batchSize(), rows);
        int batches = batchesPerEpoch(rows, cfg.batchSize());
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        float[] batch = new float[batchSize * n];
        List<EpochStats> history = new ArrayList<>(cfg.epochs());

        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long started = System.nanoTime();
            listener.epochStarted(epoch, cfg.epochs(), batches);
            shuffle(order, shuffleRandom);
            double lossSum = 0;
            double mseSum = 0;
            for (int b = 0; b < batches; b++) {
                int from = b * batchSize;
                int size = Math.min(batchSize, rows - from);
                for (int r = 0; r < size; r++) {
                    System.arraycopy(train.values(), order[from + r] * n, batch, r * n, n);
                }
                float[] lossAndMse =
                        run(session, net.input, batch, size, n, List.of(net.trainLoss, net.trainMse), net.trainStep);
                // Keras weighs each batch's mean by its size, so the short last batch counts less.
                lossSum += (double) lossAndMse[0] * size;
                mseSum += (double) lossAndMse[1] * size;
                listener.batchFinished(b + 1, lossSum / (from + size));
            }
            double[] val = evaluate(session, net, validation, batchSize);
            double seconds = (System.nanoTime() - started) / 1e9;
            EpochStats stats = new EpochStats(epoch, lossSum / rows, mseSum / rows, val[0], val[1], seconds);
            history.add(stats);
            listener.epochFinished(stats);
        }
        return List.copyOf(history);
    }

    /** Adam steps per epoch: the last batch may be short. */
    private static int batchesPerEpoch(int rows, int batchSize) {
        int size = Math.min(batchSize, rows);
        return (rows + size - 1) / size;
    }

    /** Mean loss and MSE over {@code beats} with dropout off; NaN for an empty set. */
    private static double[] evaluate(Session session, TrainingGraph net, Beats beats, int batchSize) {
        if (beats.rows() == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int n = beats.length();
        double lossSum = 0;
        double mseSum = 0;
        float[] batch = new float[Math.min(batchSize, beats.rows()) * n];
        for (int from = 0; from < beats.rows(); from += batchSize) {
            int size = Math.min(batchSize, beats.rows() - from);
            System.arraycopy(beats.values(), from * n, batch, 0, size * n);
            float[] lossAndMse = run(session, net.input, batch, size, n, List.of(net.evalLoss, net.evalMse), null);
            lossSum += (double) lossAndMse[0] * size;
            mseSum += (double) lossAndMse[1] * size;
        }
        return new double[] {lossSum / beats.rows(), mseSum / beats.rows()};
    }

    /** Feeds the first {@code rows} beats of {@code batch} and fetches scalar results. */
    private static float[] run(
            Session session,
            Placeholder<TFloat32> input,
            float[] batch,
            int rows,
            int n,
            List<Operand<TFloat32>> fetches,
            Op target) {
        try (TFloat32 x = TFloat32.tensorOf(
                Shape.of(rows, n), DataBuffers.of(batch, true, false).narrow((long) rows * n))) {
            Session.Runner runner = session.runner().feed(input, x);
            fetches.forEach(runner::fetch);
            if (target != null) {
                runner.addTarget(target);
            }
            try (Result result = runner.run()) {
                float[] values = new float[fetches.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = ((TFloat32) result.get(i)).getFloat();
                }
                return values;
            }
        }
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    /**
     * The training graph: weights, Adam's state, both forward paths, losses and the update step.
     */
    private static final class TrainingGraph {
        final Placeholder<TFloat32> input;
        final List<Variable<TFloat32>> kernels = new ArrayList<>();
        final List<Variable<TFloat32>> biases = new ArrayList<>();
        final Operand<TFloat32> trainLoss;
        final Operand<TFloat32> trainMse;
        final Op trainStep;
        final Operand<TFloat32> reconstruction;
        final Operand<TFloat32> evalLoss;
        final Operand<TFloat32> evalMse;

        TrainingGraph(Graph graph, AutoencoderConfig cfg, SplittableRandom initRandom) {
            Ops tf = Ops.create(graph);
            input = tf.withName("input")
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, cfg.inputLength())));

            int fanIn = cfg.inputLength();
            List<Integer> layerUnits = cfg.layerUnits();
            for (int i = 0; i < layerUnits.size(); i++) {
                int units = layerUnits.get(i);
                kernels.add(AutoencoderGraph.layerScope(tf, i)
                        .withName("kernel")
                        .variable(tf.constant(
                                Shape.of(fanIn, units),
                                DataBuffers.of(glorotUniform(fanIn, units, initRandom), true, false))));
                biases.add(AutoencoderGraph.layerScope(tf, i)
                        .withName("bias")
                        .variable(tf.constant(Shape.of(units), DataBuffers.of(new float[units], true, false))));
                fanIn = units;
            }

            // A denoising autoencoder sees a noisy beat and is scored on reconstructing the clean one.
            Operand<TFloat32> seen =
                    cfg.noise() > 0 ? AutoencoderGraph.noisy(tf, input, cfg.noise(), cfg.seed()) : input;
            Operand<TFloat32> trained = AutoencoderGraph.forward(tf, seen, kernels, biases, cfg.dropout(), cfg.seed());
            trainLoss = AutoencoderGraph.loss(tf, cfg.loss(), input, trained);
            trainMse = AutoencoderGraph.loss(tf, AutoencoderConfig.Loss.MSE, input, trained);

            reconstruction =
                    tf.withName("reconstruction").identity(AutoencoderGraph.forward(tf, input, kernels, biases));
            evalLoss = AutoencoderGraph.loss(tf, cfg.loss(), input, reconstruction);
            evalMse = AutoencoderGraph.loss(tf, AutoencoderConfig.Loss.MSE, input, reconstruction);

            trainStep = adam(tf, cfg);
        }

        /**
         * One Adam step on every weight, with Keras' update rule ({@code ApplyAdam} is the same
         * "epsilon hat" formulation).
         *
         * <p>Variables are updated in place, so an update must not run while any backward op might
         * still read the old value: every update waits for every gradient. Without that, results
         * vary from run to run with thread scheduling.
         */
        private Op adam(Ops tf, AutoencoderConfig cfg) {
            List<Variable<TFloat32>> weights = AutoencoderGraph.interleave(kernels, biases);
            Gradients gradients = tf.gradients(trainLoss, weights);
            List<Identity<TFloat32>> gradientValues = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                gradientValues.add(tf.identity(gradients.<TFloat32>dy(i)));
            }

            Operand<TFloat32> beta1 = tf.constant((float) cfg.beta1());
            Operand<TFloat32> beta2 = tf.constant((float) cfg.beta2());
            Variable<TFloat32> beta1Power = tf.variable(beta1);
            Variable<TFloat32> beta2Power = tf.variable(beta2);
            Operand<TFloat32> learningRate = tf.constant((float) cfg.learningRate());
            Operand<TFloat32> epsilon = tf.constant((float) cfg.epsilon());

            Ops afterGradients = tf.withControlDependencies(new ArrayList<Op>(gradientValues));
            List<Op> updates = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                Variable<TFloat32> weight = weights.get(i);
                Operand<TFloat32> zeros = tf.zeros(tf.constant(weight.shape()), TFloat32.class);
                Variable<TFloat32> m = tf.variable(zeros);
                Variable<TFloat32> v = tf.variable(zeros);
                updates.add(afterGradients.train.applyAdam(
                        weight,
                        m,
                        v,
                        beta1Power,
                        beta2Power,
                        learningRate,
                        beta1,
                        beta2,
                        epsilon,
                        gradientValues.get(i)));
            }
            Ops afterUpdates = tf.withControlDependencies(updates);
            Op nextBeta1Power = afterUpdates.assign(beta1Power, afterUpdates.math.mul(beta1Power, beta1));
            Op nextBeta2Power = afterUpdates.assign(beta2Power, afterUpdates.math.mul(beta2Power, beta2));
            return tf.withControlDependencies(List.of(nextBeta1Power, nextBeta2Power))
                    .noOp();
        }

        /** Keras' glorot_uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)). */
        private static float[] glorotUniform(int fanIn, int fanOut, SplittableRandom random) {
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            float[] values = new float[fanIn * fanOut];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
            return values;
        }
    }
}
