package ecgdetector.streamer.infer;

/**
 * The model failed on a batch at run time: inference threw, or gave a wrong number of scores. Carries the
 * version of the model that failed, for the dead letters and the log.
 */
public final class ScoringFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final String modelVersion;

    public ScoringFailedException(String modelVersion, String message, Throwable cause) {
        super(message, cause);
        this.modelVersion = modelVersion;
    }

    public String modelVersion() {
        return modelVersion;
    }
}
