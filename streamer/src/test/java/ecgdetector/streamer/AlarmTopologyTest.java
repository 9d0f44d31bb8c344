package ecgdetector.streamer;

import static ecgdetector.streamer.testing.TopologyHarness.START;
import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmCause;
import ecgdetector.schemas.AlarmPriority;
import ecgdetector.schemas.AlarmState;
import ecgdetector.schemas.AlarmType;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.streamer.ops.ScoringCoverage;
import ecgdetector.streamer.ops.UnscoredTasks;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The alarm stage on {@code TopologyTestDriver}: every transition of the rule table, the priority rules, the
 * wall-clock ticks for a silent feed, a task nothing scores and the retention, and the ids. The fake model scores
 * a beat by the mean of |x| ({@link TopologyHarness#sendBeat} makes a beat of a given score that passes every
 * quality check); the release's threshold is 1, so a beat's score is its ratio.
 */
class AlarmTopologyTest {

    private static final String V1 = "2025-01-01T00-00-00Z-aaaa";
    private static final long T0 = START.toEpochMilli();
    private static final double NORMAL = 0.5;
    private static final double HIGH = 2.0;

    private static TopologyHarness harness(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("ecg.batch.size", "1", "ecg.batch.wait.ms", "100"));
        // The transitions are tested on a rule of their own (3 of 4 above 1.2x, 8 to clear), not on the defaults,
        // which are whatever the committed alarm selection chose (the trainer's AlarmDefaultsTest holds them).
        settings.putAll(Map.of(
                "ecg.alarm.beats",
                "3",
                "ecg.alarm.window",
                "4",
                "ecg.alarm.ratio",
                "1.2",
                "ecg.alarm.clear.beats",
                "8"));
        settings.putAll(extra);
        TopologyHarness h = new TopologyHarness(settings);
        h.publish(FakeModels.release(V1, 1.0));
        return h;
    }

    private static TopologyHarness harness() {
        return harness(Map.of());
    }

    /** Beats of {@code patient} one second apart from {@code first} (event time), offsets in send order. */
    private static long beats(TopologyHarness h, String patient, long first, double... scores) {
        long t = first;
        for (double score : scores) {
            h.sendBeat(patient, score, t);
            t += 1000;
        }
        return t;
    }

    private static double[] times(int n, double score) {
        double[] s = new double[n];
        java.util.Arrays.fill(s, score);
        return s;
    }

    private static List<Alarm> alarms(TopologyHarness h) {
        List<byte[]> values = h.alarms.readValuesToList();
        values.forEach(v -> assertThat(JsonSchemas.violations(JsonSchemas.Contract.ALARM, v))
                .as(new String(v, StandardCharsets.UTF_8))
                .isEmpty());
        return values.stream().map(v -> TopologyHarness.read(v, Alarm.class)).toList();
    }

    private static String id(long offset) {
        return "ecg.heartbeats/0/" + offset;
    }

    @Test
    void threeOfFourBeatsAboveTheRatioRaiseAnEpisodeAndEightNormalBeatsClearIt() {
        try (TopologyHarness h = harness()) {
            // Offsets 0-4 normal, 5-7 above 1.2x: RAISED on the third of them, with the three as its beats.
            long t = beats(h, "p-1", T0, NORMAL, NORMAL, NORMAL, NORMAL, NORMAL, HIGH, HIGH, 2.5);
            List<Alarm> raised = alarms(h);
            assertThat(raised).singleElement().satisfies(a -> {
                assertThat(a.alarmId()).isEqualTo("ANOMALOUS_BEATS:" + id(5) + "/RAISED");
                assertThat(a.episodeId()).isEqualTo("ANOMALOUS_BEATS:" + id(5));
                assertThat(a.patientId()).isEqualTo("p-1");
                assertThat(a.type()).isEqualTo(AlarmType.ANOMALOUS_BEATS);
                assertThat(a.category()).isEqualTo(AlarmType.Category.PHYSIOLOGICAL);
                assertThat(a.state()).isEqualTo(AlarmState.RAISED);
                assertThat(a.cause()).isEqualTo(AlarmCause.BEATS_ABOVE_RATIO);
                assertThat(a.priority()).isEqualTo(AlarmPriority.LOW);
                assertThat(a.beats()).containsExactly(id(5), id(6), id(7));
                assertThat(a.anomalousBeats()).isEqualTo(3);
                assertThat(a.peakRatio()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-5));
                assertThat(a.startedAt()).isEqualTo(START.plusSeconds(5).toString());
                assertThat(a.at()).isEqualTo(START.plusSeconds(7).toString());
                assertThat(a.model()).isEqualTo(new ModelRef(FakeModels.MODEL, V1));
                assertThat(a.rule()).contains("2 others of the last 4 beats are above 1.2x threshold");
            });

            // Seven normal beats keep it open; the eighth clears it.
            t = beats(h, "p-1", t, times(7, NORMAL));
            assertThat(alarms(h)).isEmpty();
            beats(h, "p-1", t, NORMAL);
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.alarmId()).isEqualTo("ANOMALOUS_BEATS:" + id(5) + "/CLEARED");
                assertThat(a.cause()).isEqualTo(AlarmCause.NORMAL_BEATS);
                assertThat(a.beats()).containsExactly(id(15));
                assertThat(a.anomalousBeats()).isEqualTo(3);
            });
        }
    }

    @Test
    void beatsAboveTheThresholdButNotTheRatioAlertButRaiseNoAlarm() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, times(6, 1.15));
            assertThat(h.readAlerts()).hasSize(6);
            assertThat(alarms(h)).isEmpty();
        }
    }

    @Test
    void isolatedAnomalousBeatsRaiseNothingAndAnOpenEpisodeIsNotRaisedAgain() {
        try (TopologyHarness h = harness()) {
            long t = beats(h, "p-1", T0, HIGH, NORMAL, NORMAL, HIGH, NORMAL, NORMAL, HIGH, NORMAL, HIGH);
            assertThat(alarms(h)).isEmpty();
            t = beats(h, "p-1", t, HIGH, HIGH, NORMAL, HIGH, HIGH, HIGH);
            assertThat(alarms(h)).extracting(Alarm::state).containsExactly(AlarmState.RAISED);
        }
    }

    @Test
    void patientsAreJudgedApart() {
        try (TopologyHarness h = harness()) {
            for (int i = 0; i < 3; i++) {
                h.sendBeat("p-1", HIGH, T0 + i * 1000L);
                h.sendBeat("p-2", NORMAL, T0 + i * 1000L);
            }
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.patientId()).isEqualTo("p-1");
                assertThat(a.beats()).containsExactly(id(0), id(2), id(4));
            });
            assertThat(h.alarms.isEmpty()).isTrue();
        }
    }

    @Test
    void anEpisodeClearsAfterTheQuietTimeWhenNormalBeatsDoNotComeInARow() {
        try (TopologyHarness h = harness(Map.of("ecg.alarm.clear.beats", "100", "ecg.alarm.quiet.ms", "5000"))) {
            long t = beats(h, "p-1", T0, HIGH, HIGH, HIGH);
            assertThat(alarms(h)).extracting(Alarm::state).containsExactly(AlarmState.RAISED);
            // The last beat above the ratio was at T0 + 2 s; the quiet time ends at a beat 5 s after it.
            t = beats(h, "p-1", t, NORMAL, NORMAL, NORMAL, NORMAL);
            assertThat(alarms(h)).isEmpty();
            beats(h, "p-1", t, NORMAL);
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.state()).isEqualTo(AlarmState.CLEARED);
                assertThat(a.cause()).isEqualTo(AlarmCause.QUIET_TIME);
                assertThat(a.at()).isEqualTo(START.plusSeconds(7).toString());
            });
        }
    }

    @Test
    void aLongerRunEscalatesToMediumAtEightBeatsAndToHighAtThirty() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, times(30, HIGH));
            List<Alarm> alarms = alarms(h);
            assertThat(alarms)
                    .extracting(Alarm::alarmId)
                    .containsExactly(
                            "ANOMALOUS_BEATS:" + id(0) + "/RAISED",
                            "ANOMALOUS_BEATS:" + id(0) + "/ESCALATED-MEDIUM",
                            "ANOMALOUS_BEATS:" + id(0) + "/ESCALATED-HIGH");
            assertThat(alarms.get(1).cause()).isEqualTo(AlarmCause.LONGER_RUN);
            assertThat(alarms.get(1).anomalousBeats()).isEqualTo(8);
            assertThat(alarms.get(1).beats()).containsExactly(id(4), id(5), id(6), id(7));
            assertThat(alarms.get(2).priority()).isEqualTo(AlarmPriority.HIGH);
            assertThat(alarms.get(2).anomalousBeats()).isEqualTo(30);
        }
    }

    @Test
    void aBeatFarAboveTheThresholdEscalatesOrRaisesAtMedium() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, HIGH, HIGH, HIGH, 12.0);
            assertThat(alarms(h))
                    .extracting(Alarm::state, Alarm::priority, Alarm::cause)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    AlarmState.RAISED, AlarmPriority.LOW, AlarmCause.BEATS_ABOVE_RATIO),
                            org.assertj.core.groups.Tuple.tuple(
                                    AlarmState.ESCALATED, AlarmPriority.MEDIUM, AlarmCause.HIGHER_RATIO));
            beats(h, "p-2", T0, HIGH, HIGH, 11.0);
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.state()).isEqualTo(AlarmState.RAISED);
                assertThat(a.priority()).isEqualTo(AlarmPriority.MEDIUM);
            });
        }
    }

    @Test
    void anEpisodeOpenHalfAMinuteEscalatesForItsDuration() {
        try (TopologyHarness h = harness()) {
            // Beats 5 s apart: three above the ratio, then one in two, so the run stays short but the episode open.
            long t = T0;
            double[] scores = {HIGH, HIGH, HIGH, NORMAL, HIGH, NORMAL, HIGH};
            for (double score : scores) {
                h.sendBeat("p-1", score, t);
                t += 5000;
            }
            List<Alarm> alarms = alarms(h);
            assertThat(alarms).extracting(Alarm::state).containsExactly(AlarmState.RAISED, AlarmState.ESCALATED);
            assertThat(alarms.get(1).cause()).isEqualTo(AlarmCause.DURATION);
            assertThat(alarms.get(1).at()).isEqualTo(START.plusSeconds(30).toString());
            assertThat(alarms.get(1).anomalousBeats()).isEqualTo(5);
        }
    }

    @Test
    void aFeedSilentForTheSilenceTimeRaisesFeedSilentByTheWallClockAndTheNextBeatClearsIt() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, NORMAL, NORMAL);
            h.advance(Duration.ofMillis(9_000));
            assertThat(alarms(h)).as("9 s is not silent yet").isEmpty();
            h.advance(Duration.ofMillis(1_300));
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.alarmId()).isEqualTo("FEED_SILENT:" + id(1) + "/RAISED");
                assertThat(a.category()).isEqualTo(AlarmType.Category.TECHNICAL);
                assertThat(a.cause()).isEqualTo(AlarmCause.NO_RECORDS);
                assertThat(a.priority()).isEqualTo(AlarmPriority.MEDIUM);
                assertThat(a.startedAt()).isEqualTo(START.plusSeconds(1).toString());
                assertThat(a.at()).isEqualTo(START.plusMillis(10_300).toString());
                assertThat(a.beats()).containsExactly(id(1));
            });
            h.advance(Duration.ofSeconds(20));
            assertThat(alarms(h)).as("raised once").isEmpty();

            h.sendBeat("p-1", NORMAL, T0 + 31_000);
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.alarmId()).isEqualTo("FEED_SILENT:" + id(1) + "/CLEARED");
                assertThat(a.cause()).isEqualTo(AlarmCause.FEED_RESUMED);
                assertThat(a.gapMs()).isEqualTo(30_000L);
                assertThat(a.beats()).containsExactly(id(1), id(2));
            });
        }
    }

    @Test
    void aGapBetweenBeatTimesRaisesAndClearsFeedSilentWithTheSameIdsAsTheWallClockWould() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, NORMAL, NORMAL);
            h.sendBeat("p-1", NORMAL, T0 + 1000 + 9_999);
            assertThat(alarms(h)).as("a gap just under the silence time").isEmpty();
            h.sendBeat("p-1", NORMAL, T0 + 1000 + 9_999 + 15_000);
            assertThat(alarms(h))
                    .extracting(Alarm::alarmId, Alarm::cause)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "FEED_SILENT:" + id(2) + "/RAISED", AlarmCause.GAP_IN_BEAT_TIMES),
                            org.assertj.core.groups.Tuple.tuple(
                                    "FEED_SILENT:" + id(2) + "/CLEARED", AlarmCause.FEED_RESUMED));
        }
    }

    @Test
    void silenceIsNotJudgedWhileTheTaskCatchesUpWithABacklog() {
        try (TopologyHarness h = harness()) {
            long backlog = T0 - 120_000;
            h.sendBeat("quiet", NORMAL, backlog, backlog);
            // Another patient's backlog keeps arriving, a minute old: the task has not caught up.
            for (int i = 1; i <= 15; i++) {
                h.sendBeat("busy", NORMAL, backlog + i * 1000L, backlog + i * 1000L);
                h.advance(Duration.ofSeconds(1));
            }
            assertThat(alarms(h)).isEmpty();
            assertThat(h.metrics
                            .registry()
                            .get("ecg.alarm.silence.unjudged.tasks")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
            // A fresh record (its beat follows on from the backlog's): caught up, and the quiet patient is silent.
            h.sendBeat("busy", NORMAL, backlog + 16_000, T0 + 15_000);
            h.advance(Duration.ofMillis(300));
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.patientId()).isEqualTo("quiet");
                assertThat(a.cause()).isEqualTo(AlarmCause.NO_RECORDS);
            });
        }
    }

    @Test
    void aPatientSilentForTheRetentionIsForgottenAfterALastEvent() {
        try (TopologyHarness h = harness(Map.of("ecg.alarm.retention.ms", "3600000"))) {
            beats(h, "p-1", T0, HIGH, HIGH, HIGH);
            KeyValueStore<Bytes, PatientAlarms> store = h.driver.getKeyValueStore(StreamerTopology.ALARM_STORE);
            Bytes key = Bytes.wrap("p-1".getBytes(StandardCharsets.UTF_8));
            assertThat(store.get(key)).isNotNull();
            h.advance(Duration.ofSeconds(11));
            assertThat(alarms(h))
                    .extracting(Alarm::type, Alarm::state)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(AlarmType.ANOMALOUS_BEATS, AlarmState.RAISED),
                            org.assertj.core.groups.Tuple.tuple(AlarmType.FEED_SILENT, AlarmState.RAISED));
            h.advance(Duration.ofMinutes(59));
            assertThat(alarms(h)).isEmpty();
            h.advance(Duration.ofMinutes(1));
            assertThat(alarms(h))
                    .extracting(Alarm::alarmId, Alarm::cause)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "ANOMALOUS_BEATS:" + id(0) + "/CLEARED", AlarmCause.FORGOTTEN),
                            org.assertj.core.groups.Tuple.tuple(
                                    "FEED_SILENT:" + id(2) + "/CLEARED", AlarmCause.FORGOTTEN));
            assertThat(store.get(key)).as("state deleted").isNull();
            assertThat(h.metrics.alarmPatients()).isZero();
            assertThat(h.metrics.alarmsOpen(AlarmType.ANOMALOUS_BEATS)).isZero();
        }
    }

    @Test
    void flatClippedAndOutOfRangeBeatsRaiseSignalQualityAndNoEpisode() {
        try (TopologyHarness h = harness()) {
            // Flat: a constant 5, which the model scores 5x the threshold.
            long t = T0;
            for (int i = 0; i < 3; i++) {
                h.sendSamples("flat", FakeModels.constant(5f), t, t);
                t += 1000;
            }
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.type()).isEqualTo(AlarmType.SIGNAL_QUALITY);
                assertThat(a.cause()).isEqualTo(AlarmCause.FLAT);
                assertThat(a.episodeId()).isEqualTo("SIGNAL_QUALITY:" + id(0));
                assertThat(a.beats()).containsExactly(id(0), id(1), id(2));
            });
            beats(h, "flat", t, times(3, NORMAL));
            assertThat(alarms(h)).isEmpty();
            beats(h, "flat", t + 3000, NORMAL);
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.state()).isEqualTo(AlarmState.CLEARED);
                assertThat(a.cause()).isEqualTo(AlarmCause.GOOD_QUALITY);
            });

            float[] clipped = TopologyHarness.beatSamples(HIGH);
            for (int i = 0; i < clipped.length; i++) {
                clipped[i] = Math.min(clipped[i], 2.6f);
            }
            float[] outOfRange = TopologyHarness.beatSamples(HIGH);
            for (int i = 0; i < outOfRange.length; i++) {
                outOfRange[i] += 20f;
            }
            for (int i = 0; i < 3; i++) {
                h.sendSamples("clipped", clipped, T0 + i * 1000L, T0);
                h.sendSamples("units", outOfRange, T0 + i * 1000L, T0);
            }
            assertThat(alarms(h))
                    .extracting(Alarm::patientId, Alarm::cause)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("clipped", AlarmCause.CLIPPED),
                            org.assertj.core.groups.Tuple.tuple("units", AlarmCause.OUT_OF_RANGE));
            assertThat(h.readAlerts()).as("the per-beat alerts still flag them").isNotEmpty();
        }
    }

    @Test
    void aPatientWhoseRecordsKeepGoingToTheDeadLetterTopicRaisesSignalQuality() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, NORMAL);
            h.send("p-1", "not a heartbeat");
            h.send("p-1", "1,2,3");
            assertThat(alarms(h)).isEmpty();
            h.send("p-1", "{\"samples\": 7}");
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.type()).isEqualTo(AlarmType.SIGNAL_QUALITY);
                assertThat(a.cause()).isEqualTo(AlarmCause.DEAD_LETTERS);
                assertThat(a.beats()).containsExactly(id(1), id(2), id(3));
            });
            assertThat(h.dlq.readValuesToList()).hasSize(3);
        }
    }

    @Test
    void windowsWithoutAKeyAreScoredButNoPatientsAlarmsSeeThem() {
        try (TopologyHarness h = harness()) {
            for (int i = 0; i < 5; i++) {
                h.send(null, TopologyHarness.csv(TopologyHarness.beatSamples(HIGH)));
            }
            assertThat(h.readScores()).hasSize(5);
            assertThat(alarms(h)).isEmpty();
            assertThat(h.metrics
                            .registry()
                            .get("ecg.alarm.unkeyed.windows")
                            .counter()
                            .count())
                    .isEqualTo(5.0);
        }
    }

    @Test
    void theSameInputGivesTheSameAlarms() {
        List<List<Alarm>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (TopologyHarness h = harness()) {
                long t = beats(h, "p-1", T0, HIGH, HIGH, HIGH, NORMAL, HIGH);
                beats(h, "p-1", t + 20_000, times(10, NORMAL));
                runs.add(alarms(h));
            }
        }
        assertThat(runs.get(0)).extracting(Alarm::alarmId).isNotEmpty();
        assertThat(runs.get(1))
                .extracting(Alarm::alarmId)
                .containsExactlyElementsOf(
                        runs.get(0).stream().map(Alarm::alarmId).toList());
    }

    @Test
    void alarmsOffMeansNoAlarmStageAndNoAlarmsTopic() {
        try (TopologyHarness h = harness(Map.of("ecg.alarms.enabled", "false"))) {
            beats(h, "p-1", T0, times(5, HIGH));
            assertThat(h.readAlerts()).hasSize(5);
            assertThat(h.alarms.isEmpty()).isTrue();
            assertThat(h.driver.getAllStateStores()).doesNotContainKey(StreamerTopology.ALARM_STORE);
        }
    }

    @Test
    void patientsOfATaskNothingScoresAreNotMonitoredUntilTheirBeatsAreScoredAgain() {
        try (TopologyHarness h = harness()) {
            beats(h, "p-1", T0, NORMAL, NORMAL);
            beats(h, "p-2", T0, NORMAL);
            h.stalledSince = T0;
            h.advance(Duration.ofSeconds(9));
            assertThat(alarms(h)).isEmpty();
            h.advance(Duration.ofSeconds(2));
            List<Alarm> raised = alarms(h);
            assertThat(raised)
                    .extracting(Alarm::alarmId)
                    .containsExactlyInAnyOrder(
                            "NOT_MONITORED:" + id(1) + "/RAISED", "NOT_MONITORED:" + id(2) + "/RAISED");
            assertThat(raised).allSatisfy(a -> {
                assertThat(a.cause()).isEqualTo(AlarmCause.NO_MODEL);
                assertThat(a.priority()).isEqualTo(AlarmPriority.HIGH);
                assertThat(a.startedAt()).isEqualTo(START.toString());
            });
            h.advance(Duration.ofSeconds(30));
            assertThat(alarms(h))
                    .as("raised once, and no FEED_SILENT while nothing scores")
                    .isEmpty();

            h.stalledSince = ScoringCoverage.SCORING;
            h.sendBeat("p-1", NORMAL, T0 + 2000);
            assertThat(alarms(h)).singleElement().satisfies(a -> {
                assertThat(a.alarmId()).isEqualTo("NOT_MONITORED:" + id(1) + "/CLEARED");
                assertThat(a.cause()).isEqualTo(AlarmCause.SCORED_AGAIN);
                assertThat(a.beats()).containsExactly(id(3));
            });
        }
    }

    @Test
    void windowsWaitingWithNoModelAreWhatTheBatchStageReportsAsUnscored() {
        UnscoredTasks unscored = new UnscoredTasks();
        TaskId task = new TaskId(0, 0);
        assertThat(unscored.unscoredSince(task)).isEqualTo(ScoringCoverage.SCORING);
        unscored.waiting(task, 5);
        unscored.waiting(task, 9);
        assertThat(unscored.unscoredSince(task)).as("since the first").isEqualTo(5);
        unscored.scoring(task);
        assertThat(unscored.unscoredSince(task)).isEqualTo(ScoringCoverage.SCORING);
    }
}
