package ecgdetector.streamer.testing;

import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real releases trained by the trainer ({@link TestReleases}) with the beats the integration tests send: the
 * trainer's held-out test beats, as CSV lines, and the scores the trainer's offline evaluation gave them.
 */
public final class RealRelease {

    /**
     * @param release the release, as the trainer sealed it
     * @param lines   the test beats as CSV lines (140 samples and the label), as a producer would send them
     * @param offline the trainer's offline score of each line's beat
     */
    public record Fixture(ReleaseBundle release, List<String> lines, float[] offline) {
        public boolean anomalous(int i) {
            return offline[i] > release.manifest().threshold();
        }

        public int size() {
            return lines.size();
        }
    }

    private RealRelease() {}

    /** ECG5000's ecg.csv: system property {@code ecg.data}, else {@code ECG_DATA}, else ../shared beside the repo. */
    public static Path ecgCsv() {
        return TestReleases.fullData().orElse(Path.of("../../shared/data/ecg.csv"));
    }

    /**
     * The default recipe trained on ECG5000 and its 1000 test beats as the <em>raw lines of ecg.csv</em> they
     * came from, where the data is available; elsewhere {@link #synthetic()}.
     */
    public static Fixture ecg5000OrSynthetic() throws Exception {
        Optional<Path> data = TestReleases.fullData();
        if (data.isEmpty()) {
            return synthetic();
        }
        TrainingResult result = TestReleases.fullDefault();
        List<String> raw = Files.readAllLines(data.get(), StandardCharsets.US_ASCII);
        float[][] parsed = EcgCsv.parse(Files.readAllBytes(data.get()), EcgCsv.SAMPLES, "ecg.csv")
                .beats();
        Map<Integer, List<Integer>> linesByContent = new HashMap<>();
        for (int i = 0; i < parsed.length; i++) {
            linesByContent
                    .computeIfAbsent(Arrays.hashCode(parsed[i]), k -> new ArrayList<>())
                    .add(i);
        }
        List<String> lines = new ArrayList<>();
        for (float[] beat : result.test().beats()) {
            int line = linesByContent.getOrDefault(Arrays.hashCode(beat), List.of()).stream()
                    .filter(i -> Arrays.equals(parsed[i], beat))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("a test beat is not a line of ecg.csv"));
            lines.add(raw.get(line));
        }
        return new Fixture(result.release(), List.copyOf(lines), result.testScores());
    }

    /** The notebook recipe trained on generated beats (runs everywhere) and its 120 test beats. */
    public static Fixture synthetic() {
        TrainingResult result = TestReleases.synthetic();
        Heartbeats test = result.test();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            lines.add(TestReleases.csvLine(test.beats()[i], test.normal()[i]));
        }
        return new Fixture(result.release(), List.copyOf(lines), result.testScores());
    }
}
