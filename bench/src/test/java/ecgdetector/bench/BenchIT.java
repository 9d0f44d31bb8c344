package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.broker.testing.ChildJvms;
import ecgdetector.schemas.Json;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the bench with tiny counts, the soak's few seconds and one kill of two instances included: every
 * phase completes, the kill loses and duplicates nothing, and
 * bench.json holds every figure as a number. No timing is asserted: CI machines are shared and the counts are far too small to mean anything.
 */
class BenchIT {

    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @Test
    void aShortRunCompletesAndWritesEveryFigureAsANumber() throws Exception {
        Path data = syntheticCsv();
        Path out = tmp.resolve("bench");
        Bench.Settings settings = new Bench.Settings(
                Optional.of(data.toString()),
                out,
                tmp.resolve("train"),
                Recipe.NOTEBOOK,
                false,
                Optional.empty(),
                new Properties(),
                Map.of(),
                Set.copyOf(Bench.KNOWN_PHASES),
                2000,
                1000,
                500,
                2,
                1,
                256,
                50,
                100,
                20,
                1,
                List.of(1, 32, 256, 1024),
                Duration.ofMillis(200),
                List.of(500.0),
                List.of(100L),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                ChildJvms.after(List.of("-Xmx256m")),
                // The shortest silence S, so the latency phase's FEED_SILENT wait is short.
                Map.of("ecg.alarm.silence.ms", "1000"),
                false,
                Duration.ofSeconds(180),
                new Bench.Soak(Duration.ofSeconds(6), 300, Duration.ofSeconds(2), Duration.ofSeconds(2)),
                new Bench.ColdStartTimes(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)),
                new FailoverBench.Settings(
                        List.of(FailoverBench.KILL),
                        2,
                        2,
                        100,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(8)));

        BenchReport report = new Bench(settings, QUIET).run();

        assertThat(report.phases())
                .extracting(BenchReport.Phase::kind)
                .containsExactly(
                        Bench.PHASE_PASS_THROUGH,
                        Bench.PHASE_STREAMER,
                        Bench.PHASE_ALARMS,
                        Bench.PEER_AT_LEAST_ONCE,
                        Bench.PEER_TRANSACTIONAL,
                        Bench.PHASE_PER_RECORD);
        assertThat(report.phases())
                .filteredOn(p -> p.kind().startsWith("peer-"))
                .allSatisfy(p -> assertThat(p.meanBatchSize())
                        .as("%s scored in batches", p.name())
                        .isNotNull());
        assertThat(report.table())
                .contains(
                        "pass-through ceiling",
                        "batching gain",
                        "alarm stage cost",
                        "latency @ 500/s",
                        "plain-client peer");

        JsonNode json = Json.mapper().readTree(out.resolve("bench.json").toFile());
        for (String field : List.of(
                "passThroughWindowsPerSec",
                "streamerWindowsPerSec",
                "ratioToPassThrough",
                "perRecordWindowsPerSec",
                "batchingGain",
                "peerAtLeastOnceWindowsPerSec",
                "peerTransactionalWindowsPerSec",
                "ratioToPeerAtLeastOnce",
                "ratioToPeerTransactional",
                "cpuPerWindowToPassThrough",
                "alarmStageCost",
                "alarmStageCpuPerWindow",
                "inferenceGain256",
                "durationSeconds")) {
            assertThat(json.path(field).isNumber())
                    .as("bench.json %s is a number: %s", field, json.get(field))
                    .isTrue();
        }
        assertThat(json.path("inference")).hasSize(4);
        for (JsonNode point : json.path("inference")) {
            assertThat(point.path("batchSize").isNumber()).isTrue();
            assertThat(point.path("windowsPerSec").isNumber()).isTrue();
        }
        assertThat(json.path("latency")).hasSize(1);
        JsonNode latency = json.path("latency").get(0);
        for (String field : List.of("ratePerSec", "commitIntervalMs", "windows", "p50Ms", "p95Ms", "p99Ms")) {
            assertThat(latency.path(field).isNumber())
                    .as("latency %s is a number: %s", field, latency.get(field))
                    .isTrue();
        }
        JsonNode silent = latency.path("feedSilent");
        assertThat(silent.path("silenceMs").asLong()).isEqualTo(1000);
        assertThat(silent.path("raised").asInt())
                .as("every patient whose feed stopped got its FEED_SILENT: %s", silent)
                .isEqualTo(silent.path("patients").asInt())
                .isPositive();
        assertThat(silent.path("p95Ms").isNumber()).isTrue();
        assertThat(json.path("coldStart")).hasSize(2);
        assertThat(json.path("coldStart").get(0).path("warmup").asBoolean(true)).isFalse();
        assertThat(json.path("coldStart").get(1).path("warmup").asBoolean(false))
                .isTrue();
        for (JsonNode cold : json.path("coldStart")) {
            for (String field : List.of("firstP99Ms", "steadyP99Ms", "afterSwapP99Ms")) {
                assertThat(cold.path(field).isNumber())
                        .as("coldStart %s is a number: %s", field, cold)
                        .isTrue();
            }
            assertThat(cold.path("swappedTo").asText()).contains("-swap");
            if (Files.isDirectory(Path.of("/proc/self"))) {
                for (String field : List.of(
                        "idleStreamerCores",
                        "idleStreamerCompilerCores",
                        "idleBrokerCores",
                        "idleBrokerCompilerCores",
                        "brokerBaselineCores",
                        "brokerBaselineCompilerCores")) {
                    assertThat(cold.path(field).isNumber())
                            .as("coldStart %s is a number: %s", field, cold)
                            .isTrue();
                }
            }
        }
        if (Files.isDirectory(Path.of("/proc/self"))) {
            for (String field : List.of("rssMb", "rssPeakMb", "heapUsedMb", "heapCommittedMb", "heapMaxMb")) {
                assertThat(json.path(field).isNumber())
                        .as("bench.json %s is a number: %s", field, json.get(field))
                        .isTrue();
            }
        }
        JsonNode soak = json.path("soak");
        for (String field : List.of("ratePerSec", "seconds", "warmupSeconds", "sent", "scored")) {
            assertThat(soak.path(field).isNumber())
                    .as("soak %s is a number: %s", field, soak.get(field))
                    .isTrue();
        }
        assertThat(soak.path("scored").asLong())
                .isEqualTo(soak.path("sent").asLong())
                .isPositive();
        assertThat(soak.path("samples").size())
                .as("a sample at the start, every 2 s and at the end")
                .isGreaterThanOrEqualTo(3);
        assertThat(soak.path("verdict").asText()).startsWith("soak: ");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            for (JsonNode sample : soak.path("samples")) {
                for (String field : List.of("seconds", "rssMb", "heapUsedMb", "heapCommittedMb", "nmtCommittedMb")) {
                    assertThat(sample.path(field).isNumber())
                            .as("soak sample %s: %s", field, sample)
                            .isTrue();
                }
            }
            for (String field : List.of("rssGrowthMb", "rssSlopeMbPerMin", "nmtGrowthMb", "outsideNmtGrowthMb")) {
                assertThat(soak.path(field).isNumber())
                        .as("soak %s is a number: %s", field, soak.get(field))
                        .isTrue();
            }
            assertThat(soak.path("grows").isBoolean()).isTrue();
            assertThat(soak.path("nmtCommittedEndMb").path("Total").isNumber()).isTrue();
        }
        JsonNode failover = json.path("failover").path("runs");
        assertThat(failover).hasSize(1);
        JsonNode kill = failover.get(0);
        assertThat(kill.path("fault").asText()).isEqualTo(FailoverBench.KILL);
        for (String field : List.of("sent", "scored", "worstDelayMs", "p99DelayMs", "readableAgainSeconds")) {
            assertThat(kill.path(field).isNumber())
                    .as("failover %s is a number: %s", field, kill.get(field))
                    .isTrue();
        }
        assertThat(kill.path("missing").asLong())
                .as("windows never scored after the kill")
                .isZero();
        assertThat(kill.path("duplicates").asLong()).as("windows scored twice").isZero();
        assertThat(json.path("targets")).isNotEmpty();
        assertThat(json.path("machine").path("cores").isNumber()).isTrue();
    }

    private Path syntheticCsv() throws Exception {
        EcgDataset data = TestReleases.syntheticDataset(21);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < data.beats().size(); i++) {
            lines.add(TestReleases.csvLine(data.beats().beats()[i], data.beats().normal()[i]));
        }
        return Files.write(tmp.resolve("ecg.csv"), lines);
    }
}
