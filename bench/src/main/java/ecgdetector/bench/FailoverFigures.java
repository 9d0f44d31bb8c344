package ecgdetector.bench;

import ecgdetector.bench.ScoreTimeline.Seen;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** What a score timeline says about a fault: every figure from the scores a downstream consumer could read. */
final class FailoverFigures {

    private FailoverFigures() {}

    /** Scores read more than once for the same window: any is a broken exactly-once promise. */
    static long duplicates(List<Seen> seen) {
        Set<String> ids = new HashSet<>();
        return seen.stream().filter(s -> !ids.add(s.windowId())).count();
    }

    /** Distinct windows scored. */
    static long distinct(List<Seen> seen) {
        return seen.stream().map(Seen::windowId).distinct().count();
    }

    /** The {@code p}-th percentile of produce-to-readable delays of windows produced in {@code [from, to)}, ms. */
    static Double delayPercentileMs(List<Seen> seen, long from, long to, double p) {
        return Percentiles.of(delays(seen, from, to), p);
    }

    /** The longest produce-to-readable delay of a window produced in {@code [from, to)}, ms; null for none. */
    static Double worstDelayMs(List<Seen> seen, long from, long to) {
        return delayPercentileMs(seen, from, to, 100);
    }

    /** The window produced in {@code [from, to)} that waited longest, for the log; null for none. */
    static Seen worst(List<Seen> seen, long from, long to) {
        return seen.stream()
                .filter(s -> s.producedMs() >= from && s.producedMs() < to)
                .max(java.util.Comparator.comparingLong(Seen::delayMs))
                .orElse(null);
    }

    private static double[] delays(List<Seen> seen, long from, long to) {
        return seen.stream()
                .filter(s -> s.producedMs() >= from && s.producedMs() < to)
                .mapToDouble(Seen::delayMs)
                .toArray();
    }

    /** Per partition, in partition order, the first score readable for a window produced from {@code producedFrom} on. */
    static SortedMap<Integer, Seen> firstAfter(List<Seen> seen, long producedFrom) {
        SortedMap<Integer, Seen> first = new TreeMap<>();
        for (Seen s : seen) {
            if (s.producedMs() >= producedFrom) {
                first.merge(s.partition(), s, (a, b) -> a.visibleMs() <= b.visibleMs() ? a : b);
            }
        }
        return first;
    }

    /**
     * How long after {@code since} every partition had a score readable again, of a window produced at or after
     * {@code producedFrom}, in seconds from {@code since}: the time patients on the slowest partition waited.
     * Null if some partition never had one.
     */
    static Double readableAgainSeconds(List<Seen> seen, Set<Integer> partitions, long producedFrom, long since) {
        Map<Integer, Seen> first = firstAfter(seen, producedFrom);
        long last = since;
        for (int p : partitions) {
            Seen at = first.get(p);
            if (at == null) {
                return null;
            }
            last = Math.max(last, at.visibleMs());
        }
        return (last - since) / 1000.0;
    }

    /**
     * The longest time any partition went without a new score becoming readable, within {@code [from, to)}, in
     * seconds: a partition's outage as its readers saw it.
     */
    static Double longestSilenceSeconds(List<Seen> seen, Set<Integer> partitions, long from, long to) {
        Map<Integer, List<Long>> visible = new HashMap<>();
        partitions.forEach(p -> visible.put(p, new ArrayList<>()));
        for (Seen s : seen) {
            if (s.visibleMs() >= from && s.visibleMs() < to && visible.containsKey(s.partition())) {
                visible.get(s.partition()).add(s.visibleMs());
            }
        }
        long longest = 0;
        for (List<Long> times : visible.values()) {
            times.sort(null);
            long previous = from;
            for (long t : times) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
            longest = Math.max(longest, to - previous);
        }
        return longest / 1000.0;
    }
}
