package ecgdetector.streamer;

import static ecgdetector.streamer.testing.TopologyHarness.START;
import static ecgdetector.streamer.testing.TopologyHarness.csv;
import static ecgdetector.streamer.testing.TopologyHarness.header;
import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.Severity;
import ecgdetector.schemas.WindowSource;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole topology on {@code TopologyTestDriver}, with a fake model: fast, no broker, no TensorFlow. */
class StreamerTopologyTest {

    private static final String V1 = "2025-01-01T00-00-00Z-aaaa";
    private static final String V2 = "2025-02-01T00-00-00Z-bbbb";

    /**
     * The driver commits after every input record. The first window waits over a commit, so its put reaches the
     * changelog and so does its removal; the second is put and removed within one record's processing, so the
     * changelog never hears of it (Kafka Streams' caching store alone would still write its tombstone).
     */
    @Test
    void aWindowScoredBeforeTheCommitLeavesNoRecordInTheBuffersChangelog() {
        try (TopologyHarness h = TopologyHarness.withBatch(2, 60_000)) {
            h.publish(FakeModels.release(V1, 1.0));
            TestOutputTopic<byte[], byte[]> changelog = h.driver.createOutputTopic(
                    StreamerTopology.bufferChangelog(h.config.applicationId()),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            h.sendCsv("p-1", FakeModels.constant(0.5f));
            List<TestRecord<byte[], byte[]>> afterFirst = changelog.readRecordsToList();
            assertThat(afterFirst)
                    .singleElement()
                    .satisfies(r -> assertThat(r.value()).isNotNull());

            h.sendCsv("p-1", FakeModels.constant(0.5f));
            assertThat(h.readScores()).hasSize(2);
            List<TestRecord<byte[], byte[]>> afterSecond = changelog.readRecordsToList();
            assertThat(afterSecond).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(afterFirst.get(0).key());
                assertThat(r.value()).as("the first window's tombstone").isNull();
            });
            KeyValueStore<Bytes, ?> buffer = h.driver.getKeyValueStore(StreamerTopology.BUFFER_STORE);
            assertThat(buffer.approximateNumEntries()).isZero();
        }
    }

    @Test
    void aRawEcgCsvLineIsScoredAndAnAnomalyAlerted() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            float[] beat = FakeModels.constant(2.5f);
            beat[17] = -4f;
            // As a line of ecg.csv: 140 samples, a label column, CRLF.
            h.send("patient-7", csv(beat) + ",0.0\r\n");

            List<Alert> alerts = h.readAlerts();
            assertThat(alerts).hasSize(1);
            Alert a = alerts.get(0);
            assertThat(a.alertId()).isEqualTo("ecg.heartbeats/0/0");
            assertThat(a.source()).isEqualTo(new WindowSource("ecg.heartbeats", 0, 0));
            assertThat(a.patientId()).isEqualTo("patient-7");
            assertThat(a.beatId()).isNull();
            assertThat(a.eventTime()).isEqualTo(START.toString());
            assertThat(a.detectedAt()).isEqualTo(START.toString());
            assertThat(a.score()).isEqualTo(FakeModels.score(beat));
            assertThat(a.threshold()).isEqualTo(1.0);
            assertThat(a.ratio()).isEqualTo((double) FakeModels.score(beat));
            assertThat(a.severity()).isEqualTo(Severity.HIGH);
            assertThat(a.model()).isEqualTo(new ModelRef(FakeModels.MODEL, V1));
            assertThat(a.worstPositions()).startsWith(17).hasSize(5);
            assertThat(a.label()).isEqualTo(0.0);

            List<Score> scores = h.readScores();
            assertThat(scores).singleElement().satisfies(s -> {
                assertThat(s.windowId()).isEqualTo(a.alertId());
                assertThat(s.anomaly()).isTrue();
                assertThat(s.score()).isEqualTo(a.score());
                assertThat(s.model().version()).isEqualTo(V1);
            });
            assertThat(h.dlq.isEmpty()).isTrue();
        }
    }

    @Test
    void aCsvLineWithoutLabelAndWithSpacesIsScoredAsNormal() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            float[] beat = FakeModels.constant(0.25f);
            h.send(null, "  " + csv(beat).replace(",", " , ") + " \n");

            assertThat(h.alerts.isEmpty()).isTrue();
            Score s = h.readScores().get(0);
            assertThat(s.anomaly()).isFalse();
            assertThat(s.score()).isEqualTo(0.25f);
            assertThat(s.patientId()).isNull();
            assertThat(s.label()).isNull();
        }
    }

    @Test
    void aJsonWindowCarriesItsPatientBeatTimestampAndLabel() {
        try (TopologyHarness h = TopologyHarness.withBatch(2, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            String samples = Arrays.toString(FakeModels.constant(6f));
            h.send(
                    "monitor-1",
                    "{\"patientId\":\"p-42\",\"beatId\":17,\"timestamp\":\"2025-03-01T11:59:58.5+01:00\","
                            + "\"samples\":" + samples + ",\"label\":1,\"extra\":{\"ignored\":[1,2]}}");
            h.send("monitor-1", "{\"beatId\":\"b-18\",\"timestamp\":1740830400123,\"samples\":" + samples + "}");

            List<Alert> alerts = h.readAlerts();
            assertThat(alerts).hasSize(2);
            assertThat(alerts.get(0).patientId()).isEqualTo("p-42");
            assertThat(alerts.get(0).beatId()).isEqualTo("17");
            assertThat(alerts.get(0).eventTime()).isEqualTo("2025-03-01T10:59:58.500Z");
            assertThat(alerts.get(0).label()).isEqualTo(1.0);
            assertThat(alerts.get(0).severity()).isEqualTo(Severity.CRITICAL);
            assertThat(alerts.get(1).patientId()).isEqualTo("monitor-1");
            assertThat(alerts.get(1).beatId()).isEqualTo("b-18");
            assertThat(alerts.get(1).eventTime()).isEqualTo("2025-03-01T12:00:00.123Z");
            assertThat(alerts.get(1).label()).isNull();
            assertThat(alerts.get(1).alertId()).isEqualTo("ecg.heartbeats/0/1");
        }
    }

    @Test
    void producedEventsValidateAgainstThePublishedSchemas() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            h.send("p", csv(FakeModels.constant(1.2f)) + ",1");
            h.send(
                    "p",
                    "{\"patientId\":\"x\",\"beatId\":\"b\",\"samples\":" + Arrays.toString(FakeModels.constant(9f))
                            + "}");
            h.send(null, csv(FakeModels.constant(0.5f)));

            List<byte[]> alerts = h.alerts.readValuesToList();
            List<byte[]> scores = h.scores.readValuesToList();
            assertThat(alerts).hasSize(2);
            assertThat(scores).hasSize(3);
            alerts.forEach(a -> assertThat(JsonSchemas.violations(JsonSchemas.Contract.ALERT, a))
                    .isEmpty());
            scores.forEach(s -> assertThat(JsonSchemas.violations(JsonSchemas.Contract.SCORE, s))
                    .isEmpty());
            assertThat(new String(alerts.get(0), StandardCharsets.UTF_8)).doesNotContain("\n");
        }
    }

    static Stream<Arguments> badInputs() {
        String ok = csv(FakeModels.constant(0.5f));
        String json = Arrays.toString(FakeModels.constant(0.5f));
        String[] cols = ok.split(",");
        return Stream.of(
                Arguments.of("no value", null, RejectReason.EMPTY),
                Arguments.of("empty value", "", RejectReason.EMPTY),
                Arguments.of("only whitespace", " \r\n", RejectReason.EMPTY),
                Arguments.of("oversized", ok + " ".repeat(5000) + "x", RejectReason.OVERSIZED),
                Arguments.of("a word", "hello", RejectReason.WRONG_LENGTH),
                Arguments.of("a non-number", ok.replaceFirst("0.5", "abc"), RejectReason.UNPARSABLE),
                Arguments.of("an empty column", ok.replaceFirst("0.5", ""), RejectReason.UNPARSABLE),
                Arguments.of("a hex float", ok.replaceFirst("0.5", "0x1p3"), RejectReason.UNPARSABLE),
                Arguments.of("two lines", ok + "\n" + ok, RejectReason.UNPARSABLE),
                Arguments.of("broken JSON", "{\"samples\": [1, 2", RejectReason.UNPARSABLE),
                Arguments.of("JSON with trailing data", "{\"samples\":" + json + "} x", RejectReason.UNPARSABLE),
                Arguments.of(
                        "duplicate JSON field",
                        "{\"samples\":" + json + ",\"samples\":" + json + "}",
                        RejectReason.UNPARSABLE),
                Arguments.of(
                        "bad ISO timestamp",
                        "{\"timestamp\":\"yesterday\",\"samples\":" + json + "}",
                        RejectReason.UNPARSABLE),
                Arguments.of("139 samples", String.join(",", Arrays.copyOf(cols, 139)), RejectReason.WRONG_LENGTH),
                Arguments.of("142 columns", ok + ",1,2", RejectReason.WRONG_LENGTH),
                Arguments.of(
                        "141 JSON samples",
                        "{\"samples\":" + json.replace("]", ", 0.5]") + "}",
                        RejectReason.WRONG_LENGTH),
                Arguments.of("CSV NaN", ok.replaceFirst("0.5", "NaN"), RejectReason.NON_FINITE),
                Arguments.of("CSV -Infinity", ok.replaceFirst("0.5", "-Infinity"), RejectReason.NON_FINITE),
                Arguments.of(
                        "JSON NaN", "{\"samples\":" + json.replaceFirst("0.5", "NaN") + "}", RejectReason.NON_FINITE),
                Arguments.of("absurd magnitude", ok.replaceFirst("0.5", "12345.6"), RejectReason.OUT_OF_RANGE),
                Arguments.of("beyond float", ok.replaceFirst("0.5", "1e39"), RejectReason.OUT_OF_RANGE),
                Arguments.of(
                        "JSON absurd",
                        "{\"samples\":" + json.replaceFirst("0.5", "-1e300") + "}",
                        RejectReason.OUT_OF_RANGE),
                Arguments.of("samples as string", "{\"samples\":\"1,2,3\"}", RejectReason.WRONG_TYPE),
                Arguments.of(
                        "a string sample",
                        "{\"samples\":" + json.replaceFirst("0.5", "\"0.5\"") + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "patientId a number", "{\"patientId\":7,\"samples\":" + json + "}", RejectReason.WRONG_TYPE),
                Arguments.of(
                        "label a string", "{\"label\":\"normal\",\"samples\":" + json + "}", RejectReason.WRONG_TYPE),
                Arguments.of("a JSON array", json, RejectReason.WRONG_TYPE),
                Arguments.of("no samples", "{\"patientId\":\"p\"}", RejectReason.MISSING_FIELD));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badInputs")
    void badInputGoesToTheDeadLetterTopicWithWhyAndWhere(String what, String value, RejectReason reason) {
        try (TopologyHarness h = new TopologyHarness(Map.of("ecg.batch.size", "1", "ecg.record.max.bytes", "4096"))) {
            h.publish(FakeModels.release(V1, 1.0));
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
            headers.add(DeadLetterHeaders.REASON, "stale from an earlier pass".getBytes(StandardCharsets.UTF_8));
            byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
            h.send(new TestRecord<>("p-1".getBytes(StandardCharsets.UTF_8), bytes, headers, START.plusSeconds(5)));

            TestRecord<byte[], byte[]> dead = h.dlq.readRecord();
            assertThat(dead.key()).asString(StandardCharsets.UTF_8).isEqualTo("p-1");
            assertThat(dead.value()).isEqualTo(bytes);
            assertThat(dead.timestamp()).isEqualTo(START.plusSeconds(5).toEpochMilli());
            assertThat(header(dead.headers(), "trace-id")).isEqualTo("t-1");
            assertThat(dead.headers().headers(DeadLetterHeaders.REASON)).hasSize(1);
            assertThat(header(dead.headers(), DeadLetterHeaders.REASON)).isEqualTo(reason.name());
            assertThat(header(dead.headers(), DeadLetterHeaders.DETAIL)).isNotBlank();
            assertThat(header(dead.headers(), DeadLetterHeaders.TOPIC)).isEqualTo("ecg.heartbeats");
            assertThat(header(dead.headers(), DeadLetterHeaders.PARTITION)).isEqualTo("0");
            assertThat(header(dead.headers(), DeadLetterHeaders.OFFSET)).isEqualTo("0");
            assertThat(header(dead.headers(), DeadLetterHeaders.TIMESTAMP))
                    .isEqualTo(String.valueOf(START.plusSeconds(5).toEpochMilli()));
            assertThat(h.dlq.isEmpty()).isTrue();
            assertThat(h.scores.isEmpty()).isTrue();
            assertThat(h.metrics.deadLetters(reason)).isEqualTo(1.0);
        }
    }

    @Test
    void badKeysAreDeadLetteredToo() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            byte[] value = csv(FakeModels.constant(0.5f)).getBytes(StandardCharsets.UTF_8);
            h.heartbeats.pipeInput(new byte[] {(byte) 0xC3, (byte) 0x28}, value);
            h.heartbeats.pipeInput("k".repeat(300).getBytes(StandardCharsets.UTF_8), value);
            h.heartbeats.pipeInput(new byte[] {1, 2}, new byte[] {(byte) 0xFF, (byte) 0xFE, '1', ','});

            List<String> reasons = h.dlq.readRecordsToList().stream()
                    .map(r -> header(r.headers(), DeadLetterHeaders.REASON))
                    .toList();
            assertThat(reasons).containsExactly("INVALID_ENCODING", "OVERSIZED", "INVALID_ENCODING");
        }
    }

    @Test
    void validWindowsAroundABadRecordAreScoredAsIfItWereNotThere() {
        try (TopologyHarness h = TopologyHarness.withBatch(2, 10_000)) {
            h.publish(FakeModels.release(V1, 1.0));
            h.sendCsv("p", FakeModels.constant(0.5f));
            h.send("p", "garbage");
            h.sendCsv("p", FakeModels.constant(2f));
            h.send("p", "{}");

            List<Score> scores = h.readScores();
            assertThat(scores).extracting(Score::windowId).containsExactly("ecg.heartbeats/0/0", "ecg.heartbeats/0/2");
            assertThat(scores).extracting(Score::score).containsExactly(0.5f, 2f);
            assertThat(h.models.batchSizes).containsExactly(2);
            assertThat(h.dlq.readRecordsToList()).hasSize(2);
        }
    }

    @Test
    void aFullBatchIsScoredAtOnceInOneInferenceCall() {
        try (TopologyHarness h = TopologyHarness.withBatch(4, 60_000)) {
            h.publish(FakeModels.release(V1, 1.0));
            for (int i = 0; i < 3; i++) {
                h.sendCsv("p" + i, FakeModels.constant(i));
            }
            assertThat(h.scores.isEmpty()).isTrue();
            assertThat(h.models.batchSizes).isEmpty();
            assertThat(h.metrics.bufferedWindows()).isEqualTo(3);

            h.sendCsv("p3", FakeModels.constant(3));
            assertThat(h.readScores()).extracting(Score::score).containsExactly(0f, 1f, 2f, 3f);
            assertThat(h.models.batchSizes).containsExactly(4);
            assertThat(h.readAlerts())
                    .extracting(Alert::alertId)
                    .containsExactly("ecg.heartbeats/0/2", "ecg.heartbeats/0/3");
            assertThat(h.metrics.bufferedWindows()).isZero();
            assertThat(storedOffsets(h)).isEmpty();
        }
    }

    @Test
    void aPartialBatchIsFlushedOnceItsOldestWindowWaitedTheMaximumWallClockTime() {
        try (TopologyHarness h = TopologyHarness.withBatch(100, 400)) {
            h.publish(FakeModels.release(V1, 1.0));
            h.sendCsv("p", FakeModels.constant(0.1f));
            h.advance(Duration.ofMillis(200));
            h.sendCsv("p", FakeModels.constant(0.2f));
            h.advance(Duration.ofMillis(150));
            assertThat(h.scores.isEmpty()).as("350 ms < 400 ms wait").isTrue();

            h.advance(Duration.ofMillis(100));
            assertThat(h.readScores()).extracting(Score::score).containsExactly(0.1f, 0.2f);
            assertThat(h.models.batchSizes).containsExactly(2);

            // Stream time does not matter, only wall-clock time does.
            h.heartbeats.pipeInput(
                    null,
                    csv(FakeModels.constant(0.3f)).getBytes(StandardCharsets.UTF_8),
                    START.plus(Duration.ofDays(1)));
            assertThat(h.scores.isEmpty()).isTrue();
            h.advance(Duration.ofMillis(500));
            assertThat(h.readScores()).hasSize(1);
        }
    }

    @Test
    void windowsWaitInTheStoreForTheFirstModelThenAreScoredInOrder() {
        try (TopologyHarness h = TopologyHarness.withBatch(3, 100)) {
            for (int i = 0; i < 7; i++) {
                h.sendCsv("p" + (i % 2), FakeModels.constant(i * 0.5f));
            }
            h.advance(Duration.ofMinutes(5));
            assertThat(h.scores.isEmpty()).isTrue();
            assertThat(h.alerts.isEmpty()).isTrue();
            assertThat(h.registry.hasModel()).isFalse();
            assertThat(h.metrics.bufferedWindows()).isEqualTo(7);
            assertThat(storedOffsets(h)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);

            h.publish(FakeModels.release(V1, 1.0));
            assertThat(h.registry.hasModel()).isTrue();
            h.advance(Duration.ofMillis(25));

            assertThat(h.readScores())
                    .extracting(Score::windowId)
                    .containsExactly(IntStream.range(0, 7)
                            .mapToObj(i -> "ecg.heartbeats/0/" + i)
                            .toArray(String[]::new));
            assertThat(h.models.batchSizes).containsExactly(3, 3, 1);
            assertThat(storedOffsets(h)).isEmpty();
        }
    }

    @Test
    void aNewReleaseIsSwappedInBetweenBatchesAndNamedInEveryAlert() {
        try (TopologyHarness h = TopologyHarness.withBatch(2, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            h.sendCsv("p", FakeModels.constant(2f));
            h.sendCsv("p", FakeModels.constant(2f));
            h.sendCsv("p", FakeModels.constant(2f)); // waits in the next batch while the model changes

            h.publish(FakeModels.release(V2, 3.0));
            h.sendCsv("p", FakeModels.constant(4f));

            List<Score> scores = h.readScores();
            assertThat(scores).extracting(s -> s.model().version()).containsExactly(V1, V1, V2, V2);
            assertThat(scores).extracting(Score::anomaly).containsExactly(true, true, false, true);
            assertThat(h.readAlerts())
                    .extracting(a -> a.model().version() + "@" + a.threshold())
                    .containsExactly(V1 + "@1.0", V1 + "@1.0", V2 + "@3.0");

            FakeModels.FakeModel v1 = h.models.loaded.get(0);
            FakeModels.FakeModel v2 = h.models.loaded.get(1);
            assertThat(v1.closed)
                    .as("the old model is closed once no thread scores with it")
                    .isTrue();
            assertThat(v1.openPredictors).hasValue(0);
            assertThat(v2.closed).isFalse();
            assertThat(h.registry.serving()).map(m -> m.version()).contains(V2);
        }
    }

    @Test
    void rejectedReleasesKeepThePreviousModelServing() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            h.publish(FakeModels.tampered(FakeModels.release(V2, 0.1)));
            h.publish(ReleaseRecord.unsigned(FakeModels.release("unsigned", 0.1)));
            h.publish(FakeModels.nanRelease("nan-version"));
            h.publish(FakeModels.release(FakeModels.MODEL, "short", 0.1, 100, "weights"));
            h.publishRaw(FakeModels.MODEL, "not a release".getBytes(StandardCharsets.UTF_8));
            h.publishRaw(FakeModels.MODEL + "/" + V1, null);

            assertThat(h.metrics.releasesRejected()).isEqualTo(5.0);
            assertThat(h.registry.serving()).map(m -> m.version()).contains(V1);
            h.sendCsv("p", FakeModels.constant(0.5f));
            assertThat(h.readScores())
                    .singleElement()
                    .satisfies(s -> assertThat(s.model().version()).isEqualTo(V1));
            assertThat(h.models.loaded).hasSize(1);
            // Nothing of a release is kept locally: every start reads the models topic again.
            KeyValueStore<String, byte[]> releases = h.driver.getKeyValueStore(StreamerTopology.MODELS_STORE);
            assertThat(releases.persistent()).isFalse();
            assertThat(releases.approximateNumEntries()).isZero();
        }
    }

    @Test
    void aFirstReleaseThatIsRejectedLeavesWindowsWaiting() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.nanRelease("nan-version"));
            h.sendCsv("p", FakeModels.constant(0.5f));
            h.advance(Duration.ofSeconds(1));
            assertThat(h.registry.hasModel()).isFalse();
            assertThat(h.scores.isEmpty()).isTrue();
            assertThat(h.metrics.bufferedWindows()).isEqualTo(1);

            h.publish(FakeModels.release(V1, 1.0));
            h.advance(Duration.ofSeconds(1));
            assertThat(h.readScores()).hasSize(1);
        }
    }

    @Test
    void releasesOfOtherModelsAndRepeatsOfTheServingOneChangeNothing() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            h.publish(FakeModels.release(V1, 1.0));
            h.publish(FakeModels.release("other-model", "x", 0.1, 140, "w"));
            assertThat(h.models.loaded).hasSize(1);
            assertThat(h.metrics.releasesRejected()).isZero();
            assertThat(h.registry.serving()).map(m -> m.version()).contains(V1);
        }
    }

    @Test
    void outputsKeepArrivalOrderAndEachPatientsOrder() {
        try (TopologyHarness h = TopologyHarness.withBatch(4, 100)) {
            h.publish(FakeModels.release(V1, 100.0));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                String patient = "p" + (i % 3);
                h.send(
                        patient,
                        "{\"beatId\":\"" + i + "\",\"samples\":" + Arrays.toString(FakeModels.constant(i)) + "}");
                sent.add(patient + ":" + i);
            }
            h.advance(Duration.ofMillis(200));
            List<Score> scores = h.readScores();
            assertThat(scores).extracting(s -> s.patientId() + ":" + s.beatId()).containsExactlyElementsOf(sent);
            Map<String, List<String>> perPatient = scores.stream()
                    .collect(Collectors.groupingBy(
                            Score::patientId, Collectors.mapping(Score::beatId, Collectors.toList())));
            perPatient
                    .values()
                    .forEach(beats -> assertThat(beats)
                            .isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b))));
        }
    }

    @Test
    void scoresCanBeSwitchedOffWhileAlertsGoOn() {
        try (TopologyHarness h = new TopologyHarness(Map.of("ecg.batch.size", "1", "ecg.scores.enabled", "false"))) {
            h.publish(FakeModels.release(V1, 1.0));
            h.sendCsv("p", FakeModels.constant(0.5f));
            h.sendCsv("p", FakeModels.constant(5f));
            assertThat(h.scores.isEmpty()).isTrue();
            assertThat(h.readAlerts()).hasSize(1);
            assertThat(h.metrics.windowsScored()).isEqualTo(2.0);
        }
    }

    @Test
    void onePredictorPerThreadIsReusedAcrossBatches() {
        try (TopologyHarness h = TopologyHarness.withBatch(1, 100)) {
            h.publish(FakeModels.release(V1, 1.0));
            for (int i = 0; i < 10; i++) {
                h.sendCsv("p", FakeModels.constant(0.5f));
            }
            assertThat(h.models.batchSizes).hasSize(10);
            assertThat(h.models.predictorsCreated).hasValue(1);
            assertThat(h.models.loaded.get(0).openPredictors).hasValue(1);
        }
    }

    private static KeyValueStore<Bytes, Object> bufferStore(TopologyHarness h) {
        return h.driver.getKeyValueStore(StreamerTopology.BUFFER_STORE);
    }

    private static List<Long> storedOffsets(TopologyHarness h) {
        List<Long> offsets = new ArrayList<>();
        try (var it = bufferStore(h).all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, Object> kv = it.next();
                offsets.add(java.nio.ByteBuffer.wrap(kv.key.get()).getLong(4));
            }
        }
        return offsets;
    }
}
