package ecgdetector.trainer.model;

/**
 * What one epoch achieved, in Keras' terms.
 *
 * @param epoch 1-based epoch number
 * @param loss mean training loss over the epoch's batches, weighted by batch size, measured with
 *     dropout on while the weights were still moving (what Keras prints as {@code loss})
 * @param mse mean squared error on the same training batches
 * @param valLoss loss on the validation set after the epoch, dropout off; NaN without validation
 * @param valMse mean squared error on the validation set; NaN without validation
 * @param seconds wall time of the epoch, validation included
 */
public record EpochStats(int epoch, double loss, double mse, double valLoss, double valMse, double seconds) {

    public boolean hasValidation() {
        return !Double.isNaN(valLoss);
    }
}
