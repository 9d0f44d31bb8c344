package ecgdetector.model.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.AlarmCause;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BeatQualityTest {

    private static final int LENGTH = 140;

    private final Random random = new Random(7);
    private final MinMaxScaler scaler = MinMaxScaler.fitPerPosition(normalBeats(200));
    private final BeatQuality quality = BeatQuality.of(scaler);

    @Test
    void aNormalisedBeatOfTheFittedShapeIsJudged() {
        for (float[] beat : normalBeats(100)) {
            assertThat(quality.check(beat)).isNull();
        }
    }

    @Test
    void aLeadOffIsFlat() {
        float[] beat = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            beat[i] = 0.4f + (float) (0.01 * random.nextGaussian());
        }
        assertThat(quality.check(beat)).isEqualTo(AlarmCause.FLAT);
    }

    @Test
    void aSaturatedAmplifierIsClipped() {
        float[] beat = normalBeats(1)[0];
        for (int i = 40; i < 40 + BeatQuality.CLIPPED_SAMPLES; i++) {
            beat[i] = 2.5f;
        }
        assertThat(quality.check(beat)).isEqualTo(AlarmCause.CLIPPED);
    }

    @Test
    void aBeatInOtherUnitsIsOutOfRangeButAFewSamplesOutsideAreNot() {
        float[] millivolts = normalBeats(1)[0];
        for (int i = 0; i < LENGTH; i++) {
            millivolts[i] = millivolts[i] * 1000 + 0.3f * i;
        }
        assertThat(quality.check(millivolts)).isEqualTo(AlarmCause.OUT_OF_RANGE);

        // An abnormal beat leaves the range in a few samples: a physiological question, not a technical one.
        float[] spike = normalBeats(1)[0];
        for (int i = 60; i < 66; i++) {
            spike[i] += 50 * (i % 2 == 0 ? 1 : -1) + 0.1f * i;
        }
        assertThat(quality.check(spike)).isNull();
    }

    /** The bounds are precomputed in the signal's units; the verdicts are those of scaling every sample. */
    @Test
    void verdictsAreThoseOfTheRuleInScaledUnits() {
        int outOfRange = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            float[] beat = normalBeats(1)[0];
            // Shift part of the beat by about the distance that puts a sample two ranges out, so that many beats
            // fall either side of the half-the-samples limit and many samples near a bound.
            double shift = (2 + 0.5 * random.nextGaussian()) * 4;
            int from = random.nextInt(LENGTH / 2 - 3);
            int to = from + LENGTH / 2 + random.nextInt(7) - 3;
            for (int i = from; i < to; i++) {
                beat[i] += (float) shift;
            }
            AlarmCause expected = referenceOutOfRange(beat) ? AlarmCause.OUT_OF_RANGE : null;
            AlarmCause got = quality.check(beat);
            if (got != AlarmCause.FLAT && got != AlarmCause.CLIPPED) {
                assertThat(got).as("trial %d", trial).isEqualTo(expected);
                outOfRange += got == null ? 0 : 1;
            }
        }
        assertThat(outOfRange).as("beats out of range among the trials").isBetween(2_000, 18_000);
    }

    /** The clipping count compares floats with bounds rounded once; it must count what the rule in doubles counts. */
    @Test
    void clippingIsCountedAsTheRuleInDoublesCountsIt() {
        for (int trial = 0; trial < 20_000; trial++) {
            float[] beat = normalBeats(1)[0];
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            for (float v : beat) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            double tolerance = BeatQuality.AT_EXTREME * ((double) max - min);
            // Put samples on, just inside and just outside either bound, one float step apart.
            int near = random.nextInt(2 * BeatQuality.CLIPPED_SAMPLES);
            for (int k = 0; k < near; k++) {
                float onBound = (float) (random.nextBoolean() ? max - tolerance : min + tolerance);
                int steps = random.nextInt(5) - 2;
                for (int s = 0; s < Math.abs(steps); s++) {
                    onBound = steps > 0 ? Math.nextUp(onBound) : Math.nextDown(onBound);
                }
                beat[random.nextInt(LENGTH)] = Math.max(min, Math.min(max, onBound));
            }
            int atMax = 0;
            int atMin = 0;
            for (float v : beat) {
                atMax += v >= max - tolerance ? 1 : 0;
                atMin += v <= min + tolerance ? 1 : 0;
            }
            boolean expected = atMax >= BeatQuality.CLIPPED_SAMPLES || atMin >= BeatQuality.CLIPPED_SAMPLES;
            assertThat(BeatQuality.clipped(beat, min, max))
                    .as("trial %d", trial)
                    .isEqualTo(expected);
        }
        assertThat(BeatQuality.smallestFloatAtLeast(0.1)).isGreaterThanOrEqualTo(0.1f);
        assertThat((double) Math.nextDown(BeatQuality.smallestFloatAtLeast(0.1)))
                .isLessThan(0.1);
        assertThat((double) BeatQuality.largestFloatAtMost(0.1)).isLessThanOrEqualTo(0.1);
        assertThat((double) Math.nextUp(BeatQuality.largestFloatAtMost(0.1))).isGreaterThan(0.1);
    }

    @Test
    void aBeatOfAnotherLengthIsJudgedOnItsShapeAlone() {
        float[] longer = new float[LENGTH + 10];
        for (int i = 0; i < longer.length; i++) {
            longer[i] = (float) Math.sin(i / 9.0) * 1000;
        }
        assertThat(quality.check(longer)).isNull();
        assertThat(quality.check(new float[LENGTH + 10])).isEqualTo(AlarmCause.FLAT);
    }

    private boolean referenceOutOfRange(float[] beat) {
        int farOut = 0;
        for (int i = 0; i < beat.length; i++) {
            double scaled = scaler.scale(beat[i], i);
            if (scaled < -BeatQuality.FAR_OUT_RANGES || scaled > 1 + BeatQuality.FAR_OUT_RANGES) {
                farOut++;
            }
        }
        return farOut > (int) (BeatQuality.OUT_OF_RANGE_SHARE * beat.length);
    }

    /** A wave with a little noise and a random phase, normalised to mean 0 and standard deviation 1. */
    private float[][] normalBeats(int n) {
        float[][] beats = new float[n][LENGTH];
        for (float[] beat : beats) {
            double phase = 0.3 * random.nextGaussian();
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < LENGTH; i++) {
                double v = Math.sin(2 * Math.PI * i / LENGTH + phase) + 0.1 * random.nextGaussian();
                beat[i] = (float) v;
                sum += v;
                sumSq += v * v;
            }
            double mean = sum / LENGTH;
            double sd = Math.sqrt(sumSq / LENGTH - mean * mean);
            for (int i = 0; i < LENGTH; i++) {
                beat[i] = (float) ((beat[i] - mean) / sd);
            }
        }
        return beats;
    }
}
