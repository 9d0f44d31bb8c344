package ecgdetector.model.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import java.util.List;

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
    /**
     * Rows of the largest tensor the model runs on: a batch is padded with zero rows, whose output is ignored, to
     * {@link #SMALL_TENSOR_ROWS} rows if it fits, else to this many, and a larger one is scored in parts
     * ({@link ReleaseModel#score}). Two shapes, because a beat's reconstruction must not depend on the tensor it
     * is in, and on CPUs without AVX-512 it did: TensorFlow's matrix products gave the last rows of some tensor
     * sizes other last bits (ReleaseModelBatchSizeTest: batches of 1, 2, 8, 16, 32 and 128 beats, each padded to
     * a power of two, differed from batches of 1,024 on an AVX2-only AMD EPYC), so live scores stopped matching
     * the trainer's offline ones whenever a batch's size did. Tensors of 64 and of 256 rows agreed with each
     * other there at every position. Few shapes also mean few cached oneDNN kernels (every size from 1 to 256
     * once grew a streamer's native memory by ~160 MB).
     */
    public static final int TENSOR_ROWS = 256;

    /** Rows of the tensor of a small batch: a quarter of the large one's work, for the light load's batches. */
    public static final int SMALL_TENSOR_ROWS = 64;

    /** Rows of the tensor a batch of {@code beats} beats (at most {@link #TENSOR_ROWS}) runs as. */
    public static int tensorRows(int beats) {
        if (beats < 0 || beats > TENSOR_ROWS) {
            throw new IllegalArgumentException(
                    "a tensor holds 0 to " + TENSOR_ROWS + " beats, got " + beats + " (score in parts)");
        }
        return beats <= SMALL_TENSOR_ROWS ? SMALL_TENSOR_ROWS : TENSOR_ROWS;
    }

    /**
     * The tensor shapes batches of 1 to {@code largestBatch} beats run as (a larger batch in parts), smallest
     * first: what a model runs once before it serves, so no batch pays a first-call cost.
     */
    public static List<Integer> tensorShapes(int largestBatch) {
        if (largestBatch < 1) {
            throw new IllegalArgumentException("a batch holds at least one beat, got " + largestBatch);
        }
        int largest = tensorRows(Math.min(largestBatch, TENSOR_ROWS));
        return largest == SMALL_TENSOR_ROWS ? List.of(SMALL_TENSOR_ROWS) : List.of(SMALL_TENSOR_ROWS, TENSOR_ROWS);
    }

    private final MinMaxScaler scaler;
    private final ErrorMetric metric;
    private final String inputName;

    public AutoencoderTranslator(MinMaxScaler scaler, ErrorMetric metric, String inputName) {
        this.scaler = scaler;
        this.metric = metric;
        this.inputName = inputName;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, float[][] beats) {
        int length = scaler.length();
        int rows = tensorRows(beats.length);
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
