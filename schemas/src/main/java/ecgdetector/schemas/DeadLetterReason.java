package ecgdetector.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why a record went to the dead-letter topic: the value of its {@code ecg.dlq.reason} header is {@link #name()},
 * its {@code ecg_dead_letters_total} tag {@link #tag()}. Either the input record is not a valid heartbeat window
 * ({@link RejectReason}), or it is a valid window the serving model could not score ({@link ScoringFailure}).
 */
public sealed interface DeadLetterReason permits RejectReason, ScoringFailure {

    /** The header value, e.g. {@code WRONG_LENGTH}. */
    String name();

    /** Lower-case form used in metric tags, e.g. {@code wrong_length}. */
    default String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every reason: the input rejections, then the scoring failures. */
    static List<DeadLetterReason> all() {
        List<DeadLetterReason> all = new ArrayList<>(List.of(RejectReason.values()));
        all.addAll(List.of(ScoringFailure.values()));
        return List.copyOf(all);
    }
}
