package ecgdetector.trainer.evaluation;

import java.util.Arrays;

/**
 * Scores grouped by distinct value, from the highest down, with the cumulative class counts above
 * each group's lower edge. Lowering the threshold past a group flags the whole group at once, so
 * these are exactly the operating points that any threshold can reach; the ROC curve and the
 * best-F1 search both walk them.
 */
final class ScoreSweep {

    /** Distinct scores, strictly decreasing. */
    final float[] groupScores;

    /** Abnormal beats with score >= groupScores[g]. */
    final int[] cumulativeTp;

    /** Normal beats with score >= groupScores[g]. */
    final int[] cumulativeFp;

    final int positives;
    final int negatives;

    private ScoreSweep(float[] groupScores, int[] tp, int[] fp, int positives, int negatives) {
        this.groupScores = groupScores;
        this.cumulativeTp = tp;
        this.cumulativeFp = fp;
        this.positives = positives;
        this.negatives = negatives;
    }

    /** Validates like every public entry point: same length, finite scores. */
    static ScoreSweep of(float[] scores, boolean[] isAnomaly) {
        Checks.scoresAndLabels(scores, isAnomaly);
        int positives = Checks.countTrue(isAnomaly);
        int negatives = scores.length - positives;

        // Sorting each class on its own keeps the sort primitive; merging from the top then
        // consumes a tie group across both classes in one step.
        float[] anomalies = new float[positives];
        float[] normals = new float[negatives];
        for (int i = 0, a = 0, n = 0; i < scores.length; i++) {
            if (isAnomaly[i]) {
                anomalies[a++] = scores[i];
            } else {
                normals[n++] = scores[i];
            }
        }
        Arrays.sort(anomalies);
        Arrays.sort(normals);

        float[] groups = new float[scores.length];
        int[] tp = new int[scores.length];
        int[] fp = new int[scores.length];
        int g = 0;
        int a = positives - 1;
        int n = negatives - 1;
        int tpSoFar = 0;
        int fpSoFar = 0;
        while (a >= 0 || n >= 0) {
            float score = Math.max(
                    a >= 0 ? anomalies[a] : Float.NEGATIVE_INFINITY, n >= 0 ? normals[n] : Float.NEGATIVE_INFINITY);
            // == rather than Float.compare so that -0.0 and 0.0, which no threshold separates, tie.
            while (a >= 0 && anomalies[a] == score) {
                tpSoFar++;
                a--;
            }
            while (n >= 0 && normals[n] == score) {
                fpSoFar++;
                n--;
            }
            groups[g] = score;
            tp[g] = tpSoFar;
            fp[g] = fpSoFar;
            g++;
        }
        return new ScoreSweep(
                Arrays.copyOf(groups, g), Arrays.copyOf(tp, g), Arrays.copyOf(fp, g), positives, negatives);
    }

    int groups() {
        return groupScores.length;
    }
}
