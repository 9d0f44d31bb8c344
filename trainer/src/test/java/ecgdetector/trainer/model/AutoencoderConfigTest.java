package ecgdetector.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.trainer.model.AutoencoderConfig.Loss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AutoencoderConfigTest {

    private static final AutoencoderConfig DEFAULTS = AutoencoderConfig.defaults();

    @Test
    void defaultsAreTheKerasRecipe() {
        assertThat(DEFAULTS.inputLength()).isEqualTo(140);
        assertThat(DEFAULTS.encoderUnits()).containsExactly(64, 32, 16, 8);
        assertThat(DEFAULTS.decoderUnits()).containsExactly(16, 32, 64);
        assertThat(DEFAULTS.layerUnits()).containsExactly(64, 32, 16, 8, 16, 32, 64, 140);
        assertThat(DEFAULTS.dropout()).isEqualTo(0.1);
        assertThat(DEFAULTS.learningRate()).isEqualTo(0.001);
        assertThat(DEFAULTS.beta1()).isEqualTo(0.9);
        assertThat(DEFAULTS.beta2()).isEqualTo(0.999);
        assertThat(DEFAULTS.epsilon()).isEqualTo(1e-7);
        assertThat(DEFAULTS.epochs()).isEqualTo(20);
        assertThat(DEFAULTS.batchSize()).isEqualTo(512);
        assertThat(DEFAULTS.seed()).isEqualTo(42L);
        assertThat(DEFAULTS.loss()).isEqualTo(Loss.MSLE);
    }

    @Test
    void withersChangeOneField() {
        AutoencoderConfig longer = DEFAULTS.withEpochs(200).withBatchSize(64);

        assertThat(longer.epochs()).isEqualTo(200);
        assertThat(longer.batchSize()).isEqualTo(64);
        assertThat(longer.withEpochs(20).withBatchSize(512)).isEqualTo(DEFAULTS);
    }

    @Test
    void unitListsAreCopiedAndImmutable() {
        List<Integer> encoder = new ArrayList<>(List.of(32, 8));
        AutoencoderConfig cfg = DEFAULTS.withLayers(140, encoder, List.of());
        encoder.add(4);

        assertThat(cfg.encoderUnits()).containsExactly(32, 8);
        assertThat(cfg.layerUnits()).containsExactly(32, 8, 140);
        assertThatThrownBy(() -> cfg.encoderUnits().add(1)).isInstanceOf(UnsupportedOperationException.class);
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                invalid(c -> c.withLayers(0, c.encoderUnits(), c.decoderUnits()), "inputLength must be > 0, got 0"),
                invalid(
                        c -> c.withLayers(140, List.of(), c.decoderUnits()),
                        "encoderUnits must name at least the bottleneck layer"),
                invalid(
                        c -> c.withLayers(140, List.of(64, 0), c.decoderUnits()),
                        "encoderUnits must all be > 0, got [64, 0]"),
                invalid(
                        c -> c.withLayers(140, c.encoderUnits(), Arrays.asList(16, null)),
                        "decoderUnits must not contain null"),
                invalid(c -> c.withLayers(140, c.encoderUnits(), null), "decoderUnits must not be null"),
                invalid(c -> c.withDropout(1), "dropout must be in [0, 1), got 1.0"),
                invalid(c -> c.withDropout(-0.1), "dropout must be in [0, 1), got -0.1"),
                invalid(c -> c.withLearningRate(0), "learningRate must be > 0, got 0.0"),
                invalid(c -> c.withLearningRate(Double.NaN), "learningRate must be > 0, got NaN"),
                invalid(
                        c -> new AutoencoderConfig(
                                140,
                                c.encoderUnits(),
                                c.decoderUnits(),
                                0.1,
                                0.001,
                                1.0,
                                0.999,
                                1e-7,
                                20,
                                512,
                                42,
                                Loss.MSLE,
                                0,
                                1),
                        "beta1 must be in [0, 1), got 1.0"),
                invalid(
                        c -> new AutoencoderConfig(
                                140,
                                c.encoderUnits(),
                                c.decoderUnits(),
                                0.1,
                                0.001,
                                0.9,
                                -1,
                                1e-7,
                                20,
                                512,
                                42,
                                Loss.MSLE,
                                0,
                                1),
                        "beta2 must be in [0, 1), got -1.0"),
                invalid(
                        c -> new AutoencoderConfig(
                                140,
                                c.encoderUnits(),
                                c.decoderUnits(),
                                0.1,
                                0.001,
                                0.9,
                                0.999,
                                0,
                                20,
                                512,
                                42,
                                Loss.MSLE,
                                0,
                                1),
                        "epsilon must be > 0, got 0.0"),
                invalid(c -> c.withEpochs(0), "epochs must be > 0, got 0"),
                invalid(c -> c.withBatchSize(-1), "batchSize must be > 0, got -1"),
                invalid(c -> c.withLoss(null), "loss must not be null"),
                invalid(c -> c.withNoise(-0.1), "noise must be >= 0, got -0.1"),
                invalid(c -> c.withNoise(Double.POSITIVE_INFINITY), "noise must be >= 0, got Infinity"),
                invalid(c -> c.withMembers(0), "members must be > 0, got 0"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigs")
    void rejectsInvalidSettingsWithAClearMessage(UnaryOperator<AutoencoderConfig> change, String message) {
        assertThatThrownBy(() -> change.apply(DEFAULTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    private static Arguments invalid(UnaryOperator<AutoencoderConfig> change, String message) {
        return Arguments.of(change, message);
    }
}
