package ecgdetector.trainer.assessment;

import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.evaluation.Spread;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** An evaluation record as tables: Markdown for the docs, plain text for the console. */
public final class EvaluationTable {

    private static final String HEADER = " accuracy | precision | recall | F1 | ROC-AUC | PR-AUC |";

    private EvaluationTable() {}

    /** One row per split, their mean ± sd, and the UCR split's row. */
    public static String markdownSplits(EvaluationRecord record) {
        StringBuilder out =
                new StringBuilder("| split |" + HEADER + " threshold |\n|---|---|---|---|---|---|---|---|\n");
        for (EvaluationRecord.SplitRun split : record.splits()) {
            out.append("| seed ").append(split.seed()).append(" |");
            figures(split.test(), out);
            out.append(String.format(Locale.ROOT, " %.6g |%n", split.threshold()));
        }
        EvaluationRecord.Summary s = record.overSplits();
        out.append("| **mean ± sd** |");
        for (Spread spread : List.of(s.accuracy(), s.precision(), s.recall(), s.f1(), s.rocAuc(), s.prAuc())) {
            out.append(String.format(Locale.ROOT, " **%.4f ± %.4f** |", spread.mean(), spread.sd()));
        }
        out.append(" |\n");
        if (record.ucr() != null) {
            out.append("| UCR split |");
            figures(record.ucr().figures(), out);
            out.append(String.format(Locale.ROOT, " %.6g |%n", record.ucr().threshold()));
        }
        return out.toString();
    }

    /** Per UCR class, the test beats flagged as anomalies over the splits and on the UCR split. */
    public static String markdownClasses(EvaluationRecord record) {
        Map<Integer, String[]> rows = new LinkedHashMap<>();
        Function<Integer, String[]> row = c -> new String[] {"-", "-", "-"};
        record.classesOverSplits().forEach(c -> {
            String[] cells = rows.computeIfAbsent(c.ucrClass(), row);
            cells[0] = c.name();
            cells[1] = flagged(c);
        });
        if (record.ucr() != null) {
            record.ucr().classes().forEach(c -> {
                String[] cells = rows.computeIfAbsent(c.ucrClass(), row);
                cells[0] = c.name();
                cells[2] = flagged(c);
            });
        }
        StringBuilder out = new StringBuilder(
                "| UCR class | flagged, test parts of the splits | flagged, UCR test file |\n|---|---|---|\n");
        rows.forEach((c, cells) -> out.append("| ")
                .append(c)
                .append(" ")
                .append(cells[0])
                .append(c == 1 ? " (false alarms)" : "")
                .append(" | ")
                .append(cells[1])
                .append(" | ")
                .append(cells[2])
                .append(" |\n"));
        return out.toString();
    }

    /** The same, for the console. */
    public static String console(EvaluationRecord record) {
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "%nRecipe %s over %d splits of %s (test parts):%n",
                record.recipe(),
                record.splits().size(),
                record.data().source()));
        out.append(String.format(
                Locale.ROOT,
                "  %-11s %-9s %-9s %-9s %-9s %-9s %-9s%n",
                "split",
                "accuracy",
                "precision",
                "recall",
                "F1",
                "ROC-AUC",
                "PR-AUC"));
        for (EvaluationRecord.SplitRun split : record.splits()) {
            out.append(consoleRow("seed " + split.seed(), split.test()));
        }
        EvaluationRecord.Summary s = record.overSplits();
        out.append(String.format(Locale.ROOT, "  %-11s", "mean"));
        for (Spread spread : List.of(s.accuracy(), s.precision(), s.recall(), s.f1(), s.rocAuc(), s.prAuc())) {
            out.append(String.format(Locale.ROOT, " %.4f   ", spread.mean()));
        }
        out.append(String.format(Locale.ROOT, "%n  %-11s", "sd"));
        for (Spread spread : List.of(s.accuracy(), s.precision(), s.recall(), s.f1(), s.rocAuc(), s.prAuc())) {
            out.append(String.format(Locale.ROOT, " %.4f   ", spread.sd()));
        }
        out.append(System.lineSeparator());
        if (record.ucr() != null) {
            out.append(consoleRow("UCR split", record.ucr().figures()));
        }
        out.append("Flagged as anomalies, per UCR class:").append(System.lineSeparator());
        record.classesOverSplits()
                .forEach(c -> out.append(String.format(Locale.ROOT, "  splits  %-22s %s%n", c.name(), flagged(c))));
        if (record.ucr() != null) {
            record.ucr()
                    .classes()
                    .forEach(c -> out.append(String.format(Locale.ROOT, "  UCR     %-22s %s%n", c.name(), flagged(c))));
        }
        return out.toString();
    }

    private static String consoleRow(String name, TrainingReport.Figures f) {
        return String.format(
                Locale.ROOT,
                "  %-11s %.4f    %.4f    %.4f    %.4f    %.4f    %.4f%n",
                name,
                f.accuracy(),
                f.precision(),
                f.recall(),
                f.f1(),
                f.rocAuc(),
                f.prAuc());
    }

    private static void figures(TrainingReport.Figures f, StringBuilder out) {
        for (double v : new double[] {f.accuracy(), f.precision(), f.recall(), f.f1(), f.rocAuc(), f.prAuc()}) {
            out.append(String.format(Locale.ROOT, " %.4f |", v));
        }
    }

    private static String flagged(EvaluationRecord.ClassOutcome c) {
        return String.format(Locale.ROOT, "%d of %d (%.3f)", c.flagged(), c.beats(), c.flaggedShare());
    }
}
