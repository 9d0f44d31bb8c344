package ecgdetector.trainer.testing;

import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.data.DataFormatException;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.model.EpochListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Real trained releases for tests, trained once per JVM and shared: on generated beat-like data
 * (runs everywhere, about a second) or on the full ECG5000 file (where the data is available).
 */
public final class TestReleases {

    /** System property, then environment variable, naming ecg.csv. */
    public static final String DATA_PROPERTY = "ecg.data";

    private static final Map<String, TrainingResult> TRAINED = new ConcurrentHashMap<>();

    private TestReleases() {}

    /** The full data set, or empty where it is absent. */
    public static Optional<Path> fullData() {
        String location = System.getProperty(DATA_PROPERTY);
        if (location == null || location.isBlank()) {
            location = System.getenv("ECG_DATA");
        }
        return Optional.ofNullable(location)
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .filter(Files::isRegularFile);
    }

    /** Skips the calling test, saying why, where the full data set is absent. */
    public static Path requireFullData() {
        Optional<Path> data = fullData();
        Assumptions.assumeTrue(
                data.isPresent(),
                "ECG5000 not found: set -Decg.data=PATH or ECG_DATA "
                        + "to ecg.csv (CI: ../shared/data/ecg.csv) to run this test");
        return data.get();
    }

    /**
     * A release trained with the notebook recipe (20 epochs) on {@link #syntheticDataset}: real
     * TensorFlow training, a real SavedModel, a real threshold.
     */
    public static TrainingResult synthetic() {
        return TRAINED.computeIfAbsent(
                "synthetic",
                k -> train(
                        syntheticDataset(42),
                        TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), tempDir("synthetic"))));
    }

    /** A second, different release of the same model name (for model swaps). */
    public static TrainingResult syntheticOtherVersion() {
        return TRAINED.computeIfAbsent(
                "synthetic-2",
                k -> train(
                        syntheticDataset(42),
                        TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), tempDir("synthetic-2"))
                                .withSeed(7)));
    }

    /** The default recipe on the full data set; skips the test where the data is absent. */
    public static TrainingResult fullDefault() {
        Path data = requireFullData();
        return TRAINED.computeIfAbsent("full-default", k -> {
            try {
                return train(
                        EcgCsv.read(data),
                        TrainingOptions.of(Recipe.DEFAULT, Optional.empty(), tempDir("full-default")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (DataFormatException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static TrainingResult train(EcgDataset dataset, TrainingOptions options) {
        try {
            return new TrainingJob(new PrintStream(PrintStream.nullOutputStream()), EpochListener.SILENT)
                    .run(options, dataset);
        } catch (Exception e) {
            throw new IllegalStateException("training a test release failed", e);
        }
    }

    /**
     * 600 beats of 140 samples: normal ones a smooth two-tone wave with noise, abnormal ones the
     * same wave with a sharp spike or a flattened half, like a premature or missing complex.
     */
    public static EcgDataset syntheticDataset(long seed) {
        Random random = new Random(seed);
        int rows = 600;
        float[][] beats = new float[rows][140];
        boolean[] normal = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            normal[r] = r % 5 != 0;
            double phase = random.nextDouble() * 0.4;
            double amplitude = 1.5 + 0.3 * random.nextDouble();
            for (int c = 0; c < 140; c++) {
                double t = 2 * Math.PI * c / 140;
                beats[r][c] = (float)
                        (amplitude * Math.sin(t + phase) + 0.4 * Math.sin(3 * t) + 0.05 * random.nextGaussian());
            }
            if (!normal[r]) {
                int at = 20 + random.nextInt(100);
                if (random.nextBoolean()) {
                    for (int c = Math.max(0, at - 4); c < Math.min(140, at + 4); c++) {
                        beats[r][c] += 3.5f;
                    }
                } else {
                    for (int c = at; c < Math.min(140, at + 40); c++) {
                        beats[r][c] = -2.5f;
                    }
                }
            }
        }
        // Checksummed like a file would be, so different generated sets are told apart.
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            csv.append(csvLine(beats[r], normal[r])).append('\n');
        }
        String sha256 =
                ecgdetector.model.release.Sha256.hex(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new EcgDataset(new Heartbeats(beats, normal), sha256, "synthetic(seed=" + seed + ")");
    }

    /** CSV lines as in ecg.csv (samples then label 1/0), as a console producer would send them. */
    public static String csvLine(float[] beat, boolean isNormal) {
        StringBuilder line = new StringBuilder();
        for (float v : beat) {
            line.append(v).append(',');
        }
        return line.append(isNormal ? "1.0" : "0.0").toString();
    }

    private static Path tempDir(String name) {
        try {
            Path dir = Files.createTempDirectory("ecg-test-release-" + name + "-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
