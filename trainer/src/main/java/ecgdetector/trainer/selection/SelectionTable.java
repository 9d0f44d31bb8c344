package ecgdetector.trainer.selection;

import ecgdetector.trainer.SelectionGrid;
import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.evaluation.Spread;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** A selection record's candidates as tables: Markdown for the docs, plain text for the console. */
public final class SelectionTable {

    private SelectionTable() {}

    /**
     * One row per training variant and error metric: the threshold-free ROC-AUC and PR-AUC, then the
     * accuracy under each threshold policy, each as mean ± sd over the folds; the chosen cell in bold.
     */
    public static String markdown(SelectionRecord record) {
        List<String> policies = record.grid().thresholds();
        StringBuilder out = new StringBuilder("| training variant | error metric | ROC-AUC | PR-AUC |");
        policies.forEach(p -> out.append(" accuracy, ").append(escape(p)).append(" |"));
        out.append(" train s/fold |\n|---|---|---|---|");
        policies.forEach(p -> out.append("---|"));
        out.append("---|\n");
        for (Map.Entry<List<String>, Map<String, SelectionRecord.Candidate>> row :
                rows(record).entrySet()) {
            SelectionRecord.Candidate first = row.getValue().values().iterator().next();
            out.append("| ")
                    .append(escape(first.variant()))
                    .append(" | ")
                    .append(first.errorMetric())
                    .append(" | ")
                    .append(spread(first.figures().rocAuc()))
                    .append(" | ")
                    .append(spread(first.figures().prAuc()))
                    .append(" |");
            for (String policy : policies) {
                SelectionRecord.Candidate c = row.getValue().get(policy);
                String cell = spread(c.figures().accuracy());
                out.append(' ')
                        .append(isChosen(record, c) ? "**" + cell + "**" : cell)
                        .append(" |");
            }
            out.append(String.format(Locale.ROOT, " %.1f |%n", first.trainSeconds()));
        }
        return out.toString();
    }

    /** The grid: the base, then each variant's settings over it, then the scoring settings tried on each. */
    public static String gridMarkdown(SelectionGrid grid) {
        StringBuilder out = new StringBuilder("| training variant | settings over the base |\n|---|---|\n");
        for (SelectionGrid.Variant v : grid.variants()) {
            out.append("| ")
                    .append(escape(v.name()))
                    .append(" | ")
                    .append(v.settings().isEmpty() ? "(the base)" : options(v.settings()))
                    .append(" |\n");
        }
        out.append("\nBase, over the notebook recipe: ")
                .append(options(grid.base()))
                .append(". Error metrics: ")
                .append(String.join(
                        ", ",
                        grid.errorMetrics().stream().map(m -> "`" + m + "`").toList()))
                .append(". Threshold policies: ")
                .append(String.join(
                        ", ", grid.thresholds().stream().map(t -> "`" + t + "`").toList()))
                .append(String.format(
                        Locale.ROOT,
                        ". %d variants x %d metrics x %d policies = %d candidates, %d folds.%n",
                        grid.variants().size(),
                        grid.errorMetrics().size(),
                        grid.thresholds().size(),
                        grid.candidates(),
                        grid.folds()));
        return out.toString();
    }

    /** The choice, what it stands for, its out-of-fold figures, and where and when the selection ran. */
    public static String choiceMarkdown(SelectionRecord record) {
        SelectionRecord.Choice choice = record.choice();
        SelectionRecord.Candidate chosen = record.candidates().stream()
                .filter(c -> isChosen(record, c))
                .findFirst()
                .orElseThrow();
        SelectionRecord.Figures f = chosen.figures();
        return String.format(
                Locale.ROOT,
                "**Chosen: %s, error metric `%s`, threshold `%s`**, by the rule: %s.%n%n"
                        + "The default recipe (`--recipe improved`) is therefore %s over the notebook recipe."
                        + " Out of fold: accuracy %s, precision %s, recall %s, F1 %s, ROC-AUC %s, PR-AUC %s"
                        + " (mean ± sd over %d folds).%n%n"
                        + "Selection of %s, split seed %d: %d training-part beats in %d folds, the %d test-part"
                        + " beats unread. %.0f s on %s, %s.%n",
                escape(choice.variant()),
                choice.errorMetric(),
                choice.threshold(),
                record.rule(),
                options(choice.settings()),
                spread(f.accuracy()),
                spread(f.precision()),
                spread(f.recall()),
                spread(f.f1()),
                spread(f.rocAuc()),
                spread(f.prAuc()),
                record.grid().folds(),
                record.data().source(),
                record.seed(),
                record.data().trainingPart(),
                record.grid().folds(),
                record.data().testPart(),
                record.wallSeconds(),
                record.machine().describe(),
                record.createdAt().substring(0, Math.min(10, record.createdAt().length())));
    }

    /** Settings as command-line options, e.g. {@code `--epochs 150`, `--dropout 0`}. */
    private static String options(Map<String, String> settings) {
        return String.join(
                ", ",
                settings.entrySet().stream()
                        // Inside a code span only a pipe needs escaping: it would end the table cell.
                        .map(e -> "`--" + e.getKey() + " " + e.getValue().replace("|", "\\|") + "`")
                        .toList());
    }

    /** The {@code top} candidates by mean out-of-fold accuracy, and the choice. */
    public static String console(SelectionRecord record, int top) {
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "%nTop %d of %d candidates by mean out-of-fold accuracy (sd over %d folds):%n",
                Math.min(top, record.candidates().size()),
                record.candidates().size(),
                record.grid().folds()));
        out.append(String.format(
                Locale.ROOT,
                "  %-34s %-12s %-13s %-17s %-8s %-8s %s%n",
                "training variant",
                "metric",
                "threshold",
                "accuracy",
                "ROC-AUC",
                "PR-AUC",
                "cost (M updates)"));
        record.candidates().stream()
                .sorted(Comparator.comparingDouble((SelectionRecord.Candidate c) ->
                                c.figures().accuracy().mean())
                        .reversed())
                .limit(top)
                .forEach(c -> out.append(String.format(
                        Locale.ROOT,
                        "%s %-34s %-12s %-13s %.4f (%.4f)  %.4f   %.4f   %.1f%n",
                        isChosen(record, c) ? "*" : " ",
                        c.variant(),
                        c.errorMetric(),
                        c.threshold(),
                        c.figures().accuracy().mean(),
                        c.figures().accuracy().sd(),
                        c.figures().rocAuc().mean(),
                        c.figures().prAuc().mean(),
                        c.trainingCost())));
        SelectionRecord.Choice choice = record.choice();
        out.append(String.format(
                Locale.ROOT,
                "Chosen (*): %s, %s, %s, by %s.%n",
                choice.variant(),
                choice.errorMetric(),
                choice.threshold(),
                record.rule()));
        return out.toString();
    }

    /** Candidates by (variant, metric), then by policy, in the grid's order. */
    private static Map<List<String>, Map<String, SelectionRecord.Candidate>> rows(SelectionRecord record) {
        Map<List<String>, Map<String, SelectionRecord.Candidate>> rows = new LinkedHashMap<>();
        for (SelectionRecord.Candidate c : record.candidates()) {
            rows.computeIfAbsent(List.of(c.variant(), c.errorMetric()), k -> new LinkedHashMap<>())
                    .put(c.threshold(), c);
        }
        return rows;
    }

    static boolean isChosen(SelectionRecord record, SelectionRecord.Candidate c) {
        SelectionRecord.Choice choice = record.choice();
        return Objects.equals(c.variant(), choice.variant())
                && Objects.equals(c.errorMetric(), choice.errorMetric())
                && Objects.equals(c.threshold(), choice.threshold());
    }

    private static String spread(Spread s) {
        return String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.sd());
    }

    /** A pipe would end the cell, an angle bracket start an HTML tag. */
    private static String escape(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }
}
