package ecgdetector.trainer.alarms;

import ecgdetector.trainer.CommittedRecord;
import ecgdetector.trainer.Machine;
import ecgdetector.trainer.SelectionRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code alarm-selection.json}: what the choice of the alarm rules' defaults compared and what it chose. The
 * defaults of {@link ecgdetector.model.alarm.AlarmRule} (N, M, ratio, K) are the choice of the record committed in
 * the trainer's resources: a new default comes from a new {@code ./ecg alarms --select} run, never from an edit.
 *
 * <p>Every figure is of scenario feeds built from the training part alone, each beat scored by the model of a fold
 * that did not train on it ({@link ecgdetector.trainer.selection.OutOfFoldScores}) and judged against the release's
 * threshold, as the streamer judges it. The test part is not touched.
 *
 * @param formatVersion this record's format
 * @param createdAt when the selection finished, ISO-8601 UTC
 * @param machine where it ran
 * @param data the data and its parts; the selection used the training part only
 * @param release the release whose rules are chosen
 * @param folds the folds that scored the training part
 * @param beats what the training part holds and how its folds judge it
 * @param seed the scenario feeds' seed
 * @param patientHours normal patient-hours per candidate
 * @param trials inserted runs per run length and candidate
 * @param runs the run lengths inserted
 * @param grid the candidates compared
 * @param targets what a candidate must reach
 * @param rule how the choice follows from the candidates' figures
 * @param candidates every candidate's figures, in the grid's order
 * @param choice the candidate the rule picked
 * @param wallSeconds how long the selection took
 */
public record AlarmSelectionRecord(
        int formatVersion,
        String createdAt,
        Machine machine,
        SelectionRecord.DataUsed data,
        Release release,
        Folds folds,
        Beats beats,
        long seed,
        double patientHours,
        int trials,
        List<Integer> runs,
        AlarmSelection.Grid grid,
        AlarmSelection.Targets targets,
        String rule,
        List<Candidate> candidates,
        Choice choice,
        double wallSeconds) {

    public static final int FORMAT_VERSION = 2;

    /** Where the record the alarm defaults come from sits on the class path. */
    public static final String COMMITTED_RESOURCE = "/ecgdetector/trainer/alarm-selection.json";

    private static final CommittedRecord<AlarmSelectionRecord> FILE = new CommittedRecord<>(
            AlarmSelectionRecord.class, COMMITTED_RESOURCE, AlarmSelectionRecord::formatVersion, FORMAT_VERSION);

    public AlarmSelectionRecord {
        runs = List.copyOf(runs);
        candidates = List.copyOf(candidates);
    }

    /**
     * @param model the release's model name and version
     * @param errorMetric its error metric, which the folds score with
     * @param thresholdPolicy how its threshold was chosen
     * @param splitSeed the seed of its train/test split, its validation fold and (plus 2) the folds
     */
    public record Release(String model, String errorMetric, String thresholdPolicy, long splitSeed) {}

    /**
     * @param folds how many folds the training part was cut into (those of {@code ./ecg select})
     * @param thresholds each fold's own threshold (its policy on its validation fold), in fold order: how far a
     *     threshold moves with the beats it is chosen on; every figure judges beats by the release's
     * @param seconds wall time of the folds' training and scoring
     */
    public record Folds(int folds, List<Double> thresholds, double seconds) {
        public Folds {
            thresholds = List.copyOf(thresholds);
        }
    }

    /**
     * @param normal normal beats of the training part, which normal patients are made of
     * @param abnormal abnormal beats of the training part, which inserted runs are made of
     * @param normalFlagged the share of {@code normal} above the release's threshold, scored out of fold
     * @param abnormalFlagged the share of {@code abnormal} above the release's threshold, scored out of fold
     */
    public record Beats(int normal, int abnormal, double normalFlagged, double abnormalFlagged) {}

    /**
     * One candidate rule's figures.
     *
     * @param falseAlarmsPerPatientHour on normal patients made of every fold's beats
     * @param sensitivity by run length, in the order of the record's runs, on runs of every fold's beats
     * @param folds the same figures on each fold's beats alone, in fold order
     * @param margin the smallest of the folds' margins: what the rule ranks by
     */
    public record Candidate(
            int beats,
            int window,
            double ratio,
            int clearBeats,
            double falseAlarmsPerPatientHour,
            List<Double> sensitivity,
            double medianMsToRaised,
            double p95MsToRaised,
            List<FoldFigures> folds,
            double margin) {
        public Candidate {
            sensitivity = List.copyOf(sensitivity);
            folds = List.copyOf(folds);
        }
    }

    /**
     * A candidate on the feeds of one fold's beats.
     *
     * @param sensitivity by run length, in the order of the record's runs
     * @param margin the smallest of its slacks against the targets, each as a share of what the target allows
     *     (negative: a target missed)
     */
    public record FoldFigures(double falseAlarmsPerPatientHour, List<Double> sensitivity, double margin) {
        public FoldFigures {
            sensitivity = List.copyOf(sensitivity);
        }

        static double worstMargin(List<FoldFigures> folds) {
            return folds.stream()
                    .mapToDouble(FoldFigures::margin)
                    .min()
                    .orElseThrow(() -> new IllegalArgumentException("no folds"));
        }
    }

    /**
     * @param metTargets whether the chosen candidate reaches every target (if none does, the rule still picks
     *     the one closest to them, and says so)
     */
    public record Choice(int beats, int window, double ratio, int clearBeats, boolean metTargets) {}

    /** The record the alarm defaults come from. */
    public static AlarmSelectionRecord committed() {
        return FILE.committed();
    }

    public static AlarmSelectionRecord read(Path file) throws IOException {
        return FILE.read(file);
    }

    public void write(Path file) throws IOException {
        FILE.write(this, file);
    }
}
