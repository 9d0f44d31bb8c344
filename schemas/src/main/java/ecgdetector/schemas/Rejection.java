package ecgdetector.schemas;

import java.util.Objects;

/**
 * An input record that is not a valid window.
 *
 * @param reason the kind of problem, for the DLQ header and metrics
 * @param detail one short human-readable sentence saying what exactly is wrong
 */
public record Rejection(RejectReason reason, String detail) implements Decoded {

    /** The most characters of the input a detail quotes. */
    private static final int MAX_EXCERPT = 120;

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /** A piece of the input for a detail: on one line, at most {@value #MAX_EXCERPT} characters and "...". */
    public static String excerpt(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("[\\r\\n\\t]+", " ");
        return oneLine.length() <= MAX_EXCERPT ? oneLine : oneLine.substring(0, MAX_EXCERPT) + "...";
    }
}
