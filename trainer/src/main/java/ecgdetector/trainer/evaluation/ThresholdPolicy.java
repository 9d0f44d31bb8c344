package ecgdetector.trainer.evaluation;

import java.util.Locale;
import java.util.regex.Matcher;

/**
 * How the anomaly threshold is chosen. A beat is then predicted abnormal iff its reconstruction
 * error is strictly greater than the threshold.
 *
 * <p>Every policy sees only {@link CalibrationData} (training and validation beats), never the test
 * set, so the test metrics stay honest. Each has a canonical command-line spelling, returned by
 * {@link #describe()} and {@code toString()} and accepted by {@link #parse(String)}:
 *
 * <ul>
 *   <li>{@code mean+<k>std}, e.g. {@code mean+1std}, {@code mean+2.5std}: {@link MeanPlusStd};
 *   <li>{@code p<percentile>}, e.g. {@code p99}, {@code p99.5}: {@link Percentile};
 *   <li>{@code recall>=<share>}, e.g. {@code recall>=0.99}: {@link MinRecall};
 *   <li>{@code best-f1}: {@link BestF1}.
 * </ul>
 */
public sealed interface ThresholdPolicy {

    /** mean + 1 std of the normal training errors, as the reference notebooks do. */
    ThresholdPolicy DEFAULT = new MeanPlusStd(1);

    /** The spellings {@link #parse(String)} accepts, in words. */
    String FORMS = PolicySyntax.FORMS;

    /** The single {@link BestF1} instance. */
    ThresholdPolicy BEST_F1 = new BestF1();

    /**
     * @throws IllegalArgumentException if {@code data} lacks what this policy needs
     */
    double threshold(CalibrationData data);

    /** The canonical spelling, which {@link #parse(String)} maps back to an equal policy. */
    String describe();

    /**
     * Parses {@code mean+<k>std}, {@code p<percentile>}, {@code recall>=<share>} or {@code best-f1},
     * ignoring case and surrounding blanks; {@code mean+std} is accepted for {@code mean+1std}.
     *
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them,
     *     or the valid range when the number is out of it
     */
    static ThresholdPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty threshold policy; " + PolicySyntax.EXPECTED);
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("best-f1")) {
            return BEST_F1;
        }
        Matcher mean = PolicySyntax.MEAN_PLUS_STD.matcher(s);
        if (mean.matches()) {
            double k = mean.group(1) == null ? 1 : Double.parseDouble(mean.group(1));
            return new MeanPlusStd(k);
        }
        Matcher percentile = PolicySyntax.PERCENTILE.matcher(s);
        if (percentile.matches()) {
            double p = Double.parseDouble(percentile.group(1));
            if (p > 100) {
                throw new IllegalArgumentException(
                        "percentile must be between 0 and 100, got " + percentile.group(1) + " in '" + text + "'");
            }
            return new Percentile(p);
        }
        Matcher recall = PolicySyntax.MIN_RECALL.matcher(s);
        if (recall.matches()) {
            double share = Double.parseDouble(recall.group(1));
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException(
                        "the recall must be in (0, 1], got " + recall.group(1) + " in '" + text + "'");
            }
            return new MinRecall(share);
        }
        throw new IllegalArgumentException("unknown threshold policy '" + text + "'; " + PolicySyntax.EXPECTED);
    }

    /**
     * mean + k·std of the reconstruction errors of the normal training beats, std being the
     * population standard deviation ({@code np.std}, ddof=0).
     *
     * @param k number of standard deviations above the mean; finite and >= 0
     */
    record MeanPlusStd(double k) implements ThresholdPolicy {

        public MeanPlusStd {
            if (!(Double.isFinite(k) && k >= 0)) {
                throw new IllegalArgumentException("k must be finite and >= 0, got " + k);
            }
        }

        @Override
        public double threshold(CalibrationData data) {
            return threshold(data.normalTrainingErrors());
        }

        /**
         * @throws IllegalArgumentException if there are no errors or one is not finite
         */
        public double threshold(float[] normalTrainingErrors) {
            requireErrors(normalTrainingErrors);
            return Stats.mean(normalTrainingErrors) + k * Stats.populationStd(normalTrainingErrors);
        }

        @Override
        public String describe() {
            return "mean+" + PolicySyntax.number(k) + "std";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * The p-th percentile of the reconstruction errors of the normal training beats, interpolated
     * linearly as {@code np.percentile} does by default. Roughly (100 - p)% of normal beats like
     * the training ones will be flagged.
     *
     * @param p in [0, 100]
     */
    record Percentile(double p) implements ThresholdPolicy {

        public Percentile {
            if (!(p >= 0 && p <= 100)) {
                throw new IllegalArgumentException("percentile must be between 0 and 100, got " + p);
            }
        }

        @Override
        public double threshold(CalibrationData data) {
            return threshold(data.normalTrainingErrors());
        }

        /**
         * @throws IllegalArgumentException if there are no errors or one is not finite
         */
        public double threshold(float[] normalTrainingErrors) {
            requireErrors(normalTrainingErrors);
            return Stats.percentile(normalTrainingErrors, p);
        }

        @Override
        public String describe() {
            return "p" + PolicySyntax.number(p);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * The threshold that maximizes F1 (anomaly positive) on labelled validation beats.
     *
     * <p>Candidates are the midpoints between consecutive distinct validation scores: every
     * threshold between two neighbouring scores gives the same predictions, and the midpoint is the
     * one least sensitive to small shifts in unseen scores. Thresholds below the lowest or above
     * the highest score are not candidates, since they flag every beat or none. When several
     * candidates reach the same F1 (compared exactly, as fractions) the lowest threshold wins,
     * trading false alarms for missed anomalies.
     */
    record BestF1() implements ThresholdPolicy {

        @Override
        public double threshold(CalibrationData data) {
            CalibrationData.Validation validation = data.validation()
                    .orElseThrow(() -> new IllegalArgumentException("best-f1 needs labelled validation beats; the"
                            + " calibration data has only training"
                            + " errors"));
            return threshold(validation.scores(), validation.isAnomaly());
        }

        /**
         * @throws IllegalArgumentException if the arrays differ in length, a score is not finite,
         *     either class is missing, or all scores are equal (there is then no candidate)
         */
        public double threshold(float[] validationScores, boolean[] validationIsAnomaly) {
            ScoreSweep sweep = ScoreSweep.of(validationScores, validationIsAnomaly);
            if (sweep.positives == 0 || sweep.negatives == 0) {
                throw new IllegalArgumentException("best-f1 needs validation beats of both classes, got "
                        + sweep.positives
                        + " abnormal and "
                        + sweep.negatives
                        + " normal");
            }
            if (sweep.groups() < 2) {
                throw new IllegalArgumentException("best-f1 needs at least two distinct validation scores; all "
                        + validationScores.length
                        + " are "
                        + validationScores[0]);
            }
            // F1 = 2tp / (2tp + fp + fn) = 2tp / (tp + fp + P), kept as a fraction for exact ties.
            long bestNumerator = -1;
            long bestDenominator = 1;
            int bestGroup = -1;
            // Groups run from the highest score down, so later candidates have lower thresholds and
            // win ties through >=.
            for (int g = 0; g + 1 < sweep.groups(); g++) {
                long tp = sweep.cumulativeTp[g];
                long numerator = 2 * tp;
                long denominator = tp + sweep.cumulativeFp[g] + sweep.positives;
                if (numerator * bestDenominator >= bestNumerator * denominator) {
                    bestNumerator = numerator;
                    bestDenominator = denominator;
                    bestGroup = g;
                }
            }
            return ((double) sweep.groupScores[bestGroup] + sweep.groupScores[bestGroup + 1]) / 2;
        }

        @Override
        public String describe() {
            return "best-f1";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * The highest threshold at which at least {@code target} of the labelled validation anomalies are
     * flagged: the detector raises as few alarms as it can while keeping that sensitivity on validation
     * data. For example {@code recall>=0.99} misses at most 1 in 100 validation anomalies.
     *
     * <p>With {@code k = ceil(target * anomalies)}, the threshold lies just below the k-th highest anomaly
     * score: the midpoint between it and the next lower validation score, as for {@link BestF1}, or just
     * below it when no validation score is lower.
     *
     * @param target the share of validation anomalies to flag, in (0, 1]
     */
    record MinRecall(double target) implements ThresholdPolicy {

        public MinRecall {
            if (!(target > 0 && target <= 1)) {
                throw new IllegalArgumentException("the recall must be in (0, 1], got " + target);
            }
        }

        @Override
        public double threshold(CalibrationData data) {
            CalibrationData.Validation validation = data.validation()
                    .orElseThrow(() -> new IllegalArgumentException(describe()
                            + " needs labelled validation beats; the calibration data has only" + " training errors"));
            return threshold(validation.scores(), validation.isAnomaly());
        }

        /**
         * @throws IllegalArgumentException if the arrays differ in length, a score is not finite or there
         *     is no validation anomaly
         */
        public double threshold(float[] validationScores, boolean[] validationIsAnomaly) {
            ScoreSweep sweep = ScoreSweep.of(validationScores, validationIsAnomaly);
            if (sweep.positives == 0) {
                throw new IllegalArgumentException(describe() + " needs validation anomalies, got none");
            }
            // The share is a decimal like 0.99: round away the binary noise before taking the ceiling.
            long needed = (long) Math.ceil(Math.round(target * sweep.positives * 1e9) / 1e9);
            int g = 0;
            while (sweep.cumulativeTp[g] < needed) {
                g++;
            }
            return g + 1 < sweep.groups()
                    ? ((double) sweep.groupScores[g] + sweep.groupScores[g + 1]) / 2
                    : Math.nextDown((double) sweep.groupScores[g]);
        }

        @Override
        public String describe() {
            return "recall>=" + PolicySyntax.number(target);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private static void requireErrors(float[] normalTrainingErrors) {
        Checks.finite(normalTrainingErrors, "normalTrainingErrors");
        if (normalTrainingErrors.length == 0) {
            throw new IllegalArgumentException("no normal training errors to derive a threshold from");
        }
    }
}
