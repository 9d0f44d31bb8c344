package ecgdetector.schemas;

import java.util.Objects;

/**
 * An input record that is not a valid window.
 *
 * @param reason the kind of problem, for the DLQ header and metrics
 * @param detail one short human-readable sentence saying what exactly is wrong
 */
public record Rejection(RejectReason reason, String detail) implements Decoded {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
