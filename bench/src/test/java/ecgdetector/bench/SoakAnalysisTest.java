package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's verdict from its samples, and the Native Memory Tracking summary it samples. */
class SoakAnalysisTest {

    private static final Bench.Soak TEN_MINUTES =
            new Bench.Soak(Duration.ofMinutes(10), 5000, Duration.ofSeconds(10), Duration.ofMinutes(2));

    @Test
    void growthDuringTheWarmUpIsNotGrowth() {
        // RSS climbs from 400 to 600 MB in the first two minutes, then only wobbles by a few MB.
        List<BenchReport.SoakSample> samples =
                series(t -> t < 120 ? 400 + 200 * t / 120 : 600 + (t % 20 == 0 ? 3 : -3), t -> 300.0);

        BenchReport.Soak soak = SoakAnalysis.analyse(TEN_MINUTES, 600, 3_000_000, 3_000_000, samples, Map.of(), 1.0);

        assertThat(soak.grows()).isFalse();
        assertThat(soak.rssAfterWarmupMb()).isCloseTo(600, within(3.1));
        assertThat(soak.rssGrowthMb()).isCloseTo(0, within(6.1));
        assertThat(soak.rssSlopeMbPerMin()).isCloseTo(0, within(0.5));
        assertThat(soak.warmupSeconds()).isEqualTo(120);
        assertThat(soak.achievedRatePerSec()).isEqualTo(5000);
        assertThat(soak.verdict()).contains("no growth beyond the warm-up").doesNotContain("keep up");
    }

    @Test
    void steadyGrowthAfterTheWarmUpIsReportedAndSplitIntoTheJvmsAndTheRest() {
        // 10 MB a minute after the warm-up, 2 of them in what NMT tracks.
        List<BenchReport.SoakSample> samples = series(t -> 500 + 10 * t / 60, t -> 300 + 2 * t / 60);

        BenchReport.Soak soak = SoakAnalysis.analyse(TEN_MINUTES, 600, 3_000_000, 2_999_000, samples, Map.of(), null);

        assertThat(soak.grows()).isTrue();
        assertThat(soak.rssSlopeMbPerMin()).isCloseTo(10, within(1e-9));
        assertThat(soak.nmtSlopeMbPerMin()).isCloseTo(2, within(1e-9));
        // Medians of the first and last three samples after the warm-up: 130 s and 590 s.
        assertThat(soak.rssGrowthMb()).isCloseTo(10 * (590 - 130) / 60.0, within(1e-9));
        assertThat(soak.outsideNmtGrowthMb()).isCloseTo(8 * (590 - 130) / 60.0, within(1e-9));
        assertThat(soak.verdict()).contains("GROWS", "did not keep up with 5000 windows/s: 2999000 of 3000000");
    }

    @Test
    void aShortSoakKeepsHalfOfItselfToJudgeAndMissingFiguresStayNull() {
        Bench.Soak short6s = new Bench.Soak(Duration.ofSeconds(6), 300, Duration.ofSeconds(2), Duration.ofMinutes(2));
        assertThat(short6s.effectiveWarmup()).isEqualTo(Duration.ofSeconds(3));
        List<BenchReport.SoakSample> samples =
                List.of(sample(0, null, null), sample(2, null, null), sample(4, null, null), sample(6, null, null));

        BenchReport.Soak soak = SoakAnalysis.analyse(short6s, 6, 1800, 1800, samples, Map.of(), null);

        assertThat(soak.rssGrowthMb()).isNull();
        assertThat(soak.grows()).isNull();
        assertThat(soak.verdict()).contains("too few samples");
    }

    @Test
    void readsTheCommittedTotalAndCategoriesOfANativeMemorySummary() {
        String summary = """
                Native Memory Tracking:

                (Omitting categories weighting less than 1KB)

                Total: reserved=1835010KB, committed=501234KB
                       malloc: 61234KB #123456
                       mmap:   reserved=1773776KB, committed=440000KB

                -                 Java Heap (reserved=262144KB, committed=112640KB)
                                            (mmap: reserved=262144KB, committed=112640KB)

                -                     Class (reserved=1051234KB, committed=45678KB)
                                            (classes #8000)

                -                     Other (reserved=20480KB, committed=20480KB)
                                            (malloc=20480KB #310)
                """;

        Map<String, Long> committed = NativeMemory.committedBytes(summary);

        assertThat(committed)
                .containsExactly(
                        Map.entry(NativeMemory.TOTAL, 501234L * 1024),
                        Map.entry("Java Heap", 112640L * 1024),
                        Map.entry("Class", 45678L * 1024),
                        Map.entry("Other", 20480L * 1024));
        assertThat(NativeMemory.committedBytes("Native memory tracking is not enabled"))
                .isEmpty();
        assertThat(NativeMemory.committedBytes("Total: reserved=2048, committed=1024\n"))
                .containsEntry(NativeMemory.TOTAL, 1024L);
    }

    private interface Curve {
        double at(double seconds);
    }

    /** A sample every 10 s over ten minutes, RSS and NMT committed following the curves. */
    private static List<BenchReport.SoakSample> series(Curve rss, Curve nmt) {
        List<BenchReport.SoakSample> samples = new ArrayList<>();
        for (int t = 0; t <= 600; t += 10) {
            samples.add(sample(t, rss.at(t), nmt.at(t)));
        }
        return samples;
    }

    private static BenchReport.SoakSample sample(double seconds, Double rss, Double nmt) {
        return new BenchReport.SoakSample(
                seconds, (long) (seconds * 5000), (long) (seconds * 5000), rss, 50.0, 120.0, nmt);
    }
}
