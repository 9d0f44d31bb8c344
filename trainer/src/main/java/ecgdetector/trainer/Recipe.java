package ecgdetector.trainer;

import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.trainer.evaluation.ThresholdPolicy;
import ecgdetector.trainer.model.AutoencoderConfig;
import java.util.Locale;

/**
 * Named starting points for a training run; every setting can still be overridden on its own.
 *
 * <ul>
 *   <li>{@code improved} (the default): see {@link #IMPROVED}.
 *   <li>{@code notebook}: the classic Keras notebooks' recipe, reproduced faithfully.
 * </ul>
 *
 * <p>The default is the better detector, not the historical one: people act on its alarms.
 */
public enum Recipe {
    /**
     * Per-position MinMax scaling, Dense 64-32-16-8 / 16-32-64-140 with dropout 0.1, Adam, MSLE, 20
     * epochs at batch 512, threshold = mean + 1 std of the normal training beats' MSLE.
     */
    NOTEBOOK,

    /**
     * The choice of the committed model selection ({@link SelectionRecord#committed()}): the notebook
     * recipe with the chosen candidate's settings, every one of them picked by cross-validation on the
     * training part, never on a test part. Only a new selection run changes it.
     */
    IMPROVED;

    public static final Recipe DEFAULT = IMPROVED;

    /** The settings a recipe stands for. */
    private record Defaults(
            AutoencoderConfig model,
            String scaler,
            ErrorMetric errorMetric,
            ThresholdPolicy threshold,
            double validationFraction) {}

    private static final Defaults NOTEBOOK_DEFAULTS = new Defaults(
            AutoencoderConfig.defaults(), MinMaxScaler.PER_POSITION, ErrorMetric.MSLE, ThresholdPolicy.DEFAULT, 0.1);

    private Defaults defaults() {
        return this == NOTEBOOK ? NOTEBOOK_DEFAULTS : Selected.DEFAULTS;
    }

    public AutoencoderConfig model() {
        return defaults().model();
    }

    public String scaler() {
        return defaults().scaler();
    }

    public ErrorMetric errorMetric() {
        return defaults().errorMetric();
    }

    public ThresholdPolicy threshold() {
        return defaults().threshold();
    }

    public double validationFraction() {
        return defaults().validationFraction();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Recipe fromId(String id) {
        for (Recipe r : values()) {
            if (r.id().equalsIgnoreCase(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown recipe '" + id + "' (notebook or improved)");
    }

    /**
     * The committed selection's choice, read on first use: resolved over the notebook recipe, whose
     * defaults need nothing from here.
     */
    private static final class Selected {
        static final Defaults DEFAULTS = read();

        private static Defaults read() {
            TrainingOptions chosen = TrainingSettings.resolve(
                    SelectionGrid.given(SelectionRecord.committed().choice().settings()));
            return new Defaults(
                    chosen.model(),
                    chosen.scaler(),
                    chosen.errorMetric(),
                    chosen.threshold(),
                    chosen.validationFraction());
        }
    }
}
