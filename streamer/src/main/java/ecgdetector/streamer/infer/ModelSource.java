package ecgdetector.streamer.infer;

/** Where scorers find the model to use: the current one, swapped atomically between batches. */
public interface ModelSource {

    /** A retained lease on the current model, or null when none is loaded yet. The caller releases it. */
    ModelLease acquire();

    /** Whether {@code lease} is still the current model's. */
    boolean isCurrent(ModelLease lease);

    /** Whether a model is loaded. */
    boolean hasModel();
}
