package ecgdetector.model.release;

/** A release that must not be served: unreadable, inconsistent, or not what its digest says. */
public class InvalidReleaseException extends Exception {

    public InvalidReleaseException(String message) {
        super(message);
    }

    public InvalidReleaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
