package ecgdetector.streamer.release;

import ecgdetector.model.inference.ScoringModel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A reference-counted hold on a loaded model. The registry holds one reference while the model is current;
 * each stream task holds one while it scores with the model. The model is closed exactly once, when the
 * last reference goes: after a swap, the old model is freed deliberately as soon as no thread scores with it
 * (repeatedly loading TensorFlow models without closing them leaks native memory, DJL issue 3341).
 */
public final class ModelLease {

    private final ScoringModel model;
    private final AtomicInteger references = new AtomicInteger(1);
    private final Consumer<ScoringModel> onClose;

    /** A lease with one reference, the creator's. */
    ModelLease(ScoringModel model, Consumer<ScoringModel> onClose) {
        this.model = model;
        this.onClose = onClose;
    }

    public ScoringModel model() {
        return model;
    }

    /** Takes another reference unless the model is already closed. */
    boolean retain() {
        for (int n = references.get(); n > 0; n = references.get()) {
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Drops a reference; the last one closes the model. */
    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            try {
                model.close();
            } finally {
                onClose.accept(model);
            }
        } else if (left < 0) {
            throw new IllegalStateException("model lease released more often than retained");
        }
    }
}
