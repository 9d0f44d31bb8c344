package ecgdetector.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the soak's memory samples into figures and a verdict: how much RSS (and the JVM's own committed
 * memory) grew after the warm-up, as a difference and as a slope, and whether that is growth or noise.
 */
final class SoakAnalysis {

    /**
     * RSS growth after the warm-up up to this much is noise, not growth: the G1 heap resizing within its
     * maximum and malloc keeping freed memory move RSS by a few tens of MB either way.
     */
    static final double TOLERANCE_MB = 32;
    /** How many samples are taken together (median) for the level at the warm-up's end and at the end. */
    private static final int EDGE_SAMPLES = 3;

    private SoakAnalysis() {}

    static BenchReport.Soak analyse(
            Bench.Soak soak,
            double seconds,
            long sent,
            long scored,
            List<BenchReport.SoakSample> samples,
            Map<String, Double> nmtCommittedEndMb,
            Double loadAverage) {
        double warmup = soak.effectiveWarmup().toMillis() / 1000.0;
        List<BenchReport.SoakSample> after =
                samples.stream().filter(s -> s.seconds() >= warmup).toList();
        Double rssStart = edge(after, BenchReport.SoakSample::rssMb, true);
        Double rssEnd = edge(after, BenchReport.SoakSample::rssMb, false);
        Double rssGrowth = difference(rssEnd, rssStart);
        Double nmtGrowth = difference(
                edge(after, BenchReport.SoakSample::nmtCommittedMb, false),
                edge(after, BenchReport.SoakSample::nmtCommittedMb, true));
        Double heapGrowth = difference(
                edge(after, BenchReport.SoakSample::heapCommittedMb, false),
                edge(after, BenchReport.SoakSample::heapCommittedMb, true));
        Double rssSlope = slopePerMinute(after, BenchReport.SoakSample::rssMb);
        Double nmtSlope = slopePerMinute(after, BenchReport.SoakSample::nmtCommittedMb);
        Double outside = difference(rssGrowth, nmtGrowth);
        Boolean grows = rssGrowth == null ? null : rssGrowth > TOLERANCE_MB;
        String verdict =
                verdict(warmup, rssStart, rssEnd, rssGrowth, rssSlope, nmtGrowth, outside) + keptUp(soak, sent, scored);
        return new BenchReport.Soak(
                soak.ratePerSec(),
                seconds,
                warmup,
                soak.sampleInterval().toMillis() / 1000.0,
                sent,
                scored,
                seconds > 0 ? sent / seconds : 0,
                List.copyOf(samples),
                rssStart,
                rssEnd,
                rssGrowth,
                rssSlope,
                heapGrowth,
                nmtGrowth,
                nmtSlope,
                outside,
                nmtCommittedEndMb,
                grows,
                verdict,
                loadAverage);
    }

    /** One line: RSS after the warm-up and at the end, its growth, how much of it the JVM's own, and so what. */
    private static String verdict(
            double warmup,
            Double rssStart,
            Double rssEnd,
            Double rssGrowth,
            Double rssSlope,
            Double nmtGrowth,
            Double outside) {
        if (rssGrowth == null) {
            return String.format(Locale.ROOT, "soak: too few samples after the %.0f s warm-up to judge growth", warmup);
        }
        return String.format(
                Locale.ROOT,
                "soak: RSS %.0f MB after the %.0f s warm-up, %.0f MB at the end: %+.0f MB"
                        + " (%+.1f MB/min); of it the JVM's own (NMT) %s, outside the JVM %s: %s",
                rssStart,
                warmup,
                rssEnd,
                rssGrowth,
                rssSlope == null ? 0.0 : rssSlope,
                signedMb(nmtGrowth),
                signedMb(outside),
                rssGrowth > TOLERANCE_MB
                        ? "GROWS beyond the warm-up (more than " + (int) TOLERANCE_MB + " MB)"
                        : "no growth beyond the warm-up (within " + (int) TOLERANCE_MB + " MB)");
    }

    /** Empty if every window sent was scored; else what fell behind, to add to the verdict. */
    private static String keptUp(Bench.Soak soak, long sent, long scored) {
        if (scored >= sent) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "; the streamer did not keep up with %.0f windows/s: %d of %d"
                        + " windows scored within a minute of the last one sent",
                soak.ratePerSec(),
                scored,
                sent);
    }

    /** The median of the first (or last) few samples' values; null if none has one. */
    static Double edge(
            List<BenchReport.SoakSample> samples, Function<BenchReport.SoakSample, Double> value, boolean first) {
        List<Double> values = new ArrayList<>();
        for (BenchReport.SoakSample s : samples) {
            if (value.apply(s) != null) {
                values.add(value.apply(s));
            }
        }
        if (values.isEmpty()) {
            return null;
        }
        int k = Math.max(1, Math.min(EDGE_SAMPLES, values.size() / 2));
        return Percentiles.median(first ? values.subList(0, k) : values.subList(values.size() - k, values.size()));
    }

    /** Least-squares slope of the values against time, in MB per minute; null with fewer than two points. */
    static Double slopePerMinute(List<BenchReport.SoakSample> samples, Function<BenchReport.SoakSample, Double> value) {
        List<double[]> points = new ArrayList<>();
        for (BenchReport.SoakSample s : samples) {
            if (value.apply(s) != null) {
                points.add(new double[] {s.seconds() / 60, value.apply(s)});
            }
        }
        if (points.size() < 2) {
            return null;
        }
        double meanX = points.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double meanY = points.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - meanX) * (p[1] - meanY);
            sxx += (p[0] - meanX) * (p[0] - meanX);
        }
        return sxx == 0 ? null : sxy / sxx;
    }

    private static Double difference(Double a, Double b) {
        return a == null || b == null ? null : a - b;
    }

    private static String signedMb(Double mb) {
        return mb == null ? "unknown" : String.format(Locale.ROOT, "%+.0f MB", mb);
    }
}
