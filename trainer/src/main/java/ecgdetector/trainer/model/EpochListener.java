package ecgdetector.trainer.model;

/**
 * Follows training as it happens. Called on the training thread, so keep it quick; all methods do
 * nothing unless overridden.
 */
public interface EpochListener {

    /** Ignores everything. */
    EpochListener SILENT = new EpochListener() {};

    /**
     * @param epoch 1-based epoch about to run
     * @param epochs total number of epochs
     * @param batches gradient steps this epoch will take
     */
    default void epochStarted(int epoch, int epochs, int batches) {}

    /**
     * @param batch 1-based number of the step just taken
     * @param runningLoss mean training loss of the epoch so far, weighted by batch size
     */
    default void batchFinished(int batch, double runningLoss) {}

    default void epochFinished(EpochStats stats) {}
}
