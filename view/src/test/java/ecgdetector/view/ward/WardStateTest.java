package ecgdetector.view.ward;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.WindowSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WardStateTest {

    private static final double THRESHOLD = 0.01;
    private static final long T0 = 1_700_000_000_000L;
    private final WardState ward = new WardState(WardLimits.defaults(Duration.ofSeconds(10)));
    private long offset;

    private void beat(String patient, long eventMs, double ratio, long readAtMs) {
        long o = offset++;
        ward.score(
                new Score(
                        "hb/0/" + o,
                        new WindowSource("hb", 0, o),
                        patient,
                        null,
                        Instant.ofEpochMilli(eventMs).toString(),
                        Instant.ofEpochMilli(readAtMs).toString(),
                        (float) (ratio * THRESHOLD),
                        THRESHOLD,
                        ratio > 1,
                        new ModelRef("m", "v1"),
                        null),
                readAtMs);
    }

    private TileData tile(String patient, long now) {
        return ward.tiles(now).stream()
                .filter(t -> t.patientId().equals(patient))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aPatientIsNormalUntilAnAnomalousBeatAndTheSeverityBandsAreTheStreamers() {
        beat("a", T0, 0.5, T0);
        assertThat(tile("a", T0).level()).isEqualTo(TileLevel.NORMAL);
        beat("a", T0 + 1000, 1.2, T0 + 1000);
        assertThat(tile("a", T0 + 1000).level()).isEqualTo(TileLevel.ANOMALY_LOW);
        beat("a", T0 + 2000, 4.5, T0 + 2000);
        TileData t = tile("a", T0 + 2000);
        assertThat(t.level()).isEqualTo(TileLevel.ANOMALY_HIGH);
        assertThat(t.anomaliesLastMinute()).isEqualTo(2);
        assertThat(t.detail()).isEqualTo("2 anomalous beats in the last minute, worst CRITICAL");
    }

    @Test
    void anAnomalousBeatCountsForAMinuteOfEventTime() {
        beat("a", T0, 3, T0);
        for (int s = 1; s <= 61; s++) {
            beat("a", T0 + s * 1000L, 0.5, T0 + s * 1000L);
        }
        assertThat(tile("a", T0 + 61_000).level()).isEqualTo(TileLevel.NORMAL);
        assertThat(tile("a", T0 + 61_000).beatsPerMinute()).isEqualTo(61.0);
    }

    @Test
    void beatsAMinuteComeFromTheSpanHeldBeforeAWholeMinuteIs() {
        for (int i = 0; i < 11; i++) {
            beat("a", T0 + i * 500L, 0.5, T0);
        }
        assertThat(tile("a", T0).beatsPerMinute()).isEqualTo(120.0);
    }

    @Test
    void aPatientWithNoScoreForTheSilenceLimitIsFeedSilentAndComesFirst() {
        beat("quiet", T0, 0.5, T0);
        beat("busy", T0 + 9_000, 3, T0 + 9_000);
        List<TileData> tiles = ward.tiles(T0 + 10_000);
        assertThat(tiles).extracting(TileData::patientId).containsExactly("quiet", "busy");
        assertThat(tiles.get(0).level()).isEqualTo(TileLevel.FEED_SILENT);
        assertThat(tiles.get(0).detail()).isEqualTo("no score for 10 s");
        assertThat(tiles.get(1).level()).isEqualTo(TileLevel.ANOMALY_HIGH);
    }

    @Test
    void tilesAreSortedByUrgencyThenByRatioThenById() {
        beat("c", T0, 0.5, T0);
        beat("b", T0, 0.9, T0);
        beat("a", T0, 0.5, T0);
        beat("d", T0, 1.2, T0);
        assertThat(ward.tiles(T0)).extracting(TileData::patientId).containsExactly("d", "b", "a", "c");
    }

    @Test
    void anOpenAlarmSetsTheLevelUntilItClears() {
        beat("a", T0, 0.5, T0);
        ward.alarm(new AlarmEvent("a", "al-1", "EPISODE", "RAISED", "high", null), T0);
        assertThat(tile("a", T0).level()).isEqualTo(TileLevel.ALARM_HIGH);
        assertThat(tile("a", T0).detail()).isEqualTo("EPISODE RAISED");
        ward.alarm(new AlarmEvent("a", "al-1", "EPISODE", "CLEARED", "high", null), T0);
        assertThat(tile("a", T0).level()).isEqualTo(TileLevel.NORMAL);
        ward.alarm(new AlarmEvent("a", "al-2", "FEED_SILENT", "RAISED", "medium", null), T0);
        assertThat(tile("a", T0).level()).isEqualTo(TileLevel.FEED_SILENT);
        ward.alarm(new AlarmEvent("a", "al-3", "FEED_RESUMED", "RAISED", "low", null), T0);
        assertThat(tile("a", T0).level()).isEqualTo(TileLevel.NORMAL);
        assertThat(ward.patient("a", T0, 0, 0).orElseThrow().history()).hasSize(4);
    }

    @Test
    void samplesArriveAfterTheirScoreAndTheNewestWindowWithSamplesIsTheOneDrawn() {
        beat("a", T0, 0.5, T0);
        beat("a", T0 + 1, 0.5, T0);
        ward.samples("a", "hb/0/0", new float[] {1, 2});
        TileData t = tile("a", T0);
        assertThat(t.latest().windowId()).isEqualTo("hb/0/1");
        assertThat(t.drawable().windowId()).isEqualTo("hb/0/0");
        ward.samplesUnavailable("a", "hb/0/1", "gone");
        assertThat(tile("a", T0).latest().samplesNote()).isEqualTo("gone");
    }

    @Test
    void windowsWithoutAPatientIdAreOnePatientAndSilentPatientsAreForgotten() {
        beat(null, T0, 0.5, T0);
        assertThat(ward.tiles(T0)).extracting(TileData::patientId).containsExactly("");
        assertThat(ward.tiles(T0 + Duration.ofMinutes(31).toMillis())).isEmpty();
    }
}
