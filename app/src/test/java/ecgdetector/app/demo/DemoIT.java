package ecgdetector.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.schemas.Json;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The demo, end to end: its live summary must equal the trainer's offline evaluation. */
@ExtendWith(KafkaBrokerExtension.class)
class DemoIT {

    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    private Path syntheticCsv() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(21);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < data.beats().size(); i++) {
            lines.add(TestReleases.csvLine(data.beats().beats()[i], data.beats().normal()[i]));
        }
        return Files.write(tmp.resolve("ecg.csv"), lines);
    }

    private static Demo.Settings settings(Path data, Path out, Optional<String> bootstrap) {
        return new Demo.Settings(
                Optional.of(data.toString()),
                out,
                Recipe.NOTEBOOK,
                0,
                7,
                bootstrap,
                new Properties(),
                false,
                Duration.ofSeconds(60),
                // The ward view runs beside the demo, as it does for people, on any free port.
                OptionalInt.of(0),
                false);
    }

    @Test
    void onItsOwnEmbeddedBrokerTheLiveSummaryEqualsTheOfflineEvaluation() throws Exception {
        Path out = tmp.resolve("demo");

        DemoSummary summary = new Demo(settings(syntheticCsv(), out, Optional.empty()), QUIET).run();

        TrainingReport offline =
                Json.mapper().readValue(out.resolve("train/report.json").toFile(), TrainingReport.class);
        assertThat(summary.windowsSent()).isEqualTo(offline.data().test());
        assertThat(summary.windowsScored()).isEqualTo(summary.windowsSent());
        assertThat(summary.parityMismatches()).isZero();
        assertThat(summary.deadLettered()).isZero();
        assertThat(summary.accuracy()).isEqualTo(offline.test().accuracy());
        assertThat(summary.precision()).isEqualTo(offline.test().precision());
        assertThat(summary.recall()).isEqualTo(offline.test().recall());
        assertThat(summary.alerts())
                .isEqualTo(offline.confusion().tp() + offline.confusion().fp());
        assertThat(summary.reusedRelease()).isFalse();

        JsonNode json = Json.mapper().readTree(out.resolve("summary.json").toFile());
        for (String field : new String[] {
            "windowsSent",
            "windowsScored",
            "alerts",
            "deadLettered",
            "accuracy",
            "precision",
            "recall",
            "parityMismatches",
            "throughputWindowsPerSec",
            "latencyP50Ms",
            "latencyP99Ms",
            "coldLatencyP50Ms",
            "coldLatencyP99Ms",
            "coldSeconds"
        }) {
            assertThat(json.has(field)).as("summary.json has %s", field).isTrue();
        }
    }

    @Test
    void againstAnExistingClusterItReusesTheReleaseTrainedFromTheSameData(EmbeddedKafkaBroker broker) throws Exception {
        Path data = syntheticCsv();
        Path out = tmp.resolve("demo2");
        Optional<String> cluster = Optional.of(broker.bootstrapServers());
        new Demo(settings(data, out, cluster), QUIET).run();

        DemoSummary second = new Demo(settings(data, out, cluster), QUIET).run();

        assertThat(second.reusedRelease()).isTrue();
        assertThat(second.bootstrapServers()).isEqualTo(broker.bootstrapServers());
        assertThat(second.windowsScored()).isEqualTo(second.windowsSent());
        assertThat(second.parityMismatches()).isZero();
    }
}
