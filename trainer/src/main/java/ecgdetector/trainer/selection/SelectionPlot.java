package ecgdetector.trainer.selection;

import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.evaluation.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code selection.png}: the candidates by their out-of-fold ROC-AUC and accuracy, one colour per threshold
 * policy, the chosen one marked.
 */
public final class SelectionPlot {

    private SelectionPlot() {}

    /** Candidates further than this below the best accuracy are left out, so the close ones stay readable. */
    static final double SHOWN_BELOW_BEST = 0.03;

    public static void draw(SelectionRecord record, Path png) throws IOException {
        double best = record.candidates().stream()
                .mapToDouble(c -> c.figures().accuracy().mean())
                .max()
                .orElseThrow();
        Map<String, List<SelectionRecord.Candidate>> byPolicy = new LinkedHashMap<>();
        int shown = 0;
        for (SelectionRecord.Candidate c : record.candidates()) {
            if (c.figures().accuracy().mean() >= best - SHOWN_BELOW_BEST) {
                byPolicy.computeIfAbsent(c.threshold(), k -> new ArrayList<>()).add(c);
                shown++;
            }
        }
        Map<String, double[][]> groups = new LinkedHashMap<>();
        byPolicy.forEach((policy, candidates) -> groups.put(policy, new double[][] {
            candidates.stream().mapToDouble(c -> c.figures().rocAuc().mean()).toArray(),
            candidates.stream().mapToDouble(c -> c.figures().accuracy().mean()).toArray()
        }));
        SelectionRecord.Candidate chosen = record.candidates().stream()
                .filter(c -> c.variant().equals(record.choice().variant())
                        && c.errorMetric().equals(record.choice().errorMetric())
                        && c.threshold().equals(record.choice().threshold()))
                .findFirst()
                .orElseThrow();
        Plots.scatter(
                String.format(
                        Locale.ROOT,
                        "%d of %d candidates (within %.2f of the best accuracy), %d folds",
                        shown,
                        record.candidates().size(),
                        SHOWN_BELOW_BEST,
                        record.grid().folds()),
                "mean out-of-fold ROC-AUC",
                "mean out-of-fold accuracy",
                groups,
                new double[] {
                    chosen.figures().rocAuc().mean(),
                    chosen.figures().accuracy().mean()
                },
                "chosen",
                png);
    }
}
