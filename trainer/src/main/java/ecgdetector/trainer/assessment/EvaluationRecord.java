package ecgdetector.trainer.assessment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import ecgdetector.schemas.Json;
import ecgdetector.trainer.Machine;
import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.evaluation.Spread;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code evaluation.json}: test figures of one recipe over several stratified splits of {@code ecg.csv}
 * and on the UCR archive's own split, each from a full training run ({@code ./ecg train --seed N}) whose
 * test part nothing else looked at. Per UCR class, how many of its test beats were flagged.
 *
 * @param formatVersion this record's format
 * @param createdAt when the evaluation finished, ISO-8601 UTC
 * @param machine where it ran: the figures depend on the processor
 * @param recipe the recipe the runs started from
 * @param settings the settings that decide the model, as a release's provenance records them, the seed
 *     left out (each run has its own)
 * @param data the file the splits were made from
 * @param splits one entry per split seed, in the order run
 * @param overSplits mean and sample standard deviation of each figure over the splits
 * @param classesOverSplits per UCR class, the splits' test beats flagged, added up over the splits; empty
 *     when the UCR files were not given
 * @param ucr the UCR split's run; null when the UCR files were not given
 * @param wallSeconds how long the whole evaluation took
 */
public record EvaluationRecord(
        int formatVersion,
        String createdAt,
        Machine machine,
        String recipe,
        Map<String, Object> settings,
        Source data,
        List<SplitRun> splits,
        Summary overSplits,
        List<ClassOutcome> classesOverSplits,
        UcrRun ucr,
        double wallSeconds) {

    public static final int FORMAT_VERSION = 1;

    public EvaluationRecord {
        settings = new TreeMap<>(settings);
        splits = List.copyOf(splits);
        classesOverSplits = List.copyOf(classesOverSplits);
    }

    /** A data file: path as given, digest, beats. */
    public record Source(String source, String sha256, int rows) {}

    /**
     * @param seed the run's {@code --seed}: its split, validation fold, initial weights
     * @param test figures on its test part
     * @param threshold the threshold the run chose on its training part
     * @param trainSeconds the run's wall time: training, evaluation, plots
     */
    public record SplitRun(long seed, TrainingReport.Figures test, double threshold, double trainSeconds) {}

    /** Each figure's mean and sample standard deviation over the splits. */
    public record Summary(Spread accuracy, Spread precision, Spread recall, Spread f1, Spread rocAuc, Spread prAuc) {}

    /**
     * @param ucrClass the class's number in the UCR files
     * @param name what the archive calls it
     * @param beats test beats of the class
     * @param flagged of those, how many scored above the threshold: caught anomalies, or for class 1
     *     (normal) false alarms
     */
    public record ClassOutcome(int ucrClass, String name, int beats, int flagged) {
        /** {@code flagged / beats}: the class's recall, or for normal beats the false-alarm rate. */
        public double flaggedShare() {
            return beats == 0 ? 0 : (double) flagged / beats;
        }
    }

    /**
     * @param train the file trained on (its normal beats) and calibrated on
     * @param test the file every figure comes from
     * @param seed the run's seed: validation fold and initial weights
     * @param figures on the whole test file
     * @param threshold the threshold chosen on the training file
     * @param classes per UCR class, the test beats flagged
     * @param trainSeconds the run's wall time
     */
    public record UcrRun(
            Source train,
            Source test,
            long seed,
            TrainingReport.Figures figures,
            double threshold,
            List<ClassOutcome> classes,
            double trainSeconds) {
        public UcrRun {
            classes = List.copyOf(classes);
        }
    }

    public static EvaluationRecord read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            EvaluationRecord record = Json.mapper()
                    .readerFor(EvaluationRecord.class)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(in);
            if (record.formatVersion() != FORMAT_VERSION) {
                throw new IllegalArgumentException(file + ": evaluation record format " + record.formatVersion()
                        + ", this trainer reads format " + FORMAT_VERSION);
            }
            return record;
        }
    }

    public void write(Path file) throws IOException {
        Files.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }
}
