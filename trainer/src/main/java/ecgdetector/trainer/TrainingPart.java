package ecgdetector.trainer;

import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.data.StratifiedSplit;
import ecgdetector.trainer.model.AutoencoderTrainer;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.model.TrainedAutoencoder;

/**
 * What a run makes of the beats it may learn from: the normal beats the scaler and the autoencoder are
 * fitted on, and a validation fold (both classes) that gives val_loss and that threshold policies choose
 * on. A training run does this with the training part of its split; model selection does exactly the same
 * with each cross-validation fold's training part, so a fold's figures estimate what a run gives.
 *
 * @param trainNormal the normal beats outside the validation fold
 * @param validation the validation fold, normal and abnormal beats
 */
public record TrainingPart(Heartbeats trainNormal, Heartbeats validation) {

    /**
     * The validation fold is a stratified {@code validationFraction} of {@code beats}, drawn with {@code
     * seed + 1} (the run's own seed draws its train/test split).
     */
    public static TrainingPart of(Heartbeats beats, double validationFraction, long seed) {
        StratifiedSplit.Parts parts = StratifiedSplit.split(beats, validationFraction, seed + 1);
        return new TrainingPart(parts.kept().onlyNormal(), parts.heldOut());
    }

    /** Fitted on the normal training beats only, as the autoencoder is. */
    public MinMaxScaler fitScaler(String kind) {
        return MinMaxScaler.PER_POSITION.equals(kind)
                ? MinMaxScaler.fitPerPosition(trainNormal.beats())
                : MinMaxScaler.fitGlobal(trainNormal.beats());
    }

    /** The autoencoder fitted on the scaled normal training beats, val_loss on the validation fold's normal beats. */
    public TrainedAutoencoder train(TrainingOptions options, MinMaxScaler scaler, EpochListener progress) {
        return new AutoencoderTrainer()
                .train(
                        scaler.transformAll(trainNormal.beats()),
                        scaler.transformAll(validation.onlyNormal().beats()),
                        options.model().withSeed(options.seed()),
                        progress);
    }
}
