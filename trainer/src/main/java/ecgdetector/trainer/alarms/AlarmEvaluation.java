package ecgdetector.trainer.alarms;

import ecgdetector.model.alarm.AlarmEngine;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.alarm.BeatQuality;
import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.model.alarm.ScoredBeat;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
import ecgdetector.schemas.ModelRef;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.data.Heartbeats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The alarm rules on scenario feeds built from one part's beats only (the held-out test part, or for choosing
 * the defaults the training part's validation fold), run through the very
 * {@link AlarmEngine} the streamer runs: normal patients (normal beats at 60-100 bpm with beat-to-beat
 * variation), patients with one run of 1..{@link #MAX_RUN} abnormal beats inserted at a random time, and
 * synthetic flat, clipped and out-of-range beats. Seeded: the same seed, release and part give the same
 * figures. Silence is not simulated here: FEED_SILENT is the streamer's wall clock (tested in the topology
 * tests); its bound is the silence time plus one tick.
 */
public final class AlarmEvaluation {

    public static final int MAX_RUN = 10;
    /** Normal beats before an inserted run: more than the clear rule needs, so a run starts on a quiet patient. */
    static final int LEAD_IN = 40;

    /** How a rule did: false alarms per patient-hour and sensitivity (and time to RAISED) by run length. */
    public record RuleFigures(
            String rule,
            double falseAlarmsPerPatientHour,
            double[] sensitivityByRun,
            double medianMsToRaised,
            double p95MsToRaised) {

        public double sensitivity(int run) {
            return sensitivityByRun[run - 1];
        }
    }

    /** Everything measured, and on what. */
    public record Figures(
            long seed,
            String model,
            String errorMetric,
            int testNormalBeats,
            int testAbnormalBeats,
            double shareOfNormalBeatsFlagged,
            double shareOfAbnormalBeatsFlagged,
            double patientHours,
            double perBeatAlertsPerPatientHour,
            int trialsPerRun,
            RuleFigures defaultRule,
            List<RuleFigures> curve,
            double qualityFlaggedNormal,
            double qualityFlaggedAbnormal,
            double qualityFlaggedSyntheticBad) {}

    private final TrainingResult trained;
    private final long seed;
    private final double patientHours;
    private final int trials;
    private final float[][] normal;
    private final float[][] abnormal;
    private final double[] normalRatios;
    private final double[] abnormalRatios;
    private final AlarmCause[] normalQuality;
    private final AlarmCause[] abnormalQuality;
    private final BeatQuality quality;
    private final ModelRef model;

    /** On the held-out test part: the evaluation of rules chosen elsewhere. */
    public AlarmEvaluation(TrainingResult trained, long seed, double patientHours, int trials) {
        this(trained, trained.test(), trained.testScores(), seed, patientHours, trials);
    }

    /**
     * On {@code beats} with the release's {@code scores} of them: the test part to evaluate, the training
     * part's validation fold to choose on ({@link AlarmSelection}).
     */
    public AlarmEvaluation(
            TrainingResult trained, Heartbeats beats, float[] scores, long seed, double patientHours, int trials) {
        this.trained = trained;
        this.seed = seed;
        this.patientHours = patientHours;
        this.trials = trials;
        double threshold = trained.release().manifest().threshold();
        quality = BeatQuality.of(MinMaxScaler.of(trained.release().manifest().scaler()));
        List<Integer> n = new ArrayList<>();
        List<Integer> a = new ArrayList<>();
        for (int i = 0; i < beats.size(); i++) {
            (beats.normal()[i] ? n : a).add(i);
        }
        normal = new float[n.size()][];
        normalRatios = new double[n.size()];
        normalQuality = new AlarmCause[n.size()];
        for (int k = 0; k < n.size(); k++) {
            normal[k] = beats.beats()[n.get(k)];
            normalRatios[k] = scores[n.get(k)] / threshold;
            normalQuality[k] = quality.check(normal[k]);
        }
        abnormal = new float[a.size()][];
        abnormalRatios = new double[a.size()];
        abnormalQuality = new AlarmCause[a.size()];
        for (int k = 0; k < a.size(); k++) {
            abnormal[k] = beats.beats()[a.get(k)];
            abnormalRatios[k] = scores[a.get(k)] / threshold;
            abnormalQuality[k] = quality.check(abnormal[k]);
        }
        model = new ModelRef(
                trained.release().manifest().modelName(),
                trained.release().manifest().version());
    }

    /** The figures of {@code rule} and the whole curve of the rule family around it. */
    public Figures run(AlarmRule rule) {
        List<RuleFigures> curve = new ArrayList<>();
        for (double ratio : new double[] {1.0, 1.2, 1.5, 2.0, 3.0}) {
            for (int m = 1; m <= 5; m++) {
                for (int nOfM = 1; nOfM <= m; nOfM++) {
                    curve.add(measure(rule.withBeats(nOfM, m, ratio)));
                }
            }
        }
        return figures(rule, curve);
    }

    /** The figures of {@code rule} alone, without the curve: what the demo's summary shows. */
    public Figures runRule(AlarmRule rule) {
        return figures(rule, List.of());
    }

    private Figures figures(AlarmRule rule, List<RuleFigures> curve) {
        return new Figures(
                seed,
                model.name() + " " + model.version(),
                trained.release().manifest().scoring().metric(),
                normal.length,
                abnormal.length,
                share(normalRatios, 1.0),
                share(abnormalRatios, 1.0),
                patientHours,
                perBeatAlertsPerHour(),
                trials,
                measure(rule),
                curve,
                shareFlagged(normalQuality),
                shareFlagged(abnormalQuality),
                syntheticBadFlagged());
    }

    /** A normal patient's beats: their times (ms) and, into {@code beats}, which normal beat each is. */
    private long[] normalStream(Random random, int[] beats) {
        double bpm = 60 + 40 * random.nextDouble();
        long[] times = new long[beats.length];
        long t = 0;
        for (int i = 0; i < beats.length; i++) {
            double interval = 60_000 / bpm * (1 + 0.05 * random.nextGaussian());
            t += (long) Math.max(300, interval);
            times[i] = t;
            beats[i] = random.nextInt(normal.length);
        }
        return times;
    }

    private double perBeatAlertsPerHour() {
        // 80 bpm on average over the hour: the per-beat alert rate is the share flagged times the beats.
        return share(normalRatios, 1.0) * 80 * 60;
    }

    RuleFigures measure(AlarmRule rule) {
        int[] runs = new int[MAX_RUN];
        Arrays.setAll(runs, i -> i + 1);
        Measured m = measure(rule, runs);
        return new RuleFigures(
                rule.shortName(),
                m.falseAlarmsPerPatientHour(),
                m.sensitivity(),
                m.medianMsToRaised(),
                m.p95MsToRaised());
    }

    /**
     * False alarms per patient-hour, and the sensitivity for each of {@code runs} (in its order) with the time
     * to RAISED over all of them. Every rule sees the same patients: the streams come from the seed alone.
     */
    public Measured measure(AlarmRule rule, int[] runs) {
        AlarmEngine engine = new AlarmEngine(rule);
        Random random = new Random(seed);
        // Normal patients: hour-long streams until the patient-hours are in.
        int patients = (int) Math.ceil(patientHours);
        long falseAlarms = 0;
        double hours = 0;
        List<Alarm> out = new ArrayList<>();
        for (int p = 0; p < patients; p++) {
            int beatsInHour = 60 * 120;
            int[] beats = new int[beatsInHour];
            long[] times = normalStream(random, beats);
            PatientAlarms state = engine.newPatient();
            long hourMs = 3_600_000;
            int i = 0;
            for (; i < beats.length && times[i] <= hourMs; i++) {
                engine.beat(state, beat(p, i, times[i], normalRatios[beats[i]], normalQuality[beats[i]]), out);
            }
            falseAlarms += out.stream()
                    .filter(a -> a.type() == AlarmType.ANOMALOUS_BEATS && a.state() == AlarmState.RAISED)
                    .count();
            out.clear();
            hours += 1;
        }
        double[] sensitivity = new double[runs.length];
        List<Long> delays = new ArrayList<>();
        for (int r = 0; r < runs.length; r++) {
            int run = runs[r];
            int detected = 0;
            for (int trial = 0; trial < trials; trial++) {
                int start = LEAD_IN + random.nextInt(LEAD_IN);
                int length = start + run + 2 * rule.window();
                int[] beats = new int[length];
                long[] times = normalStream(random, beats);
                PatientAlarms state = engine.newPatient();
                long raisedAt = -1;
                for (int i = 0; i < length; i++) {
                    boolean inRun = i >= start && i < start + run;
                    int k = inRun ? random.nextInt(abnormal.length) : beats[i];
                    double ratio = inRun ? abnormalRatios[k] : normalRatios[beats[i]];
                    AlarmCause quality = inRun ? abnormalQuality[k] : normalQuality[beats[i]];
                    engine.beat(state, beat(trial, i, times[i], ratio, quality), out);
                    boolean raised = out.stream()
                            .anyMatch(a -> a.type() == AlarmType.ANOMALOUS_BEATS && a.state() == AlarmState.RAISED);
                    if (raised && inRun && raisedAt < 0) {
                        raisedAt = times[i] - times[start];
                    }
                    out.clear();
                }
                if (raisedAt >= 0) {
                    detected++;
                    delays.add(raisedAt);
                }
            }
            sensitivity[r] = detected / (double) trials;
        }
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Measured(falseAlarms / hours, sensitivity, percentile(sorted, 50), percentile(sorted, 95));
    }

    /** What {@link #measure(AlarmRule, int[])} found; {@code sensitivity} in the order of the runs asked for. */
    public record Measured(
            double falseAlarmsPerPatientHour, double[] sensitivity, double medianMsToRaised, double p95MsToRaised) {}

    /** Normal and abnormal beats of the part this evaluation draws from. */
    public int normalBeats() {
        return normal.length;
    }

    public int abnormalBeats() {
        return abnormal.length;
    }

    /** The share of the part's normal, or abnormal, beats above the threshold: the detector the figures used. */
    public double shareFlagged(boolean normalBeats) {
        return share(normalBeats ? normalRatios : abnormalRatios, 1.0);
    }

    private ScoredBeat beat(int patient, int index, long time, double ratio, AlarmCause quality) {
        return new ScoredBeat("p" + patient, "scenario", 0, index, time, ratio, quality, model, time);
    }

    private double syntheticBadFlagged() {
        Random random = new Random(seed);
        int flagged = 0;
        int n = 0;
        for (int i = 0; i < 300; i++) {
            float[] source = normal[random.nextInt(normal.length)];
            float[][] bad = {flat(source, random), clipped(source), outOfRange(source, random)};
            for (float[] b : bad) {
                n++;
                if (quality.check(b) != null) {
                    flagged++;
                }
            }
        }
        return flagged / (double) n;
    }

    /** A lead off: a constant with a little noise. */
    static float[] flat(float[] source, Random random) {
        float[] b = new float[source.length];
        float level = (float) random.nextGaussian();
        for (int i = 0; i < b.length; i++) {
            b[i] = level + (float) (0.01 * random.nextGaussian());
        }
        return b;
    }

    /** A saturated amplifier: the beat cut at a third of its range from either end. */
    static float[] clipped(float[] source) {
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        for (float v : source) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        float hi = max - (max - min) / 3;
        float lo = min + (max - min) / 3;
        float[] b = new float[source.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.max(lo, Math.min(hi, source[i]));
        }
        return b;
    }

    /** A beat in other units: millivolts times a thousand, say, or a large offset. */
    static float[] outOfRange(float[] source, Random random) {
        float scale = 20 + 80 * random.nextFloat();
        float[] b = new float[source.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = source[i] * scale + 10 * scale;
        }
        return b;
    }

    private static double share(double[] ratios, double above) {
        return Arrays.stream(ratios).filter(r -> r > above).count() / (double) ratios.length;
    }

    private static double shareFlagged(AlarmCause[] quality) {
        return Arrays.stream(quality).filter(q -> q != null).count() / (double) quality.length;
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The figures as Markdown: the headline against per-beat alerts, then the whole curve. */
    public static String markdown(Figures f) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Seed %d, release %s (error metric `%s`), %d normal and %d abnormal test beats: %.2f%% of normal"
                        + " and %.2f%% of abnormal beats above the threshold. %.0f normal patient-hours; %d trials"
                        + " per run length.%n%n",
                f.seed(),
                f.model(),
                f.errorMetric(),
                f.testNormalBeats(),
                f.testAbnormalBeats(),
                100 * f.shareOfNormalBeatsFlagged(),
                100 * f.shareOfAbnormalBeatsFlagged(),
                f.patientHours(),
                f.trialsPerRun()));
        RuleFigures d = f.defaultRule();
        s.append("| on normal patients | per patient-hour |\n|---|---|\n");
        s.append(String.format(
                Locale.ROOT, "| per-beat alerts (`ecg.alerts`) | %.1f |%n", f.perBeatAlertsPerPatientHour()));
        s.append(String.format(
                Locale.ROOT,
                "| alarm episodes RAISED, default rule `%s` | %.2f |%n%n",
                d.rule(),
                d.falseAlarmsPerPatientHour()));
        s.append(String.format(
                Locale.ROOT,
                "Default rule: time from an episode's first abnormal beat to RAISED: median %.0f ms, p95 %.0f ms.%n%n",
                d.medianMsToRaised(),
                d.p95MsToRaised()));
        s.append(String.format(
                Locale.ROOT,
                "Signal quality: flags %.2f%% of normal and %.2f%% of abnormal test beats, %.2f%% of synthetic flat,"
                        + " clipped and out-of-range beats.%n%n",
                100 * f.qualityFlaggedNormal(),
                100 * f.qualityFlaggedAbnormal(),
                100 * f.qualityFlaggedSyntheticBad()));
        s.append("| rule | false alarms / patient-hour |");
        for (int run = 1; run <= MAX_RUN; run++) {
            s.append(" run ").append(run).append(" |");
        }
        s.append("\n|---|---|");
        s.append("---|".repeat(MAX_RUN));
        s.append('\n');
        List<RuleFigures> rows = new ArrayList<>(f.curve());
        rows.add(0, d);
        for (RuleFigures r : rows) {
            s.append(String.format(Locale.ROOT, "| %s | %.2f |", r.rule(), r.falseAlarmsPerPatientHour()));
            for (int run = 1; run <= MAX_RUN; run++) {
                s.append(String.format(Locale.ROOT, " %.3f |", r.sensitivity(run)));
            }
            s.append('\n');
        }
        return s.toString();
    }
}
