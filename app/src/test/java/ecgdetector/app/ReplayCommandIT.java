package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.app.replay.FeedReplayer;
import ecgdetector.app.replay.PatientKeys;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./ecg replay} as a person runs it, against a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class ReplayCommandIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static List<String> syntheticLines() {
        EcgDataset data = TestReleases.syntheticDataset(3);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < data.beats().size(); i++) {
            lines.add(TestReleases.csvLine(data.beats().beats()[i], data.beats().normal()[i]));
        }
        return lines;
    }

    @Test
    void everyLineArrivesSpreadOverThePatientsInOrder(EmbeddedKafkaBroker broker) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("heartbeats");
        broker.createTopic(topic, 3, Map.of());
        List<String> lines = syntheticLines();
        List<String> file = new ArrayList<>(lines);
        file.add(100, "");
        Path csv = Files.write(tmp.resolve("ecg.csv"), file);

        // Fast enough for a test, and still through the rate limiter rather than around it.
        int exit = run(
                "replay",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--file",
                csv.toString(),
                "--topic",
                topic,
                "--patients",
                "3",
                "--rate",
                "5000");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains(
                        "Sent " + lines.size() + " records to " + topic,
                        lines.size() + " acknowledged, 0 failed, 1 blank/comment lines skipped; end of" + " file");
        List<ConsumerRecord<byte[], byte[]>> received =
                KafkaTestUtils.waitUntilMinRecordsReceived(broker.bootstrapServers(), topic, lines.size(), WAIT);
        assertThat(received).hasSize(lines.size());

        Map<String, List<String>> byPatient = new LinkedHashMap<>();
        Map<String, Integer> partitionOf = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : received) {
            String key = text(r.key());
            byPatient.computeIfAbsent(key, k -> new ArrayList<>()).add(text(r.value()));
            assertThat(partitionOf.computeIfAbsent(key, k -> r.partition())).isEqualTo(r.partition());
        }
        assertThat(byPatient).containsOnlyKeys("patient-0001", "patient-0002", "patient-0003");
        for (int p = 0; p < 3; p++) {
            List<String> expected = new ArrayList<>();
            for (int i = p; i < lines.size(); i += 3) {
                expected.add(lines.get(i));
            }
            // Records of one key share a partition, and a partition is read in offset order.
            assertThat(byPatient.get(PatientKeys.key(p))).containsExactlyElementsOf(expected);
        }
        ConsumerRecord<byte[], byte[]> afterBlank = received.stream()
                .filter(r -> text(r.value()).equals(lines.get(100)))
                .findFirst()
                .orElseThrow();
        assertThat(text(afterBlank
                        .headers()
                        .lastHeader(FeedReplayer.SOURCE_HEADER)
                        .value()))
                .isEqualTo("ecg.csv:102");
    }

    @Test
    void loopsOverJsonLinesUntilTheCount(EmbeddedKafkaBroker broker) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("heartbeats");
        broker.createTopic(topic, 2, Map.of());
        List<String> lines = List.of(
                "{\"samples\":[0.1,0.2],\"beatId\":1}",
                "{\"samples\":[0.3,0.4],\"beatId\":2}",
                "{\"samples\":\"not an array\"}");
        Path jsonl = Files.write(tmp.resolve("beats.jsonl"), lines);

        int exit = run(
                "replay",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--file",
                jsonl.toString(),
                "--topic",
                topic,
                "--patients",
                "2",
                "--rate",
                "0",
                "--loop",
                "--count",
                "10");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Sent 10 records", "0 CSV, 10 JSON", "4 passes", "--count reached");
        List<ConsumerRecord<byte[], byte[]>> received =
                KafkaTestUtils.waitUntilMinRecordsReceived(broker.bootstrapServers(), topic, 10, WAIT);
        assertThat(received).hasSize(10);
        assertThat(received).extracting(r -> text(r.value())).isSubsetOf(lines);
        assertThat(received.stream()
                        .filter(r -> text(r.key()).equals("patient-0002"))
                        .map(r -> text(r.value()))
                        .toList())
                .containsExactly(lines.get(1), lines.get(0), lines.get(2), lines.get(1), lines.get(0));
    }

    @Test
    void aTopicThatDoesNotExistFailsInOneLine(EmbeddedKafkaBroker broker) throws Exception {
        Path csv = Files.write(tmp.resolve("ecg.csv"), List.of("1,2,3"));

        int exit = run(
                "replay",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--file",
                csv.toString(),
                "--topic",
                "no-such-topic");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("ecg replay: Topic no-such-topic does not exist on "
                        + broker.bootstrapServers()
                        + " (./ecg broker creates the project's topics; "
                        + "kafka-topics.sh --create any other)");
    }

    @Test
    void aMissingFileFailsInOneLine() {
        int exit = run(
                "replay",
                "--bootstrap-servers",
                "127.0.0.1:9",
                "--file",
                tmp.resolve("nope.csv").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("ecg replay: No such file: " + tmp.resolve("nope.csv"));
    }

    @Test
    void helpNamesTheOptions() {
        assertThat(run("replay", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--file",
                        "--rate",
                        "--patients",
                        "--loop",
                        "--count",
                        "--no-keys",
                        "--topic",
                        "--bootstrap-servers",
                        "--kafka-config");
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
