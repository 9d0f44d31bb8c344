package ecgdetector.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ecgdetector.trainer.model.AutoencoderConfig.Loss;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AutoencoderTrainerTest {

    private final AutoencoderTrainer trainer = new AutoencoderTrainer();

    @Test
    void lossDecreasesOnSineLikeBeats() {
        float[][] train = SyntheticBeats.generate(256, 140, 1);
        float[][] validation = SyntheticBeats.generate(64, 140, 2);

        try (TrainedAutoencoder model = trainer.train(train, validation, SyntheticBeats.smallConfig(10))) {
            List<EpochStats> history = model.history();

            assertThat(model.parameterCount()).isEqualTo(23_668);
            assertThat(history).hasSize(10);
            assertThat(history).extracting(EpochStats::epoch).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            EpochStats first = history.get(0);
            EpochStats last = history.get(history.size() - 1);
            assertThat(last.loss()).isLessThan(first.loss() / 2);
            assertThat(last.valLoss()).isLessThan(first.valLoss() / 2);
            assertThat(last.valMse()).isLessThan(first.valMse() / 2);
            assertThat(history).allSatisfy(s -> {
                assertThat(s.hasValidation()).isTrue();
                assertThat(s.seconds()).isPositive();
            });
        }
    }

    @Test
    void sameSeedGivesByteIdenticalWeights() {
        float[][] train = SyntheticBeats.generate(200, 140, 3);
        float[][] validation = SyntheticBeats.generate(20, 140, 4);
        // Batch 64 over 200 beats leaves a short last batch, and dropout is on: both must replay.
        AutoencoderConfig cfg = SyntheticBeats.smallConfig(3).withBatchSize(64);

        byte[] first;
        List<EpochStats> firstHistory;
        try (TrainedAutoencoder model = trainer.train(train, validation, cfg)) {
            first = model.weightsBytes();
            firstHistory = model.history();
        }
        try (TrainedAutoencoder again = trainer.train(train, validation, cfg);
                TrainedAutoencoder twoThreads = new AutoencoderTrainer(2).train(train, validation, cfg);
                TrainedAutoencoder otherSeed = trainer.train(train, validation, cfg.withSeed(7))) {
            assertThat(again.weightsBytes()).isEqualTo(first);
            assertThat(twoThreads.weightsBytes()).isEqualTo(first);
            assertThat(again.history())
                    .extracting(EpochStats::loss)
                    .containsExactlyElementsOf(
                            firstHistory.stream().map(EpochStats::loss).toList());
            assertThat(otherSeed.weightsBytes()).isNotEqualTo(first);
        }
        assertThat(first)
                .hasSize(4
                        * (140 * 64 + 64 + 64 * 32 + 32 + 32 * 16 + 16 + 16 * 8 + 8 + 8 * 16 + 16 + 16 * 32 + 32
                                + 32 * 64 + 64 + 64 * 140 + 140));
    }

    @Test
    void msleStaysFiniteWhenBeatsLeaveTheTrainingRange() {
        float[][] train = SyntheticBeats.generate(64, 140, 5);
        float[][] wild = SyntheticBeats.generate(16, 140, 6);
        for (float[] beat : wild) {
            for (int c = 0; c < beat.length; c++) {
                // Anomalous beats scaled with the normal beats' min/max land far outside [0, 1].
                beat[c] = beat[c] * 8 - 4;
            }
        }
        train[0] = wild[0].clone();

        try (TrainedAutoencoder model = trainer.train(train, wild, SyntheticBeats.smallConfig(2))) {
            assertThat(model.history()).allSatisfy(s -> {
                assertThat(s.loss()).isFinite();
                assertThat(s.valLoss()).isFinite();
                assertThat(s.valMse()).isFinite();
            });
            assertThat(model.weightsBytes()).isNotEmpty();
            for (float[] row : model.reconstruct(wild)) {
                for (float v : row) {
                    assertThat(v).isFinite();
                }
            }
        }
    }

    /** Validation loss is measured on fixed weights, so it can be recomputed here from scratch. */
    @ParameterizedTest
    @EnumSource(Loss.class)
    void validationLossFollowsKerasDefinition(Loss loss) {
        float[][] train = SyntheticBeats.generate(64, 140, 7);
        float[][] validation = SyntheticBeats.generate(50, 140, 8);
        validation[0][0] = -2.5f;
        validation[1][3] = 1.7f;
        // Batch 32 over 50 validation beats: the short batch must count by its size.
        AutoencoderConfig cfg = SyntheticBeats.smallConfig(1).withLoss(loss);

        try (TrainedAutoencoder model = trainer.train(train, validation, cfg)) {
            float[][] reconstruction = model.reconstruct(validation);
            EpochStats stats = model.history().get(0);

            assertThat(stats.valLoss()).isCloseTo(expectedLoss(loss, validation, reconstruction), within(1e-6));
            assertThat(stats.valMse()).isCloseTo(expectedLoss(Loss.MSE, validation, reconstruction), within(1e-6));
        }
    }

    @Test
    void emptyValidationIsReportedAsAbsent() {
        try (TrainedAutoencoder model =
                trainer.train(SyntheticBeats.generate(40, 140, 9), new float[0][], SyntheticBeats.smallConfig(1))) {
            EpochStats stats = model.history().get(0);
            assertThat(stats.hasValidation()).isFalse();
            assertThat(stats.valLoss()).isNaN();
            assertThat(stats.valMse()).isNaN();
            assertThat(stats.loss()).isFinite();
        }
    }

    @Test
    void rejectsBeatsOfTheWrongLengthOrWithNaN() {
        AutoencoderConfig cfg = SyntheticBeats.smallConfig(1);
        float[][] good = SyntheticBeats.generate(4, 140, 10);

        assertThatThrownBy(() -> trainer.train(new float[][] {new float[139]}, good, cfg))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("train beat 0 has 139 values, expected 140");
        float[][] withNaN = SyntheticBeats.generate(4, 140, 11);
        withNaN[2][5] = Float.NaN;
        assertThatThrownBy(() -> trainer.train(good, withNaN, cfg))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validation beat 2 holds NaN at index 5");
        assertThatThrownBy(() -> trainer.train(new float[0][], good, cfg))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one beat");
    }

    @Test
    void reportsEveryBatchToTheListener() {
        StringBuilder events = new StringBuilder();
        EpochListener listener = new EpochListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                events.append("start ")
                        .append(epoch)
                        .append('/')
                        .append(epochs)
                        .append(" batches=")
                        .append(batches)
                        .append('\n');
            }

            @Override
            public void batchFinished(int batch, double runningLoss) {
                events.append("batch ").append(batch).append('\n');
            }

            @Override
            public void epochFinished(EpochStats stats) {
                events.append("end ").append(stats.epoch()).append('\n');
            }
        };

        // 70 beats at 32 per batch: two full batches and one of six, as Keras would run them.
        try (TrainedAutoencoder model = trainer.train(
                SyntheticBeats.generate(70, 140, 12), new float[0][], SyntheticBeats.smallConfig(2), listener)) {
            assertThat(model.history()).hasSize(2);
            assertThat(events.toString()).isEqualTo("""
                            start 1/2 batches=3
                            batch 1
                            batch 2
                            batch 3
                            end 1
                            start 2/2 batches=3
                            batch 1
                            batch 2
                            batch 3
                            end 2
                            """);
        }
    }

    @Test
    void anEnsembleIsItsMembersTrainedWithConsecutiveSeedsAndAveraged() {
        float[][] train = SyntheticBeats.generate(96, 140, 13);
        float[][] validation = SyntheticBeats.generate(16, 140, 14);
        AutoencoderConfig cfg = SyntheticBeats.smallConfig(2).withSeed(5);

        try (TrainedAutoencoder first = trainer.train(train, validation, cfg);
                TrainedAutoencoder second = trainer.train(train, validation, cfg.withSeed(6));
                TrainedAutoencoder ensemble = trainer.train(train, validation, cfg.withMembers(2))) {
            byte[] one = first.weightsBytes();
            byte[] two = second.weightsBytes();
            byte[] both = new byte[one.length + two.length];
            System.arraycopy(one, 0, both, 0, one.length);
            System.arraycopy(two, 0, both, one.length, two.length);
            assertThat(ensemble.weightsBytes()).isEqualTo(both);
            assertThat(ensemble.parameterCount()).isEqualTo(2 * first.parameterCount());
            // Both members take the same steps; their updates add up.
            assertThat(ensemble.weightUpdates()).isEqualTo(2 * first.weightUpdates());

            float[][] a = first.reconstruct(validation);
            float[][] b = second.reconstruct(validation);
            float[][] mean = ensemble.reconstruct(validation);
            for (int r = 0; r < validation.length; r++) {
                for (int c = 0; c < 140; c++) {
                    assertThat(mean[r][c]).isCloseTo((a[r][c] + b[r][c]) / 2, within(1e-6f));
                }
            }
            assertThat(ensemble.history()).hasSize(2);
            assertThat(ensemble.history().get(1).loss())
                    .isCloseTo(
                            (first.history().get(1).loss()
                                            + second.history().get(1).loss())
                                    / 2,
                            within(1e-12));
        }
    }

    @Test
    void denoisingTrainsOnNoisyBeatsReproduciblyAndIsScoredOnTheCleanOnes() {
        float[][] train = SyntheticBeats.generate(96, 140, 15);
        AutoencoderConfig cfg = SyntheticBeats.smallConfig(3);

        try (TrainedAutoencoder clean = trainer.train(train, train, cfg);
                TrainedAutoencoder noisy = trainer.train(train, train, cfg.withNoise(0.05));
                TrainedAutoencoder again = trainer.train(train, train, cfg.withNoise(0.05))) {
            assertThat(noisy.weightsBytes()).isNotEqualTo(clean.weightsBytes());
            assertThat(again.weightsBytes()).isEqualTo(noisy.weightsBytes());
            // Validation runs the clean beats through without noise, against the clean beats.
            float[][] reconstruction = noisy.reconstruct(train);
            assertThat(noisy.history().get(2).valLoss())
                    .isCloseTo(expectedLoss(cfg.loss(), train, reconstruction), within(1e-6));
        }
    }

    /** Keras semantics in double precision: mean over each beat, then over all beats. */
    private static double expectedLoss(Loss loss, float[][] truth, float[][] prediction) {
        double total = 0;
        for (int r = 0; r < truth.length; r++) {
            double row = 0;
            for (int c = 0; c < truth[r].length; c++) {
                double t = truth[r][c];
                double p = prediction[r][c];
                row += switch (loss) {
                    case MSE -> (p - t) * (p - t);
                    case MAE -> Math.abs(p - t);
                    case MSLE -> {
                        double d = Math.log1p(Math.max(p, 1e-7)) - Math.log1p(Math.max(t, 1e-7));
                        yield d * d;
                    }
                };
            }
            total += row / truth[r].length;
        }
        return total / truth.length;
    }
}
