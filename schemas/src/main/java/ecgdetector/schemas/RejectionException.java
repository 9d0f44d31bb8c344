package ecgdetector.schemas;

/**
 * Thrown by a reader at the first thing that makes a record no valid window, and caught where it returns the
 * {@link Rejection} instead: so each step of reading a window returns what it read, and a bad record costs no
 * more than this object (no stack trace is taken).
 */
public final class RejectionException extends Exception {

    private static final long serialVersionUID = 1L;
    private final transient Rejection rejection;

    public RejectionException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.rejection = new Rejection(reason, detail);
    }

    public Rejection rejection() {
        return rejection;
    }
}
