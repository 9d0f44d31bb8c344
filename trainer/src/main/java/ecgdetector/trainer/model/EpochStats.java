package ecgdetector.trainer.model;

import java.util.ArrayList;
import java.util.List;

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

    /**
     * An ensemble's epochs: each epoch's figures averaged over the members, its seconds added up. A single
     * member's history comes back as it is.
     *
     * @param members each member's history, all of the same length
     */
    static List<EpochStats> mean(List<List<EpochStats>> members) {
        if (members.size() == 1) {
            return List.copyOf(members.get(0));
        }
        int epochs = members.get(0).size();
        List<EpochStats> mean = new ArrayList<>(epochs);
        for (int e = 0; e < epochs; e++) {
            int epoch = e;
            List<EpochStats> each = members.stream().map(h -> h.get(epoch)).toList();
            mean.add(new EpochStats(
                    epoch + 1,
                    each.stream().mapToDouble(EpochStats::loss).average().orElseThrow(),
                    each.stream().mapToDouble(EpochStats::mse).average().orElseThrow(),
                    each.stream().mapToDouble(EpochStats::valLoss).average().orElseThrow(),
                    each.stream().mapToDouble(EpochStats::valMse).average().orElseThrow(),
                    each.stream().mapToDouble(EpochStats::seconds).sum()));
        }
        return List.copyOf(mean);
    }
}
