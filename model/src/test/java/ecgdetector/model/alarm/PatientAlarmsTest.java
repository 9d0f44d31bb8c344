package ecgdetector.model.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.ModelRef;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PatientAlarmsTest {

    /**
     * A fixed rule, not the default: {@code 3 of 5 > 1.2x}, the default until 7 December 2026, with which the first
     * format's fixture below was written; the state's bounds are checked for the default window as well.
     */
    private static final AlarmRule RULE = new AlarmRule(3, 5, 1.2, 4, 30_000, 10_000);

    private static final AlarmEngine ENGINE = new AlarmEngine(RULE);
    private static final ModelRef MODEL = new ModelRef("ecg-autoencoder", "v1");
    private static final String TOPIC = "ecg.heartbeats";
    private static final long T0 = 1_796_000_000_000L;

    /** A patient's life in a few hundred records: runs of anomalous beats, bad beats, dead letters, a gap, a tick. */
    private static final class Feed {
        final AlarmEngine engine;
        final Random random;
        final List<Alarm> alarms = new ArrayList<>();
        long offset = 3_000_000_000L;
        long eventTime = T0;
        long wall = T0 + 5_000;

        Feed(long seed) {
            this(ENGINE, seed);
        }

        Feed(AlarmEngine engine, long seed) {
            this.engine = engine;
            random = new Random(seed);
        }

        void run(PatientAlarms p, int records) {
            for (int i = 0; i < records; i++) {
                offset += 1 + random.nextInt(20_000);
                eventTime += 600 + random.nextInt(400) + (random.nextInt(100) == 0 ? 15_000 : 0);
                wall += 600 + random.nextInt(400);
                int kind = random.nextInt(40);
                if (kind == 0) {
                    engine.deadLetter(p, "p-1", TOPIC, 2, offset, eventTime, wall, alarms);
                } else if (kind == 1) {
                    engine.tick(
                            p, "p-1", new Tick(TOPIC, wall, true, wall - 20_000, 10_000, 86_400_000, MODEL), alarms);
                } else {
                    boolean anomalous = (i / 25) % 3 == 1 ? random.nextInt(4) > 0 : random.nextInt(20) == 0;
                    double ratio = anomalous ? 1.2 + random.nextDouble() * 12 : random.nextDouble() * 1.2;
                    AlarmCause quality = kind == 2 ? AlarmCause.FLAT : kind == 3 ? AlarmCause.CLIPPED : null;
                    engine.beat(
                            p, new ScoredBeat("p-1", TOPIC, 2, offset, eventTime, ratio, quality, MODEL, wall), alarms);
                }
            }
        }
    }

    private static PatientAlarms after(long seed, int records) {
        PatientAlarms p = ENGINE.newPatient();
        new Feed(seed).run(p, records);
        return p;
    }

    @Test
    void aStateReadBackJudgesTheNextRecordsAsTheOriginalDoes() {
        for (long seed = 1; seed <= 50; seed++) {
            for (int records : new int[] {0, 1, 3, 7, 60, 333}) {
                Feed feed = new Feed(seed);
                PatientAlarms original = ENGINE.newPatient();
                feed.run(original, records);
                byte[] bytes = original.toBytes();
                PatientAlarms restored = PatientAlarms.fromBytes(bytes, RULE.window());
                assertThat(restored.toBytes())
                        .as("seed %d, %d records", seed, records)
                        .isEqualTo(bytes);

                Feed onOriginal = new Feed(seed * 31 + records);
                Feed onRestored = new Feed(seed * 31 + records);
                onOriginal.offset = onRestored.offset = feed.offset;
                onOriginal.eventTime = onRestored.eventTime = feed.eventTime;
                onOriginal.wall = onRestored.wall = feed.wall;
                onOriginal.run(original, 200);
                onRestored.run(restored, 200);
                assertThat(onRestored.alarms)
                        .as("seed %d, %d records", seed, records)
                        .isEqualTo(onOriginal.alarms);
                assertThat(restored.toBytes()).isEqualTo(original.toBytes());
            }
        }
    }

    @Test
    void aPatientsStateIsSmallAndBounded() {
        int largest = 0;
        int sum = 0;
        for (long seed = 1; seed <= 200; seed++) {
            int size = after(seed, 500).toBytes().length;
            largest = Math.max(largest, size);
            sum += size;
        }
        assertThat(sum / 200).as("mean bytes at M = 5").isLessThan(120);
        assertThat(largest).isLessThanOrEqualTo(PatientAlarms.maxBytes(RULE.window()));
        assertThat(PatientAlarms.maxBytes(RULE.window())).isEqualTo(339);
        assertThat(PatientAlarms.maxBytes(AlarmRule.DEFAULT_WINDOW)).isEqualTo(315);
        assertThat(ENGINE.newPatient().toBytes()).hasSizeLessThan(40);

        AlarmEngine byDefault = new AlarmEngine(AlarmRule.DEFAULT);
        int sumAtDefault = 0;
        int largestAtDefault = 0;
        for (long seed = 1; seed <= 200; seed++) {
            PatientAlarms p = byDefault.newPatient();
            new Feed(byDefault, seed).run(p, 500);
            int size = p.toBytes().length;
            largestAtDefault = Math.max(largestAtDefault, size);
            sumAtDefault += size;
        }
        assertThat(sumAtDefault / 200).as("mean bytes at the default M").isLessThan(110);
        assertThat(largestAtDefault).isLessThanOrEqualTo(PatientAlarms.maxBytes(AlarmRule.DEFAULT_WINDOW));
    }

    @Test
    void theLargestValuesFitTheBound() {
        PatientAlarms p = ENGINE.newPatient();
        List<Alarm> out = new ArrayList<>();
        long[] offsets = {Long.MAX_VALUE, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE};
        long[] times = {Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, 0, -1, Long.MAX_VALUE};
        for (int i = 0; i < offsets.length; i++) {
            ENGINE.beat(
                    p,
                    new ScoredBeat("p", TOPIC, Integer.MAX_VALUE, offsets[i], times[i], 1e9, null, MODEL, times[i]),
                    out);
            ENGINE.deadLetter(p, "p", TOPIC, Integer.MAX_VALUE, offsets[i], times[i], Long.MIN_VALUE, out);
        }
        byte[] bytes = p.toBytes();
        assertThat(bytes.length).isLessThanOrEqualTo(PatientAlarms.maxBytes(RULE.window()));
        assertThat(PatientAlarms.fromBytes(bytes, RULE.window()).toBytes()).isEqualTo(bytes);
    }

    /**
     * The state of {@code after(7, 333)} as the first format wrote it (fixed fields, 285 bytes), which stores and
     * changelogs written before the compact format still hold.
     */
    private static final String FORMAT_1_AFTER_7_333 =
            "01050000000200000000b3033753000001a229f5ecd2000001a229f5480a00000005000000010000000c000000020000"
                    + "0000b3033753000001a229f5ecd23f231ce400000000b302b880000001a229f5e05f3f1e9c2e00000000b302bef00000"
                    + "01a229f5e2f44141ff8300000000b302ecea000001a229f5e69840a2caad00000000b3032901000001a229f5e9403f28"
                    + "d7890100000000b302775d000001a229f5d74c000001a229f5e698000000054141ff8301000000040000000000000000"
                    + "0000000c00000000b302bef0000001a229f5e2f400000000b302ecea000001a229f5e69800000000b3032901000001a2"
                    + "29f5e94000000000b3033753000001a229f5ecd2000000000000000000000000000000000b000001a229f3967a";

    @Test
    void aStateOfTheFirstFormatIsReadAsTheStateItWas() {
        byte[] first = HexFormat.of().parseHex(FORMAT_1_AFTER_7_333);
        assertThat(first).hasSize(285);
        assertThat(PatientAlarms.fromBytes(first, RULE.window()).toBytes())
                .isEqualTo(after(7, 333).toBytes());
    }

    @Test
    void aStateWrittenWithAnotherWindowKeepsItsEpisodesAndStartsItsRingAfresh() {
        PatientAlarms five = after(3, 333);
        PatientAlarms eight = PatientAlarms.fromBytes(five.toBytes(), 8);
        assertThat(eight.window()).isEqualTo(8);
        assertThat(eight.ringFill).isZero();
        assertThat(eight.episodeOpen()).isEqualTo(five.episodeOpen());
        assertThat(eight.qualityOpen()).isEqualTo(five.qualityOpen());
        assertThat(eight.lastSeenWall()).isEqualTo(five.lastSeenWall());
        assertThat(PatientAlarms.fromBytes(eight.toBytes(), 8).toBytes()).isEqualTo(eight.toBytes());
    }

    @Test
    void bytesThatAreNotAStateAreRefusedWithTheirSize() {
        byte[] state = after(5, 100).toBytes();
        byte[] cut = java.util.Arrays.copyOf(state, state.length / 2);
        assertThatThrownBy(() -> PatientAlarms.fromBytes(cut, RULE.window()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(cut.length + " bytes");
        byte[] unknown = state.clone();
        unknown[0] = 9;
        assertThatThrownBy(() -> PatientAlarms.fromBytes(unknown, RULE.window()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format 9");
        byte[] longer = java.util.Arrays.copyOf(state, state.length + 1);
        assertThatThrownBy(() -> PatientAlarms.fromBytes(longer, RULE.window()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
