package ecgdetector.model.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MinMaxScalerTest {

    private final float[][] beats = {
        {0f, 10f, -2f},
        {4f, 10f, 2f},
        {2f, 10f, 0f},
    };

    @Test
    void perPositionMapsEachPositionsRangeOntoZeroToOne() {
        MinMaxScaler scaler = MinMaxScaler.fitPerPosition(beats);

        assertThat(scaler.params().min()).containsExactly(0f, 10f, -2f);
        assertThat(scaler.params().max()).containsExactly(4f, 10f, 2f);
        assertThat(scaler.transform(new float[] {0f, 10f, -2f})).containsExactly(0f, 0f, 0f);
        assertThat(scaler.transform(new float[] {4f, 10f, 2f})).containsExactly(1f, 0f, 1f);
        assertThat(scaler.transform(new float[] {1f, 10f, 1f})).containsExactly(0.25f, 0f, 0.75f);
    }

    @Test
    void constantPositionGetsRangeOneInsteadOfDividingByZero() {
        float[] scaled = MinMaxScaler.fitPerPosition(beats).transform(new float[] {2f, 13f, 0f});
        assertThat(scaled[1]).isEqualTo(3f);
    }

    @Test
    void valuesOutsideTheFittedRangeAreNotClipped() {
        float[] scaled = MinMaxScaler.fitPerPosition(beats).transform(new float[] {-4f, 10f, 6f});
        assertThat(scaled).containsExactly(-1f, 0f, 2f);
    }

    @Test
    void globalUsesOneMinAndMaxEverywhere() {
        MinMaxScaler scaler = MinMaxScaler.fitGlobal(beats);

        assertThat(scaler.params().kind()).isEqualTo("global");
        assertThat(scaler.params().min()).containsExactly(-2f, -2f, -2f);
        assertThat(scaler.params().max()).containsExactly(10f, 10f, 10f);
        assertThat(scaler.transform(new float[] {-2f, 10f, 4f})).containsExactly(0f, 1f, 0.5f);
    }

    @Test
    void roundTripsThroughItsParameters() {
        MinMaxScaler scaler = MinMaxScaler.fitPerPosition(beats);
        MinMaxScaler copy = MinMaxScaler.of(scaler.params());
        float[] beat = {1.5f, 11f, -0.3f};
        assertThat(copy.transform(beat)).containsExactly(scaler.transform(beat));
    }

    @Test
    void transformIntoABatchBufferAtAnOffset() {
        MinMaxScaler scaler = MinMaxScaler.fitPerPosition(beats);
        float[] batch = new float[6];
        scaler.transform(new float[] {4f, 10f, 2f}, batch, 3);
        assertThat(batch).containsExactly(0f, 0f, 0f, 1f, 0f, 1f);
    }

    @Test
    void refusesWrongLengthsAndBadParameters() {
        MinMaxScaler scaler = MinMaxScaler.fitPerPosition(beats);
        assertThatThrownBy(() -> scaler.transform(new float[] {1f, 2f}))
                .hasMessageContaining("beat has 2 samples, scaler expects 3");
        assertThatThrownBy(() -> MinMaxScaler.fitPerPosition(new float[0][])).hasMessageContaining("no beats");
        assertThatThrownBy(() -> MinMaxScaler.fitPerPosition(new float[][] {{1f, 2f}, {1f}}))
                .hasMessageContaining("different lengths");
        assertThatThrownBy(() -> MinMaxScaler.of(new ecgdetector.schemas.ReleaseManifest.Scaler(
                        "per-position", new float[] {1f}, new float[] {0f})))
                .hasMessageContaining("position 0 has min 1.0 and max 0.0");
        assertThatThrownBy(() -> MinMaxScaler.of(
                        new ecgdetector.schemas.ReleaseManifest.Scaler("zscore", new float[] {0f}, new float[] {1f})))
                .hasMessageContaining("unknown scaler kind 'zscore'");
    }
}
