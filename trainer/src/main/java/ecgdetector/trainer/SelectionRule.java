package ecgdetector.trainer;

import java.util.Comparator;
import java.util.List;

/**
 * How a selection chooses among its candidates. Accuracy at the chosen threshold is what the people
 * acting on alarms live with, so it comes first; but the best mean out-of-fold accuracy is only an
 * estimate, and the candidates whose mean lies within one standard error of it (the best candidate's fold
 * standard deviation over the square root of the number of folds) cannot be told apart from it on this
 * data. Of those, the one that ranks beats best (the highest ROC-AUC, which no threshold choice moves and
 * which varies less from fold to fold) wins; then the higher accuracy, then the cheaper training, then the
 * earlier in the grid.
 */
public final class SelectionRule {

    /** The rule in one sentence, as the record and the docs state it. */
    public static final String DESCRIPTION = "among the candidates whose mean out-of-fold accuracy is within one"
            + " standard error (sd over the folds / sqrt(folds)) of the best, the highest mean ROC-AUC, then the"
            + " higher accuracy, then the cheaper training";

    private SelectionRule() {}

    /**
     * @return the index of the chosen candidate
     * @throws IllegalArgumentException if there are none
     */
    public static int choose(List<SelectionRecord.Candidate> candidates, int folds) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates to choose from");
        }
        SelectionRecord.Candidate best = candidates.stream()
                .max(Comparator.comparingDouble(
                        (SelectionRecord.Candidate c) -> c.figures().accuracy().mean()))
                .orElseThrow();
        double bar =
                best.figures().accuracy().mean() - best.figures().accuracy().standardError(folds);
        Comparator<SelectionRecord.Candidate> preference = Comparator.comparingDouble(
                        (SelectionRecord.Candidate c) -> c.figures().rocAuc().mean())
                .thenComparingDouble(c -> c.figures().accuracy().mean())
                .thenComparingDouble(c -> -c.trainingCost());
        int chosen = -1;
        for (int i = 0; i < candidates.size(); i++) {
            SelectionRecord.Candidate c = candidates.get(i);
            // Strictly better only: an equal candidate later in the grid does not displace an earlier one.
            if (c.figures().accuracy().mean() >= bar
                    && (chosen < 0 || preference.compare(c, candidates.get(chosen)) > 0)) {
                chosen = i;
            }
        }
        return chosen;
    }
}
