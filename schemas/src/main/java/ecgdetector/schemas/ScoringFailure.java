package ecgdetector.schemas;

/** Why a valid window got no score from the serving model: a {@link DeadLetterReason} of the scoring step. */
public enum ScoringFailure implements DeadLetterReason {
    /** Inference failed on the window, alone in its batch too. */
    SCORING_FAILED,
    /** The model gave the window a NaN or infinite score. */
    NON_FINITE_SCORE
}
