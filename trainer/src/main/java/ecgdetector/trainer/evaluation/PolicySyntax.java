package ecgdetector.trainer.evaluation;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** The command-line spelling of {@link ThresholdPolicy}, kept out of its public interface. */
final class PolicySyntax {

    static final String FORMS = "mean+<k>std (e.g. mean+1std, mean+2.5std), p<percentile> (e.g. p99, p99.5),"
            + " recall>=<share> (e.g. recall>=0.99) or best-f1";
    static final String EXPECTED = "expected " + FORMS;
    static final Pattern MEAN_PLUS_STD = Pattern.compile("mean\\+(\\d+(?:\\.\\d+)?)?std");
    static final Pattern PERCENTILE = Pattern.compile("p(\\d+(?:\\.\\d+)?)");
    static final Pattern MIN_RECALL = Pattern.compile("recall>=(\\d+(?:\\.\\d+)?)");

    private PolicySyntax() {}

    /** Shortest plain decimal: 1.0 -> "1", 2.5 -> "2.5", never scientific notation. */
    static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
