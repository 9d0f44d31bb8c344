package ecgdetector.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of {@code ./ecg bench}, as printed and as {@code bench.json}. Figures that were not measured
 * (a phase left out, a platform without {@code /proc}) are null, never NaN, so the JSON stays valid.
 *
 * @param passThroughWindowsPerSec the ceiling: a Kafka Streams application with the streamer's configuration
 *                                 that only copies the input records to an output topic
 * @param streamerWindowsPerSec    the streamer, batched, end to end: windows / (time from the application
 *                                 consuming to the last score readable by a read_committed consumer)
 * @param ratioToPassThrough       streamer / pass-through, per repetition, median over repetitions
 * @param perRecordWindowsPerSec   the streamer with batch size 1
 * @param batchingGain             streamer / per-record, per repetition, median over repetitions
 * @param peerAtLeastOnceWindowsPerSec   the plain-client peer ({@link PlainClientPeer}), at-least-once
 * @param peerTransactionalWindowsPerSec the plain-client peer, its outputs and offsets in one transaction per poll
 * @param ratioToPeerAtLeastOnce   streamer / at-least-once peer, per repetition, median over repetitions
 * @param ratioToPeerTransactional streamer / transactional peer, per repetition, median over repetitions
 * @param cpuPerWindowToPassThrough the streamer's CPU per window over the pass-through's, per repetition, median
 * @param alarmStageCost           1 - streamer / streamer without its alarm stage, per repetition, median
 * @param alarmStageCpuPerWindow   the streamer's CPU per window over that of the streamer without its alarm stage,
 *                                 per repetition, median: less sensitive than the rates to the machine's drift
 * @param inferenceGain256         inference windows/s at batch 256 over batch 1
 * @param soak                     the soak phase ({@code --soak}): memory over time under a steady load
 * @param failover                 the failover phase ({@code --phases failover}): how long patients' windows
 *                                 wait when an instance crashes, freezes or restarts
 * @param rssMb                    resident memory of the streamer's JVM at the end of its full-load phase
 * @param rssPeakMb                its high-water mark (VmHWM) over the whole phase, start-up included
 */
public record BenchReport(
        int formatVersion,
        String startedAt,
        double durationSeconds,
        Machine machine,
        Map<String, Object> settings,
        String modelVersion,
        Double passThroughWindowsPerSec,
        Double streamerWindowsPerSec,
        Double ratioToPassThrough,
        Double perRecordWindowsPerSec,
        Double batchingGain,
        Double peerAtLeastOnceWindowsPerSec,
        Double peerTransactionalWindowsPerSec,
        Double ratioToPeerAtLeastOnce,
        Double ratioToPeerTransactional,
        Double cpuPerWindowToPassThrough,
        Double alarmStageCost,
        Double alarmStageCpuPerWindow,
        List<InferencePoint> inference,
        Double inferenceGain256,
        List<Latency> latency,
        Soak soak,
        List<ColdStart> coldStart,
        Failover failover,
        Double rssMb,
        Double rssPeakMb,
        Double heapUsedMb,
        Double heapCommittedMb,
        Double heapMaxMb,
        List<Phase> phases,
        List<Target> targets,
        Map<String, JfrSummary.Profile> profiles,
        Map<String, String> files) {

    public static final int FORMAT_VERSION = 5;

    /**
     * @param loadAverageStart 1-minute load average before the first measurement: above the core count, the
     *                         machine was busy with something else and the figures are low
     */
    public record Machine(
            int cores,
            String cpu,
            Long memTotalMb,
            String os,
            String java,
            String broker,
            Double loadAverageStart,
            Double loadAverageEnd) {}

    /** The predictor alone at one batch size. */
    public record InferencePoint(int batchSize, double windowsPerSec, double msPerCall, long calls) {}

    /**
     * Produce time -> score readable by a read_committed consumer, at a fixed input rate.
     *
     * @param windows         how many windows were produced in the measured interval (after the warm-up) and read
     * @param p99BySecondMs   p99 of the windows produced in each whole second since the feed started, the
     *                        warm-up's included: whether the measured interval was steady or still warming up
     */
    public record Latency(
            double ratePerSec,
            long commitIntervalMs,
            long batchWaitMs,
            int batchSize,
            double seconds,
            long windows,
            double achievedRatePerSec,
            Double p50Ms,
            Double p95Ms,
            Double p99Ms,
            Double maxMs,
            Double rssMb,
            Double meanBatchSize,
            Double loadAverage,
            FeedSilent feedSilent,
            List<Double> p99BySecondMs) {}

    /**
     * Once a latency phase's feed stopped: the time from each patient's last record sent to its FEED_SILENT
     * ({@code NO_RECORDS}, by the wall clock), over the patients; the target is S + 2 s.
     *
     * @param silenceMs the streamer's S
     * @param patients  patients whose feed stopped
     * @param raised    of them, how many got their FEED_SILENT within S + {@link FeedSilence#GRACE}
     */
    public record FeedSilent(long silenceMs, int patients, int raised, Double p50Ms, Double p95Ms, Double maxMs) {}

    /**
     * The streamer's first seconds of traffic after it became ready, and after a hot swap, against its steady
     * seconds in between; and what it and the broker cost while it idled with a model loaded and no input.
     *
     * @param warmup                 whether {@code ecg.release.warmup} was on
     * @param firstP99Ms             p99 of the windows produced in the first {@code windowSeconds} after the
     *                               streamer was ready (the input starts then)
     * @param steadyP99Ms            p99 of the next {@code windowSeconds}, before the swap
     * @param afterSwapP99Ms         p99 of the windows produced in the {@code windowSeconds} after a new release was
     *                               published
     * @param idleStreamerCores      the streamer JVM's CPU while idle (after the traffic, model loaded), in cores
     * @param idleStreamerCompilerCores the part of it that was the JIT compiler's threads, still compiling what the
     *                               traffic made hot: a cost of the minutes after a load, not of idling
     * @param idleBrokerCores        the bench JVM's (broker, reader) CPU while the streamer idled, in cores
     * @param idleBrokerCompilerCores the part of it that was the bench JVM's JIT compiler's
     * @param brokerBaselineCores    the same before the streamer started: the broker's own idle
     * @param brokerBaselineCompilerCores the part of it that was the bench JVM's JIT compiler's
     */
    public record ColdStart(
            boolean warmup,
            double ratePerSec,
            double windowSeconds,
            Double firstP50Ms,
            Double firstP99Ms,
            Double steadyP50Ms,
            Double steadyP99Ms,
            Double afterSwapP50Ms,
            Double afterSwapP99Ms,
            String swappedTo,
            double idleSeconds,
            Double idleStreamerCores,
            Double idleStreamerCompilerCores,
            Double idleBrokerCores,
            Double idleBrokerCompilerCores,
            Double brokerBaselineCores,
            Double brokerBaselineCompilerCores,
            Double loadAverage) {}

    /**
     * The streamer under a steady load for a while, and what its memory did.
     *
     * @param samples              the time series, one sample every {@code sampleSeconds} and one at the end
     * @param rssAfterWarmupMb     RSS when the warm-up ended (median of the samples around it)
     * @param rssEndMb             RSS at the end (median of the last samples)
     * @param rssGrowthMb          {@code rssEndMb - rssAfterWarmupMb}: growth beyond warm-up
     * @param rssSlopeMbPerMin     least-squares slope of RSS over the samples after the warm-up
     * @param nmtGrowthMb          the same growth for what the JVM itself committed (Native Memory Tracking)
     * @param outsideNmtGrowthMb   {@code rssGrowthMb - nmtGrowthMb}: growth of memory the JVM does not track
     *                             (native libraries' malloc: TensorFlow, RocksDB)
     * @param nmtCommittedEndMb    NMT's committed megabytes per category at the end, largest first
     * @param grows                whether RSS grew by more than the tolerance after the warm-up
     * @param verdict              one line saying so, with the figures
     */
    public record Soak(
            double ratePerSec,
            double seconds,
            double warmupSeconds,
            double sampleSeconds,
            long sent,
            long scored,
            double achievedRatePerSec,
            List<SoakSample> samples,
            Double rssAfterWarmupMb,
            Double rssEndMb,
            Double rssGrowthMb,
            Double rssSlopeMbPerMin,
            Double heapCommittedGrowthMb,
            Double nmtGrowthMb,
            Double nmtSlopeMbPerMin,
            Double outsideNmtGrowthMb,
            Map<String, Double> nmtCommittedEndMb,
            Boolean grows,
            String verdict,
            Double loadAverage) {}

    /**
     * Several instances of one application fed at a fixed rate while one of them fails, each fault on fresh
     * topics and a fresh group.
     *
     * @param groupSettings the Kafka settings the instances ran with that decide the figures (session, heartbeat,
     *                      standbys, transaction timeout, group protocol), as the streamer resolved them
     */
    public record Failover(
            int instances,
            int partitions,
            double ratePerSec,
            Map<String, String> groupSettings,
            List<FailoverRun> runs) {}

    /**
     * One fault and what a downstream {@code read_committed} consumer saw of it.
     *
     * @param fault                   {@code kill} (SIGKILL of one of the instances), {@code freeze} (SIGSTOP past
     *                                the session timeout, then SIGCONT) or {@code restart} (one instance alone,
     *                                SIGKILLed and started again at once)
     * @param baselineWorstDelayMs    the worst produce-to-readable delay before the fault
     * @param worstDelayMs            the worst produce-to-readable delay of a window produced from just before the
     *                                fault to the end
     * @param p99DelayMs              the 99th percentile of those
     * @param readableAgainSeconds    from the fault (for {@code restart}: from the new process's start) until
     *                                every partition had a score readable of a window produced after the fault
     * @param longestSilenceSeconds   the longest any partition went without a new readable score
     * @param partitionsMovedSeconds  from the fault until the other instances held every partition (kill,
     *                                freeze); null if they never did within the observation
     * @param readySeconds            {@code restart}: from the new process's start until it was ready
     * @param restoredRecords         changelog records restored into batch buffers after the fault, all instances
     * @param restoreSeconds          the longest of those restores
     */
    public record FailoverRun(
            String fault,
            long sent,
            long scored,
            long duplicates,
            long missing,
            Double baselineWorstDelayMs,
            Double worstDelayMs,
            Double p99DelayMs,
            Double readableAgainSeconds,
            Double longestSilenceSeconds,
            Double partitionsMovedSeconds,
            Double readySeconds,
            Long restoredRecords,
            Double restoreSeconds,
            Double loadAverage) {}

    /** One sample of the soak: seconds since the load started, windows sent and scored so far, memory. */
    public record SoakSample(
            double seconds,
            long sent,
            long scored,
            Double rssMb,
            Double heapUsedMb,
            Double heapCommittedMb,
            Double nmtCommittedMb) {}

    /**
     * One run of an application under test.
     *
     * @param seconds         from the application consuming to the last output readable
     * @param secondHalfWindowsPerSec the rate over the second half of the windows only: start-up and most of
     *                        the JIT compiler's work left out
     * @param childCores      CPU seconds of the measured JVM per wall second over that time
     * @param appCpuMicrosPerWindow the measured JVM's CPU time per window: the figure least disturbed by
     *                        whatever else the machine runs
     * @param benchCores      the same for the bench's JVM: the broker (when embedded) and the output reader
     * @param inferenceShare  the share of {@code seconds} the stream threads spent in inference calls
     * @param alarms          alarm transitions the streamer emitted (its {@code ecg_alarms_total}; 0 with the stage
     *                        off), null for an app that is not the streamer
     */
    public record Phase(
            String name,
            String kind,
            int repeat,
            long windows,
            double seconds,
            double windowsPerSec,
            Double secondHalfWindowsPerSec,
            int partitions,
            int threads,
            int batchSize,
            long batchWaitMs,
            long commitIntervalMs,
            Double childCores,
            Double appCpuMicrosPerWindow,
            Double benchCores,
            Double rssMb,
            Double rssPeakMb,
            Double rssMaxSampledMb,
            Double heapUsedMb,
            Double heapCommittedMb,
            Long gcCount,
            Long gcMs,
            Double meanBatchSize,
            Double inferenceShare,
            Long alerts,
            Long alarms,
            Double loadAverage,
            String jfr) {}

    /** One of the targets, held against what was measured; {@code met} is null if not measured. */
    public record Target(String name, String goal, Double value, Boolean met) {}

    /** The table printed at the end of a run. */
    public String table() {
        StringBuilder s = new StringBuilder();
        appendMachineAndSettings(s);
        row(s, "figure", "value", "target", "");
        appendThroughputRows(s);
        appendInferenceRows(s);
        appendLatencyRows(s);
        appendSoakRows(s);
        appendFailoverRows(s);
        appendMemoryRows(s);
        appendPhaseLines(s);
        files.forEach((what, where) ->
                s.append("  ").append(what).append(": ").append(where).append(System.lineSeparator()));
        return s.toString();
    }

    /** Where and with what it ran. */
    private void appendMachineAndSettings(StringBuilder s) {
        s.append(String.format(
                Locale.ROOT,
                "%necg bench: %d cores (%s), load %s -> %s, broker %s, model %s%n",
                machine.cores(),
                machine.cpu(),
                num(machine.loadAverageStart(), "%.2f"),
                num(machine.loadAverageEnd(), "%.2f"),
                machine.broker(),
                modelVersion));
        s.append(String.format(Locale.ROOT, "  settings: %s%n%n", settings));
    }

    /** End to end against the ceiling, batched and per record. */
    private void appendThroughputRows(StringBuilder s) {
        row(s, "pass-through ceiling", rate(passThroughWindowsPerSec), "", "");
        row(s, "streamer, batched, end to end", rate(streamerWindowsPerSec), goal("streamer"), met("streamer"));
        row(s, "  ratio to pass-through", num(ratioToPassThrough, "%.2f"), goal("ratio"), met("ratio"));
        row(
                s,
                "  CPU per window / pass-through's",
                times(cpuPerWindowToPassThrough),
                goal("cpu-per-window"),
                met("cpu-per-window"));
        row(s, "plain-client peer, at-least-once", rate(peerAtLeastOnceWindowsPerSec), "", "");
        row(s, "  streamer's ratio to it", num(ratioToPeerAtLeastOnce, "%.2f"), "", "");
        row(s, "plain-client peer, transactional", rate(peerTransactionalWindowsPerSec), "", "");
        row(s, "  streamer's ratio to it", num(ratioToPeerTransactional, "%.2f"), goal("peer"), met("peer"));
        row(s, "streamer, batch size 1", rate(perRecordWindowsPerSec), "", "");
        row(s, "  batching gain", times(batchingGain), goal("batching"), met("batching"));
        row(s, "alarm stage cost (windows/s)", percent(alarmStageCost), goal("alarms"), met("alarms"));
        row(s, "  CPU per window with / without it", num(alarmStageCpuPerWindow, "%.2fx"), "", "");
    }

    /** The predictor alone, per batch size. */
    private void appendInferenceRows(StringBuilder s) {
        for (InferencePoint p : inference) {
            row(
                    s,
                    "inference alone, batch " + p.batchSize(),
                    rate(p.windowsPerSec()),
                    String.format(Locale.ROOT, "%.3f ms/call", p.msPerCall()),
                    "");
        }
        row(s, "  inference gain, 256 over 1", times(inferenceGain256), goal("inference"), met("inference"));
    }

    /** Produce to readable, per rate and commit interval. */
    private void appendLatencyRows(StringBuilder s) {
        for (Latency l : latency) {
            String name =
                    String.format(Locale.ROOT, "latency @ %.0f/s, commit %d ms", l.ratePerSec(), l.commitIntervalMs());
            String value = String.format(
                    Locale.ROOT,
                    "p50 %s  p95 %s  p99 %s ms",
                    num(l.p50Ms(), "%.0f"),
                    num(l.p95Ms(), "%.0f"),
                    num(l.p99Ms(), "%.0f"));
            String key = latencyKey(l);
            row(s, name, value, goal(key), met(key));
            FeedSilent f = l.feedSilent();
            if (f != null) {
                boolean met = f.raised() == f.patients() && f.p95Ms() != null && f.p95Ms() <= f.silenceMs() + 2000;
                row(
                        s,
                        "  feed stopped -> FEED_SILENT",
                        String.format(
                                Locale.ROOT,
                                "p50 %s  p95 %s ms, %d/%d",
                                num(f.p50Ms(), "%.0f"),
                                num(f.p95Ms(), "%.0f"),
                                f.raised(),
                                f.patients()),
                        "p95 <= " + (f.silenceMs() + 2000) + " ms",
                        met ? "met" : "NOT MET");
            }
        }
    }

    /** Memory over the soak, if it ran. */
    private void appendSoakRows(StringBuilder s) {
        if (soak != null) {
            row(
                    s,
                    String.format(Locale.ROOT, "soak @ %.0f/s, %.1f min", soak.ratePerSec(), soak.seconds() / 60),
                    "RSS " + num(soak.rssAfterWarmupMb(), "%.0f") + " -> " + num(soak.rssEndMb(), "%.0f MB")
                            + " (" + num(soak.rssGrowthMb(), "%+.0f MB") + ", "
                            + num(soak.rssSlopeMbPerMin(), "%+.1f MB/min") + ")",
                    goal("soak"),
                    met("soak"));
            row(
                    s,
                    "  JVM (NMT) / outside it",
                    num(soak.nmtGrowthMb(), "%+.0f MB") + " / " + num(soak.outsideNmtGrowthMb(), "%+.0f MB"),
                    "",
                    "");
        }
    }

    /** Each fault of the failover phase, if it ran: the worst wait, and how soon every partition scored again. */
    private void appendFailoverRows(StringBuilder s) {
        if (failover == null) {
            return;
        }
        for (FailoverRun r : failover.runs()) {
            String name = String.format(
                    Locale.ROOT,
                    "failover: %s, %d x %d partitions @ %.0f/s",
                    r.fault(),
                    r.fault().equals("restart") ? 1 : failover.instances(),
                    failover.partitions(),
                    failover.ratePerSec());
            String value = String.format(
                    Locale.ROOT,
                    "worst %s, again in %s",
                    num(r.worstDelayMs() == null ? null : r.worstDelayMs() / 1000, "%.1f s"),
                    num(r.readableAgainSeconds(), "%.1f s"));
            String key = failoverKey(r);
            row(s, name, value, goal(key), met(key));
            row(
                    s,
                    "  exactly once",
                    String.format(
                            Locale.ROOT, "%,d sent, %,d missing, %,d twice", r.sent(), r.missing(), r.duplicates()),
                    "",
                    "");
        }
    }

    static String failoverKey(FailoverRun r) {
        return "failover-" + r.fault();
    }

    /** The streamer's memory at the end of its full-load phase. */
    private void appendMemoryRows(StringBuilder s) {
        row(s, "streamer RSS at end of full load", num(rssMb, "%.0f MB"), goal("rss"), met("rss"));
        row(s, "  RSS peak (VmHWM)", num(rssPeakMb, "%.0f MB"), "", "");
        row(
                s,
                "  heap used / committed / max",
                num(heapUsedMb, "%.0f") + " / " + num(heapCommittedMb, "%.0f") + " / " + num(heapMaxMb, "%.0f MB"),
                "",
                "");
    }

    /** One line per measured application run. */
    private void appendPhaseLines(StringBuilder s) {
        s.append(System.lineSeparator()).append("  phases:").append(System.lineSeparator());
        for (Phase p : phases) {
            s.append(String.format(
                    Locale.ROOT,
                    "    %-18s %,9d windows in %6.2f s = %,7.0f/s (2nd half %s/s); cores: app %s (%s us CPU"
                            + " per window), bench+broker %s; mean batch %s; inference %s of the time;%s RSS %s MB%n",
                    p.name(),
                    p.windows(),
                    p.seconds(),
                    p.windowsPerSec(),
                    num(p.secondHalfWindowsPerSec(), "%,.0f"),
                    num(p.childCores(), "%.2f"),
                    num(p.appCpuMicrosPerWindow(), "%.0f"),
                    num(p.benchCores(), "%.2f"),
                    num(p.meanBatchSize(), "%.1f"),
                    p.inferenceShare() == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * p.inferenceShare()),
                    p.alarms() == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " alarms %,d (%.1f per 1,000 windows);",
                                    p.alarms(),
                                    1000.0 * p.alarms() / p.windows()),
                    num(p.rssMb(), "%.0f")));
        }
    }

    static String latencyKey(Latency l) {
        return String.format(Locale.ROOT, "latency@%.0f/commit%d", l.ratePerSec(), l.commitIntervalMs());
    }

    private String goal(String name) {
        return targets.stream()
                .filter(t -> t.name().equals(name))
                .map(Target::goal)
                .findFirst()
                .orElse("");
    }

    private String met(String name) {
        return targets.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .map(t -> t.met() == null ? "not measured" : t.met() ? "met" : "NOT MET")
                .orElse("");
    }

    private static void row(StringBuilder s, String name, String value, String goal, String met) {
        s.append(String.format(Locale.ROOT, "  %-34s %-32s %-16s %s%n", name, value, goal, met));
    }

    private static String rate(Double perSec) {
        return perSec == null ? "-" : String.format(Locale.ROOT, "%,.0f windows/s", perSec);
    }

    private static String percent(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String times(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.1fx", x);
    }

    private static String num(Double x, String format) {
        return x == null ? "-" : String.format(Locale.ROOT, format, x);
    }
}
