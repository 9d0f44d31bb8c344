package ecgdetector.trainer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.trainer.testing.TestReleases;
import org.junit.jupiter.api.Test;

/**
 * A beat's score must not depend on the batch it is scored in: the trainer's offline evaluation scores in
 * batches of 1,024, the streamer in whatever a batch holds, and the model runs every batch as tensors of two shapes.
 * The sizes include those whose own tensor shapes gave other last bits on an AVX2-only CPU. Real TensorFlow, a
 * real release.
 */
class ReleaseModelBatchSizeTest {

    @Test
    void aBeatScoresBitForBitTheSameAloneAndInBatchesOfAnySize() throws Exception {
        float[][] beats = TestReleases.syntheticDataset(3).beats().beats();
        try (ReleaseModel model = ReleaseModel.load(TestReleases.synthetic().release())) {
            BeatScore[] alone = model.scoreAll(beats, 1);
            for (int batch : new int[] {
                2, 3, 5, 7, 8, 16, 31, 32, 63, 64, 65, 100, 127, 128, 255, 256, 257, 512, 1024, beats.length
            }) {
                BeatScore[] batched = model.scoreAll(beats, batch);
                for (int i = 0; i < beats.length; i++) {
                    assertThat(Float.floatToRawIntBits(batched[i].error()))
                            .as("beat %d in batches of %d", i, batch)
                            .isEqualTo(Float.floatToRawIntBits(alone[i].error()));
                    assertThat(batched[i].worstPositions()).containsExactly(alone[i].worstPositions());
                    assertThat(batched[i].reconstruction()).containsExactly(alone[i].reconstruction());
                }
            }
        }
    }

    @Test
    void warmingUpRunsTheTensorShapesAndChangesNoScore() throws Exception {
        float[][] beats = TestReleases.syntheticDataset(3).beats().beats();
        try (ReleaseModel cold = ReleaseModel.load(TestReleases.synthetic().release());
                ReleaseModel warmed = ReleaseModel.load(TestReleases.synthetic().release())) {
            BeatScore[] coldScores = cold.scoreAll(beats, 256);

            assertThat(warmed.warmUp(256)).as("the two tensor shapes").isEqualTo(2);
            assertThat(warmed.warmUp(64)).isEqualTo(1);
            assertThat(warmed.warmUp(1025)).isEqualTo(2);

            BeatScore[] warmScores = warmed.scoreAll(beats, 256);
            for (int i = 0; i < beats.length; i++) {
                assertThat(Float.floatToRawIntBits(warmScores[i].error()))
                        .as("beat %d", i)
                        .isEqualTo(Float.floatToRawIntBits(coldScores[i].error()));
            }
        }
    }
}
