package ecgdetector.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small but real training run, end to end, on generated beats. */
class TrainingJobTest {

    @TempDir
    Path out;

    private static TrainingJob quietJob() {
        return new TrainingJob(new PrintStream(PrintStream.nullOutputStream()), EpochListener.SILENT);
    }

    private static TrainingOptions notebook(Path out) {
        return TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), out);
    }

    @Test
    void writesTheReportThePlotsAndAVerifiedRelease() throws Exception {
        TrainingResult result = quietJob().run(notebook(out), TestReleases.syntheticDataset(42));

        JsonNode report = Json.mapper().readTree(out.resolve("report.json").toFile());
        // report.json's shape is read by people, tests and the demo: flat, in this order.
        assertThat(report.fieldNames())
                .toIterable()
                .containsExactly(
                        "modelName",
                        "modelVersion",
                        "recipe",
                        "accuracy",
                        "precision",
                        "recall",
                        "f1",
                        "rocAuc",
                        "prAuc",
                        "threshold",
                        "thresholdPolicy",
                        "errorMetric",
                        "confusion",
                        "epochs",
                        "trainLoss",
                        "valLoss",
                        "trainMse",
                        "valMse",
                        "trainSeconds",
                        "stageSeconds",
                        "data",
                        "settings",
                        "validation",
                        "files");
        byte[] written = Files.readAllBytes(out.resolve("report.json"));
        TrainingReport readBack = Json.mapper().readValue(written, TrainingReport.class);
        assertThat(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(readBack))
                .as("read back and written again, the same bytes")
                .isEqualTo(written);
        assertThat(report.get("epochs").asInt()).isEqualTo(20);
        assertThat(report.get("trainLoss")).hasSize(20);
        assertThat(report.get("valLoss")).hasSize(20);
        JsonNode confusion = report.get("confusion");
        assertThat(confusion.get("tp").asInt()
                        + confusion.get("fp").asInt()
                        + confusion.get("tn").asInt()
                        + confusion.get("fn").asInt())
                .isEqualTo(result.test().size());
        assertThat(report.get("modelVersion").asText())
                .isEqualTo(result.release().version());
        // Generated anomalies are blatant: a model that learned anything separates them.
        assertThat(result.report().test().rocAuc()).isGreaterThan(0.95);

        for (String png : new String[] {
            "loss.png", "error-histogram.png", "roc.png", "reconstruction-normal.png", "reconstruction-anomaly.png"
        }) {
            assertThat(ImageIO.read(out.resolve(png).toFile())).as(png).isNotNull();
        }
        ReleaseBundle onDisk = ReleaseBundle.readFrom(out.resolve("release"));
        assertThat(onDisk.toBytes()).isEqualTo(result.release().toBytes());
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.MODEL_RELEASE, onDisk.toBytes()))
                .isEmpty();
        assertThat(onDisk.manifest().threshold())
                .isEqualTo(result.report().rule().threshold());
        assertThat(onDisk.manifest().provenance().metrics().get("accuracy"))
                .isEqualTo(result.report().test().accuracy());
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("only the outputs are left, no staging folders")
                    .containsExactlyInAnyOrder(
                            "report.json",
                            "release",
                            "loss.png",
                            "error-histogram.png",
                            "roc.png",
                            "reconstruction-normal.png",
                            "reconstruction-anomaly.png");
        }
    }

    @Test
    void theReleaseReloadedScoresEveryTestBeatExactlyAsTheEvaluationDid() throws Exception {
        TrainingResult result = TestReleases.synthetic();

        try (ReleaseModel model =
                ReleaseModel.load(ReleaseBundle.parse(result.release().toBytes()))) {
            // Batch size does not matter either: one beat at a time here, 1024 in the job.
            for (int i = 0; i < result.test().size(); i += 7) {
                BeatScore[] one = model.scoreAll(new float[][] {result.test().beats()[i]}, 1);
                assertThat(one[0].error()).isEqualTo(result.testScores()[i]);
            }
        }
    }

    @Test
    void sameSeedSameDataGivesTheSameModel() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(3);
        TrainingResult first = quietJob().run(notebook(out.resolve("a")), data);
        TrainingResult second = quietJob().run(notebook(out.resolve("b")), data);

        assertThat(second.release().modelFiles().keySet())
                .isEqualTo(first.release().modelFiles().keySet());
        // The weights are byte-identical; saved_model.pb is not, as TF's protobuf writer orders map
        // fields as it likes. The version's fingerprint is therefore taken over the weights only.
        first.release().modelFiles().forEach((path, bytes) -> {
            if (path.startsWith("variables/")) {
                assertThat(second.release().modelFiles().get(path)).as(path).isEqualTo(bytes);
            }
        });
        assertThat(second.release().version().substring(17))
                .isEqualTo(first.release().version().substring(17));
        assertThat(second.report().rule().threshold())
                .isEqualTo(first.report().rule().threshold());
        assertThat(second.report().curves().trainLoss())
                .isEqualTo(first.report().curves().trainLoss());
    }

    @Test
    void aFailedRunLeavesThePreviousOutputUntouched() throws Exception {
        quietJob().run(notebook(out), TestReleases.syntheticDataset(42));
        byte[] before = Files.readAllBytes(out.resolve("release/manifest.json"));
        Heartbeats onlyNormal = TestReleases.syntheticDataset(1).beats().onlyNormal();

        assertThatThrownBy(() ->
                        quietJob().run(notebook(out), new EcgDataset(onlyNormal, "0".repeat(64), "only-normal")))
                .hasMessageContaining("normal and abnormal beats");
        assertThat(Files.readAllBytes(out.resolve("release/manifest.json"))).isEqualTo(before);
    }

    @Test
    void theThresholdIsMeanPlusOneStdOfTheNormalTrainingErrors() throws Exception {
        TrainingResult result = TestReleases.synthetic();
        // Redo the split by hand and score the beats the model was fitted on with the release.
        Heartbeats all = TestReleases.syntheticDataset(42).beats();
        Heartbeats trainPart = StratifiedSplit.split(all, 0.2, 42).kept();
        Heartbeats fitted = StratifiedSplit.split(trainPart, 0.1, 43).kept().onlyNormal();
        double sum = 0;
        double sumSquares = 0;
        try (ReleaseModel model = ReleaseModel.load(result.release())) {
            for (BeatScore score : model.scoreAll(fitted.beats(), 100)) {
                sum += score.error();
                sumSquares += (double) score.error() * score.error();
            }
        }
        double mean = sum / fitted.size();
        double std = Math.sqrt(sumSquares / fitted.size() - mean * mean);

        assertThat(result.report().rule().thresholdPolicy()).isEqualTo("mean+1std");
        assertThat(result.release().manifest().threshold()).isCloseTo(mean + std, within(1e-7));
    }

    @Test
    void aRunFromTheSameDataAndSettingsIsReusedAndAnyDifferenceRetrains() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(42);
        TrainingResult trained = quietJob().run(notebook(out), data);

        TrainingResult reused = quietJob().reuse(notebook(out), data).orElseThrow();

        assertThat(reused.release().toBytes()).isEqualTo(trained.release().toBytes());
        assertThat(reused.testScores()).containsExactly(trained.testScores());
        assertThat(reused.test()).isEqualTo(trained.test());
        assertThat(reused.report().test().accuracy())
                .isEqualTo(trained.report().test().accuracy());
        assertThat(quietJob().reuse(notebook(out).withSeed(7), data)).isEmpty();
        assertThat(quietJob().reuse(notebook(out), TestReleases.syntheticDataset(1)))
                .as("other data")
                .isEmpty();
        assertThat(quietJob().reuse(notebook(out.resolve("elsewhere")), data)).isEmpty();
    }
}
