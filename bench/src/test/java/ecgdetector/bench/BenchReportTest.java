package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.schemas.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static BenchReport report(Double streamer, Double rss) {
        return new BenchReport(
                BenchReport.FORMAT_VERSION,
                "2025-01-01T00:00:00Z",
                12.5,
                new BenchReport.Machine(2, "cpu", 1024L, "Linux", "Java 17", "embedded", 0.3, null),
                Map.of("windows", 1000),
                "v1",
                60_000.0,
                streamer,
                streamer == null ? null : streamer / 60_000,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                List.of(new BenchReport.InferencePoint(1, 10_000, 0.1, 100)),
                null,
                List.of(new BenchReport.Latency(
                        1000,
                        100,
                        20,
                        256,
                        10,
                        10_000,
                        1000,
                        40.0,
                        60.0,
                        80.0,
                        90.0,
                        400.0,
                        12.0,
                        0.5,
                        new BenchReport.FeedSilent(10_000, 100, 100, 10_300.0, 10_500.0, 10_600.0),
                        List.of(900.0, 120.0, 80.0))),
                null,
                null,
                null,
                rss,
                null,
                null,
                null,
                null,
                List.of(),
                List.of(
                        new BenchReport.Target(
                                "streamer", ">= 50,000/s", streamer, streamer == null ? null : streamer >= 50_000),
                        new BenchReport.Target("latency@1000/commit100", "p99 <= 100 ms", 80.0, true)),
                null,
                Map.of("report", "bench.json"));
    }

    @Test
    void theTableShowsUnmeasuredFiguresAsADashAndSaysWhichTargetsHold() {
        String table = report(null, null).table();

        assertThat(table)
                .contains("streamer, batched, end to end      -")
                .contains("not measured")
                .contains("latency @ 1000/s, commit 100 ms    p50 40  p95 60  p99 80 ms")
                .containsPattern("p99 <= 100 ms\\s+met")
                .containsPattern(
                        "feed stopped -> FEED_SILENT\\s+p50 10300  p95 10500 ms, 100/100 p95 <= 12000 ms\\s+met");
    }

    @Test
    void missingFiguresAreLeftOutOfTheJsonRatherThanWrittenAsNaN() throws Exception {
        JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsBytes(report(55_000.0, null)));

        assertThat(json.path("streamerWindowsPerSec").asDouble()).isEqualTo(55_000.0);
        assertThat(json.has("rssMb")).isFalse();
        assertThat(json.has("perRecordWindowsPerSec")).isFalse();
        assertThat(json.toString()).doesNotContain("NaN");
    }
}
