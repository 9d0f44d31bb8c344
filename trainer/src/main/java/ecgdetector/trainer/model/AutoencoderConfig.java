package ecgdetector.trainer.model;

import ecgdetector.trainer.settings.Range;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Architecture and training recipe of the heartbeat autoencoder.
 *
 * <p>The network is {@code inputLength -> encoderUnits... -> decoderUnits... -> inputLength}: ReLU
 * on every hidden layer, each followed by dropout while training, and a sigmoid output layer of
 * {@code inputLength} units that is implied rather than listed. Defaults reproduce the Keras recipe
 * this project started from (glorot_uniform kernels, zero biases, Keras' Adam defaults).
 *
 * @param inputLength samples per beat, also the width of the output layer
 * @param encoderUnits hidden layer widths down to the bottleneck (the last entry)
 * @param decoderUnits hidden layer widths from the bottleneck back up; may be empty
 * @param dropout fraction of hidden activations dropped while training, in [0, 1)
 * @param learningRate Adam step size
 * @param beta1 Adam decay of the first moment
 * @param beta2 Adam decay of the second moment
 * @param epsilon Adam's denominator guard (Keras' default 1e-7, not the paper's 1e-8)
 * @param epochs passes over the training set
 * @param batchSize beats per gradient step; the last batch of an epoch may be smaller
 * @param seed drives weight initialisation, shuffling and dropout
 * @param loss the objective minimised
 * @param noise standard deviation of Gaussian noise added to every scaled input sample while training, the
 *     target staying the clean beat (a denoising autoencoder); 0 for none
 * @param members autoencoders trained with consecutive seeds from {@code seed}, whose reconstructions the
 *     served graph averages; 1 for a single one
 */
public record AutoencoderConfig(
        int inputLength,
        List<Integer> encoderUnits,
        List<Integer> decoderUnits,
        double dropout,
        double learningRate,
        double beta1,
        double beta2,
        double epsilon,
        int epochs,
        int batchSize,
        long seed,
        Loss loss,
        double noise,
        int members) {

    /** Reconstruction losses with Keras' definitions (mean over a beat, then over the batch). */
    public enum Loss {
        /**
         * Mean squared logarithmic error. Both prediction and target are clipped below at 1e-7
         * before {@code log1p}, as Keras does, so out-of-range beats give a large but finite loss.
         */
        MSLE,
        /** Mean squared error. */
        MSE,
        /** Mean absolute error. */
        MAE;

        /** The name used in release provenance and on the command line. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Widths of the layers, epochs and batch size. */
    public static final Range COUNT = Range.POSITIVE;
    /** Dropout and Adam's moment decays. */
    public static final Range RATE = Range.UNIT_BELOW_ONE;
    /** Learning rate and Adam's epsilon. */
    public static final Range STEP = Range.POSITIVE;
    /** The noise's standard deviation: none, or some. */
    public static final Range SPREAD = new Range(0, true, Double.POSITIVE_INFINITY, false);

    public AutoencoderConfig {
        COUNT.require("inputLength", inputLength);
        encoderUnits = copyOfUnits("encoderUnits", encoderUnits);
        decoderUnits = copyOfUnits("decoderUnits", decoderUnits);
        require(!encoderUnits.isEmpty(), "encoderUnits must name at least the bottleneck layer");
        RATE.require("dropout", dropout);
        STEP.require("learningRate", learningRate);
        RATE.require("beta1", beta1);
        RATE.require("beta2", beta2);
        STEP.require("epsilon", epsilon);
        COUNT.require("epochs", epochs);
        COUNT.require("batchSize", batchSize);
        require(loss != null, "loss must not be null");
        SPREAD.require("noise", noise);
        COUNT.require("members", members);
    }

    /** The recipe of the original notebook: 140-64-32-16-8-16-32-64-140, MSLE, 20 epochs of 512. */
    public static AutoencoderConfig defaults() {
        return new AutoencoderConfig(
                140,
                List.of(64, 32, 16, 8),
                List.of(16, 32, 64),
                0.1,
                0.001,
                0.9,
                0.999,
                1e-7,
                20,
                512,
                42L,
                Loss.MSLE,
                0,
                1);
    }

    public AutoencoderConfig withEpochs(int newEpochs) {
        return with(c -> c.epochs = newEpochs);
    }

    public AutoencoderConfig withBatchSize(int newBatchSize) {
        return with(c -> c.batchSize = newBatchSize);
    }

    public AutoencoderConfig withLearningRate(double newLearningRate) {
        return with(c -> c.learningRate = newLearningRate);
    }

    public AutoencoderConfig withDropout(double newDropout) {
        return with(c -> c.dropout = newDropout);
    }

    public AutoencoderConfig withSeed(long newSeed) {
        return with(c -> c.seed = newSeed);
    }

    public AutoencoderConfig withLoss(Loss newLoss) {
        return with(c -> c.loss = newLoss);
    }

    public AutoencoderConfig withNoise(double newNoise) {
        return with(c -> c.noise = newNoise);
    }

    public AutoencoderConfig withMembers(int newMembers) {
        return with(c -> c.members = newMembers);
    }

    /** The configuration of ensemble member {@code index}: one autoencoder, seeded {@code seed + index}. */
    public AutoencoderConfig member(int index) {
        if (index < 0 || index >= members) {
            throw new IndexOutOfBoundsException("member " + index + " of " + members);
        }
        return withSeed(seed + index).withMembers(1);
    }

    public AutoencoderConfig withLayers(
            int newInputLength, List<Integer> newEncoderUnits, List<Integer> newDecoderUnits) {
        return with(c -> {
            c.inputLength = newInputLength;
            c.encoderUnits = newEncoderUnits;
            c.decoderUnits = newDecoderUnits;
        });
    }

    /** A copy with some components changed, validated as any new configuration is. */
    private AutoencoderConfig with(java.util.function.Consumer<Components> change) {
        Components c = new Components(this);
        change.accept(c);
        return c.build();
    }

    /** The components of a configuration being changed, so each wither names only what it changes. */
    private static final class Components {
        int inputLength;
        List<Integer> encoderUnits;
        List<Integer> decoderUnits;
        double dropout;
        double learningRate;
        double beta1;
        double beta2;
        double epsilon;
        int epochs;
        int batchSize;
        long seed;
        Loss loss;
        double noise;
        int members;

        Components(AutoencoderConfig from) {
            inputLength = from.inputLength;
            encoderUnits = from.encoderUnits;
            decoderUnits = from.decoderUnits;
            dropout = from.dropout;
            learningRate = from.learningRate;
            beta1 = from.beta1;
            beta2 = from.beta2;
            epsilon = from.epsilon;
            epochs = from.epochs;
            batchSize = from.batchSize;
            seed = from.seed;
            loss = from.loss;
            noise = from.noise;
            members = from.members;
        }

        AutoencoderConfig build() {
            return new AutoencoderConfig(
                    inputLength,
                    encoderUnits,
                    decoderUnits,
                    dropout,
                    learningRate,
                    beta1,
                    beta2,
                    epsilon,
                    epochs,
                    batchSize,
                    seed,
                    loss,
                    noise,
                    members);
        }
    }

    /** Widths of every dense layer in order, output layer included. */
    public List<Integer> layerUnits() {
        var units = new java.util.ArrayList<Integer>(encoderUnits);
        units.addAll(decoderUnits);
        units.add(inputLength);
        return List.copyOf(units);
    }

    private static List<Integer> copyOfUnits(String name, List<Integer> units) {
        require(units != null, name + " must not be null");
        require(units.stream().allMatch(Objects::nonNull), name + " must not contain null");
        require(units.stream().allMatch(u -> COUNT.contains(u)), name + " must all be " + COUNT + ", got " + units);
        return List.copyOf(units);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
