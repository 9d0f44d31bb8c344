package ecgdetector.trainer;

import ecgdetector.trainer.evaluation.Spread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code selection.json}: what a model selection compared and what it chose. The default recipe ({@link
 * Recipe#IMPROVED}) is the choice of the record committed in the trainer's resources, and nothing else: a
 * new default comes from a new selection run, never from an edit.
 *
 * <p>Every figure is out-of-fold: from beats of the training part that the fold's model, scaler and
 * threshold never saw. The test part of the split is not touched by a selection.
 *
 * @param formatVersion this record's format
 * @param createdAt when the selection finished, ISO-8601 UTC
 * @param machine where it ran: the figures depend on the processor
 * @param data the data and the part of it the selection used
 * @param seed the seed of the train/test split and of the folds
 * @param grid the candidates compared
 * @param rule how the choice follows from the candidates' figures
 * @param candidates every candidate's figures, in the grid's order
 * @param choice the candidate the rule picked, with every setting it stands for
 * @param wallSeconds how long the selection took
 */
public record SelectionRecord(
        int formatVersion,
        String createdAt,
        Machine machine,
        DataUsed data,
        long seed,
        SelectionGrid grid,
        String rule,
        List<Candidate> candidates,
        Choice choice,
        double wallSeconds) {

    public static final int FORMAT_VERSION = 1;

    /** Where the record the default recipe comes from sits on the classpath. */
    public static final String COMMITTED_RESOURCE = "/ecgdetector/trainer/selection.json";

    public SelectionRecord {
        candidates = List.copyOf(candidates);
    }

    /**
     * @param source the data file
     * @param sha256 its digest
     * @param rows beats in it
     * @param testFraction the share of each class held out as the test part
     * @param trainingPart beats of the training part, which the folds divide
     * @param testPart beats of the test part, which the selection never looks at
     */
    public record DataUsed(
            String source, String sha256, int rows, double testFraction, int trainingPart, int testPart) {}

    /**
     * One candidate's out-of-fold figures.
     *
     * @param variant the training variant's name
     * @param errorMetric the error metric
     * @param threshold the threshold policy
     * @param figures mean and standard deviation over the folds
     * @param foldAccuracy each fold's accuracy, in fold order
     * @param trainSeconds mean wall time to train one fold's model
     * @param trainingCost weight updates per fold's training (members x steps x weights), in millions: a
     *     measure of training time that does not depend on the machine or its load
     */
    public record Candidate(
            String variant,
            String errorMetric,
            String threshold,
            Figures figures,
            List<Double> foldAccuracy,
            double trainSeconds,
            double trainingCost) {
        public Candidate {
            foldAccuracy = List.copyOf(foldAccuracy);
        }
    }

    /** Mean and standard deviation over the folds, anomaly the positive class. */
    public record Figures(Spread accuracy, Spread precision, Spread recall, Spread f1, Spread rocAuc, Spread prAuc) {}

    /**
     * @param variant the chosen training variant
     * @param errorMetric the chosen error metric
     * @param threshold the chosen threshold policy
     * @param settings every setting the choice stands for, named and written as on the command line, over
     *     the notebook recipe's values
     */
    public record Choice(String variant, String errorMetric, String threshold, Map<String, String> settings) {
        public Choice {
            Objects.requireNonNull(settings, "settings");
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    private static final CommittedRecord<SelectionRecord> FILE = new CommittedRecord<>(
            SelectionRecord.class, COMMITTED_RESOURCE, SelectionRecord::formatVersion, FORMAT_VERSION);

    /** The record the default recipe comes from. */
    public static SelectionRecord committed() {
        return FILE.committed();
    }

    public static SelectionRecord read(Path file) throws IOException {
        return FILE.read(file);
    }

    public void write(Path file) throws IOException {
        FILE.write(this, file);
    }
}
