package ecgdetector.model.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import java.util.stream.IntStream;

/**
 * The pre- and post-processing around one engine call on a batch of raw beats: scale them with the
 * release's scaler into one {@code [n, length]} tensor, and turn the reconstructions into per-beat errors.
 * The trainer's evaluation and the streamer both score through this class.
 */
public final class AutoencoderTranslator implements NoBatchifyTranslator<float[][], BeatScore[]> {

    /** How many of the worst-reconstructed sample positions a score names. */
    public static final int WORST_POSITIONS = 5;

    private static final String SCALED = "scaled";
    private static final String BEATS = "beats";
    /** Up to this many rows a batch is padded to a power of two; above it, to a multiple of it. */
    private static final int LARGEST_POWER_OF_TWO_ROWS = 1024;

    private final MinMaxScaler scaler;
    private final ErrorMetric metric;
    private final String inputName;

    public AutoencoderTranslator(MinMaxScaler scaler, ErrorMetric metric, String inputName) {
        this.scaler = scaler;
        this.metric = metric;
        this.inputName = inputName;
    }

    /**
     * Rows of the tensor that carries {@code beats} beats: rounded up to a power of two, or above
     * {@value #LARGEST_POWER_OF_TWO_ROWS} to a multiple of it; the extra rows are zeros and their output is
     * ignored. TensorFlow's oneDNN kernels compile and cache a primitive per input shape and keep them: a
     * streamer whose batches took every size from 1 to 256 grew its native memory by ~160 MB that way, where
     * these shapes are at most 11 up to 1,024 beats. A beat's reconstruction does not depend on the other rows
     * of its tensor, so the padding changes no score (ReleaseModelBatchSizeTest).
     */
    static int paddedRows(int beats) {
        if (beats <= 1) {
            return 1;
        }
        if (beats > LARGEST_POWER_OF_TWO_ROWS) {
            return (beats + LARGEST_POWER_OF_TWO_ROWS - 1) / LARGEST_POWER_OF_TWO_ROWS * LARGEST_POWER_OF_TWO_ROWS;
        }
        return Integer.highestOneBit(beats - 1) << 1;
    }

    /**
     * Every tensor row count a batch of 1 to {@code largestBatch} beats is padded to ({@link #paddedRows}), smallest
     * first: the shapes a model must have run once before it serves, so no batch pays a first-call cost.
     */
    public static int[] paddedShapes(int largestBatch) {
        if (largestBatch < 1) {
            throw new IllegalArgumentException("a batch holds at least one beat, got " + largestBatch);
        }
        return IntStream.rangeClosed(1, largestBatch)
                .map(AutoencoderTranslator::paddedRows)
                .distinct()
                .toArray();
    }

    @Override
    public NDList processInput(TranslatorContext ctx, float[][] beats) {
        int length = scaler.length();
        int rows = paddedRows(beats.length);
        float[] scaled = new float[rows * length];
        for (int i = 0; i < beats.length; i++) {
            scaler.transform(beats[i], scaled, i * length);
        }
        ctx.setAttachment(SCALED, scaled);
        ctx.setAttachment(BEATS, beats.length);
        NDArray input = ctx.getNDManager().create(scaled, new Shape(rows, length));
        input.setName(inputName);
        return new NDList(input);
    }

    @Override
    public BeatScore[] processOutput(TranslatorContext ctx, NDList output) {
        float[] scaled = (float[]) ctx.getAttachment(SCALED);
        float[] reconstruction = output.singletonOrThrow().toFloatArray();
        int length = scaler.length();
        if (reconstruction.length != scaled.length) {
            throw new IllegalStateException("model returned " + reconstruction.length + " values for "
                    + scaled.length / length + " rows of " + length + " samples");
        }
        int n = (Integer) ctx.getAttachment(BEATS);
        BeatScore[] scores = new BeatScore[n];
        double[] positionErrors = new double[length];
        for (int b = 0; b < n; b++) {
            int offset = b * length;
            float error = metric.score(scaler, scaled, reconstruction, offset, positionErrors);
            float[] beatReconstruction = new float[length];
            System.arraycopy(reconstruction, offset, beatReconstruction, 0, length);
            scores[b] = new BeatScore(error, worstPositions(positionErrors, WORST_POSITIONS), beatReconstruction);
        }
        return scores;
    }

    /** Indices of the k largest values, largest first; ties go to the earlier position. */
    static int[] worstPositions(double[] errors, int k) {
        int count = Math.min(k, errors.length);
        int[] worst = new int[count];
        boolean[] taken = new boolean[errors.length];
        for (int j = 0; j < count; j++) {
            int best = -1;
            for (int i = 0; i < errors.length; i++) {
                if (!taken[i] && (best < 0 || errors[i] > errors[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            worst[j] = best;
        }
        return worst;
    }
}
