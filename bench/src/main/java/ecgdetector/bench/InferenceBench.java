package ecgdetector.bench;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The DJL predictor alone, the way the streamer calls it: raw beats in ({@code float[n][140]}), scores out,
 * scaling and error scoring included ({@code AutoencoderTranslator}), one predictor on one thread. Each batch
 * size is warmed up, then called for a fixed time.
 */
final class InferenceBench {

    /** Windows per second at one batch size. */
    record Result(int batchSize, long calls, double seconds, double windowsPerSec, double msPerCall) {}

    private final ReleaseBundle release;
    private final float[][] beats;
    private final PrintStream console;

    InferenceBench(ReleaseBundle release, float[][] beats, PrintStream console) {
        this.release = release;
        this.beats = beats;
        this.console = console;
    }

    List<Result> run(List<Integer> batchSizes, Duration each) throws InvalidReleaseException {
        List<Result> results = new ArrayList<>();
        // Through score(), as the streamer calls it: a batch of more than one tensor's rows is scored in parts.
        try (ReleaseModel model = ReleaseModel.load(release)) {
            for (int size : batchSizes) {
                float[][][] batches = batches(size);
                // Warm-up: the first calls of a shape build TF's kernels and let the JIT compile the translator.
                timed(model, batches, Math.max(100_000_000L, each.toNanos() / 5));
                long[] calls = new long[1];
                double seconds = timed(model, batches, each.toNanos(), calls);
                Result r = new Result(
                        size, calls[0], seconds, calls[0] * (double) size / seconds, seconds * 1000 / calls[0]);
                console.printf(
                        Locale.ROOT,
                        "  batch %5d: %,10.0f windows/s  (%.3f ms per call, %d calls)%n",
                        size,
                        r.windowsPerSec(),
                        r.msPerCall(),
                        r.calls());
                results.add(r);
            }
        }
        return results;
    }

    /** Up to 8 distinct batches of real beats, taken in turn, so the calls do not all see the same input. */
    private float[][][] batches(int size) {
        int count = Math.max(1, Math.min(8, beats.length / size));
        float[][][] out = new float[count][size][];
        int next = 0;
        for (int b = 0; b < count; b++) {
            for (int i = 0; i < size; i++) {
                out[b][i] = beats[next++ % beats.length];
            }
        }
        return out;
    }

    private static double timed(ReleaseModel model, float[][][] batches, long nanos) {
        return timed(model, batches, nanos, new long[1]);
    }

    private static double timed(ReleaseModel model, float[][][] batches, long nanos, long[] calls) {
        long start = System.nanoTime();
        long end = start + nanos;
        long n = 0;
        long now;
        do {
            BeatScore[] scores = model.score(batches[(int) (n % batches.length)]);
            if (scores.length != batches[0].length) {
                throw new IllegalStateException(
                        "a batch of " + batches[0].length + " gave " + scores.length + " scores");
            }
            n++;
            now = System.nanoTime();
        } while (now < end || n < 3);
        calls[0] = n;
        return (now - start) / 1e9;
    }
}
