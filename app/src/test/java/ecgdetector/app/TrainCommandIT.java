package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Json;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./ecg train} as a person runs it, publishing to a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class TrainCommandIT {

    @TempDir
    Path tmp;

    private Path syntheticCsv() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(11);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < data.beats().size(); i++) {
            lines.add(TestReleases.csvLine(data.beats().beats()[i], data.beats().normal()[i]));
        }
        return Files.write(tmp.resolve("ecg.csv"), lines);
    }

    @Test
    void trainsAndPublishesTheReleaseItWroteToTheModelsTopic(EmbeddedKafkaBroker broker) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("models");
        Path out = tmp.resolve("out");

        int exit = Main.commandLine()
                .execute(
                        "train",
                        "--data",
                        syntheticCsv().toString(),
                        "--out",
                        out.toString(),
                        "--recipe",
                        "notebook",
                        "--epochs",
                        "5",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--signing-key-file",
                        TestKeys.trainer().privateKey().toString(),
                        "--models-topic",
                        topic);

        assertThat(exit).isZero();
        ReleaseBundle written = ReleaseBundle.readFrom(out.resolve("release"));
        ReleaseRecord published = new ReleaseTopic(broker.clientProperties(), topic)
                .readLatest("ecg-autoencoder")
                .orElseThrow();
        assertThat(published.value()).isEqualTo(written.toBytes());
        assertThat(TestKeys.trainer().verifier().verify(published).version()).isEqualTo(written.version());
        JsonNode report = Json.mapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.get("epochs").asInt()).isEqualTo(5);
        assertThat(report.path("published").path("topic").asText()).isEqualTo(topic);
        assertThat(report.get("modelVersion").asText()).isEqualTo(written.version());
    }

    @Test
    void aMalformedFileFailsWithTheLineAndWritesNothing() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.csv"), "1,2,3\n");
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute(
                "train", "--data", bad.toString(), "--out", tmp.resolve("o").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("line 1: 3 columns, expected 141");
        assertThat(tmp.resolve("o/release")).doesNotExist();
    }

    @Test
    void everyCommandHasHelp() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("train", "--help")).isZero();
        assertThat(out.toString()).contains("--data", "--bootstrap-servers", "--recipe");
    }
}
