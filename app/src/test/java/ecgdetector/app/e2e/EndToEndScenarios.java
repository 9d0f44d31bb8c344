package ecgdetector.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.app.Main;
import ecgdetector.app.demo.Demo;
import ecgdetector.app.demo.DemoSummary;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.ChildJvms;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.alarm.AlarmEngine;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.alarm.BeatQuality;
import ecgdetector.model.alarm.PatientAlarms;
import ecgdetector.model.alarm.ScoredBeat;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.AlarmType;
import ecgdetector.schemas.Alert;
import ecgdetector.schemas.DeadLetterHeaders;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.schemas.Heartbeat;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.RejectReason;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.Severity;
import ecgdetector.schemas.TopicNames;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.schemas.testing.JsonSchemas.Contract;
import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.evaluation.ConfusionMatrix;
import ecgdetector.trainer.testing.TestReleases;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.tools.ConsoleProducer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product against a Kafka cluster, written once: subclasses only say which cluster. Every scenario
 * trains nothing of its own (the trainer's test releases are shared by the JVM) and judges the live output
 * by the trainer's offline scores of the very same beats, bit for bit.
 *
 * <p>Scenarios share the cluster, so each one works on topics of its own (a unique prefix), with its own
 * application id and state folder. Only the demo uses the real topic names; {@link #demoCluster()} decides
 * where that is safe.
 *
 * <p>Every record read back from the alerts, scores and models topics goes through {@link #conforming}: it
 * must satisfy the JSON Schema that {@code schemas/json} publishes for its topic, so the contracts people
 * code against cannot drift from what the streamer writes.
 */
abstract class EndToEndScenarios {

    /** A deadline for each wait, never a pause: every wait ends as soon as what it waits for is there. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final int PARTITIONS = 3;
    private static final int PATIENTS = 5;
    private static final long EVENT_TIME_BASE =
            Instant.parse("2025-03-01T12:00:00Z").toEpochMilli();
    private static final String CASE_HEADER = "e2e.case";
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** The cluster's bootstrap servers. */
    protected abstract String bootstrapServers();

    /** What every client of the cluster needs (security settings, if any); bootstrap servers at least. */
    protected Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /**
     * A cluster on which the demo may use the project's real topic names ({@code ecg.*}), closed after the
     * demo. The demo cannot be told other names, and its streamer reads {@code ecg.heartbeats} from the
     * beginning, so on a cluster where another test left windows there it would score those too.
     */
    protected abstract DemoCluster demoCluster() throws Exception;

    /** The cluster the demo runs against, and what to do once it is done with it. */
    protected record DemoCluster(Properties clientProperties, Runnable onClose) implements AutoCloseable {

        String bootstrapServers() {
            return clientProperties.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        }

        @Override
        public void close() {
            onClose.run();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scenarios
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void ecgCsvLinesPipedThroughKafkasConsoleProducerGiveExactlyTheExpectedAlerts(@TempDir Path tmp) throws Exception {
        CsvBeats beats = CsvBeats.ecg5000OrSynthetic();
        Path input = tmp.resolve("ecg.csv");
        Files.writeString(input, String.join("\n", beats.lines()) + "\n", StandardCharsets.US_ASCII);

        try (Pipeline pipeline = startPipeline("csv", tmp, beats.release())) {
            runConsoleProducer(input, pipeline.topics.heartbeats(), tmp);

            // The console producer sends without keys, spreading lines over partitions: which window is which
            // beat is read back from the input topic, where each line must have arrived whole and unchanged.
            List<ConsumerRecord<byte[], byte[]>> sent =
                    pipeline.readBack(pipeline.topics.heartbeats(), beats.size(), IsolationLevel.READ_UNCOMMITTED);
            Map<String, Integer> beatByLine = new HashMap<>();
            for (int i = 0; i < beats.size(); i++) {
                assertThat(beatByLine.put(beats.lines().get(i), i))
                        .as("test lines are distinct")
                        .isNull();
            }
            Map<String, Integer> beatByWindow = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : sent) {
                Integer beat = beatByLine.get(new String(r.value(), StandardCharsets.US_ASCII));
                assertThat(beat)
                        .as("input record %s is a line of the file, unchanged", windowId(r))
                        .isNotNull();
                assertThat(r.key()).as("the console producer sends no key").isNull();
                beatByWindow.put(windowId(r), beat);
            }
            assertThat(sent).hasSize(beats.size());
            assertThat(new TreeSet<>(beatByWindow.values())).hasSize(beats.size());

            List<Read<Score>> scores = pipeline.scores(beats.size());
            assertThat(scores)
                    .extracting(s -> s.value().windowId())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(beatByWindow.keySet());
            List<String> mismatches = new ArrayList<>();
            for (Read<Score> s : scores) {
                int beat = beatByWindow.get(s.value().windowId());
                if (Float.compare(s.value().score(), beats.offline()[beat]) != 0) {
                    mismatches.add(
                            "beat " + beat + ": live " + s.value().score() + ", offline " + beats.offline()[beat]);
                }
                assertThat(s.value().model().version())
                        .isEqualTo(beats.release().version());
                assertThat(s.value().anomaly()).isEqualTo(beats.anomalous(beat));
                assertThat(s.value().label()).isEqualTo(beats.label(beat));
            }
            assertThat(mismatches)
                    .as("live scores that differ from the trainer's offline scores")
                    .isEmpty();

            Set<String> expectedAlerts = beatByWindow.entrySet().stream()
                    .filter(e -> beats.anomalous(e.getValue()))
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(expectedAlerts)
                    .as("the test beats hold anomalies and normal beats")
                    .isNotEmpty()
                    .hasSizeLessThan(beats.size());
            List<Read<Alert>> alerts = pipeline.alerts();
            assertThat(alerts)
                    .extracting(a -> a.value().alertId())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expectedAlerts);
            for (Read<Alert> a : alerts) {
                int beat = beatByWindow.get(a.value().alertId());
                assertThat(a.value().score()).isEqualTo(beats.offline()[beat]);
                assertThat(a.value().threshold())
                        .isEqualTo(beats.release().manifest().threshold());
                assertThat(a.value().model().version())
                        .isEqualTo(beats.release().version());
            }
            pipeline.assertModelsTopicHolds(beats.release());
        }
    }

    @Test
    void jsonWindowsWithPatientKeysReachAPlainReadCommittedConsumerInEachPatientsOrder(@TempDir Path tmp)
            throws Exception {
        TrainingResult trained = TestReleases.synthetic();
        ReleaseBundle release = trained.release();
        double threshold = release.manifest().threshold();
        Heartbeats test = trained.test();
        int n = test.size();

        try (Pipeline pipeline = startPipeline("json", tmp, release)) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                records.add(pipeline.jsonWindow(
                        patient(i), beatId("beat", i), EVENT_TIME_BASE + 1000L * i, test.beats()[i], test.normal()[i]));
            }
            pipeline.send(records);

            int expectedAlertCount = 0;
            for (int i = 0; i < n; i++) {
                expectedAlertCount += trained.testScores()[i] > threshold ? 1 : 0;
            }
            Map<String, List<ConsumerRecord<byte[], byte[]>>> read = pipeline.readAsADownstreamService(
                    pipeline.prefix + "dashboard",
                    Map.of(pipeline.topics.scores(), n, pipeline.topics.alerts(), expectedAlertCount));
            List<Read<Score>> scores = parse(read.get(pipeline.topics.scores()), Score.class);
            List<Read<Alert>> alerts = parse(read.get(pipeline.topics.alerts()), Alert.class);

            assertThat(scores)
                    .extracting(s -> s.value().beatId())
                    .doesNotHaveDuplicates()
                    .hasSize(n);
            Map<String, Read<Score>> scoreByBeat = new HashMap<>();
            Map<String, Integer> partitionOfPatient = new HashMap<>();
            for (Read<Score> s : scores) {
                Score score = s.value();
                int i = beatIndex(score.beatId());
                scoreByBeat.put(score.beatId(), s);
                assertThat(score.score())
                        .as("live vs offline score of %s", score.beatId())
                        .isEqualTo(trained.testScores()[i]);
                assertThat(score.anomaly()).isEqualTo(trained.testScores()[i] > threshold);
                assertThat(score.threshold()).isEqualTo(threshold);
                assertThat(score.patientId()).isEqualTo(patient(i)).isEqualTo(s.key());
                assertThat(Instant.parse(score.eventTime()).toEpochMilli()).isEqualTo(EVENT_TIME_BASE + 1000L * i);
                assertThat(score.label()).isEqualTo(test.normal()[i] ? 1.0 : 0.0);
                assertThat(score.model().name()).isEqualTo(release.modelName());
                assertThat(score.model().version()).isEqualTo(release.version());
                assertThat(score.source().topic()).isEqualTo(pipeline.topics.heartbeats());
                assertThat(score.windowId()).isEqualTo(score.source().id());
                assertThat(partitionOfPatient.computeIfAbsent(
                                s.key(), k -> s.record().partition()))
                        .as("every score of %s on one partition", s.key())
                        .isEqualTo(s.record().partition());
            }
            // Read in partition then offset order, each patient's scores must come in the order the beats were sent.
            Map<String, List<Integer>> orderByPatient = new TreeMap<>();
            scores.stream()
                    .sorted((a, b) ->
                            Long.compare(a.record().offset(), b.record().offset()))
                    .forEach(s -> orderByPatient
                            .computeIfAbsent(s.key(), k -> new ArrayList<>())
                            .add(beatIndex(s.value().beatId())));
            assertThat(orderByPatient).hasSize(PATIENTS);
            orderByPatient.forEach((patient, beats) ->
                    assertThat(beats).as("order of %s's scores", patient).isSorted());

            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                if (trained.testScores()[i] > threshold) {
                    expected.add(beatId("beat", i));
                }
            }
            assertThat(expected).isNotEmpty().hasSizeLessThan(n);
            assertThat(alerts)
                    .extracting(a -> a.value().beatId())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected);
            for (Read<Alert> a : alerts) {
                Alert alert = a.value();
                int i = beatIndex(alert.beatId());
                assertThat(alert.alertId())
                        .isEqualTo(scoreByBeat.get(alert.beatId()).value().windowId());
                assertThat(alert.patientId()).isEqualTo(patient(i)).isEqualTo(a.key());
                assertThat(alert.score()).isEqualTo(trained.testScores()[i]);
                assertThat(alert.threshold()).isEqualTo(threshold);
                assertThat(alert.ratio()).isCloseTo(alert.score() / threshold, Offset.offset(1e-6));
                assertThat(alert.severity()).isEqualTo(Severity.ofRatio(alert.ratio()));
                assertThat(Arrays.stream(alert.worstPositions()).boxed().toList())
                        .hasSize(5)
                        .doesNotHaveDuplicates()
                        .allSatisfy(p -> assertThat(p).isBetween(0, 139));
                assertThat(alert.model().version()).isEqualTo(release.version());
                assertThat(alert.label()).isEqualTo(test.normal()[i] ? 1.0 : 0.0);
            }
            pipeline.assertModelsTopicHolds(release);
        }
    }

    /**
     * A scenario feed of test beats (a normal patient, one with a run of five abnormal beats, one whose beats
     * stop for two hours of event time, one with a flat lead) through {@code ./ecg stream}, a JVM of its own as
     * an operator runs it: the committed alarms are
     * exactly the alarm engine's, run offline on the same beats with the trainer's offline scores, by id. The
     * silence and unscored bounds are an hour, so only event time decides, never the test's own pace.
     */
    @Test
    void aScenarioFeedGivesExactlyTheExpectedAlarmIds(@TempDir Path tmp) throws Exception {
        TrainingResult trained = TestReleases.synthetic();
        ReleaseBundle release = trained.release();
        double threshold = release.manifest().threshold();
        Heartbeats test = trained.test();
        List<Integer> normal = new ArrayList<>();
        List<Integer> abnormal = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            double ratio = trained.testScores()[i] / threshold;
            if (test.normal()[i] && ratio <= 1.0) {
                normal.add(i);
            } else if (!test.normal()[i] && ratio > AlarmRule.DEFAULT_RATIO) {
                abnormal.add(i);
            }
        }
        assertThat(normal).hasSizeGreaterThan(10);
        assertThat(abnormal).hasSizeGreaterThan(5);
        float[] flat = new float[test.beats()[0].length];
        Arrays.fill(flat, 0.25f);

        record Beat(String patient, long time, float[] samples, double ratio) {}
        List<Beat> feed = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            int i = normal.get(k % normal.size());
            feed.add(new Beat(
                    "normal", EVENT_TIME_BASE + 1000L * k, test.beats()[i], trained.testScores()[i] / threshold));
        }
        for (int k = 0; k < 27; k++) {
            boolean inRun = k >= 10 && k < 15;
            int i = inRun ? abnormal.get(k - 10) : normal.get(k % normal.size());
            feed.add(new Beat(
                    "episode", EVENT_TIME_BASE + 1000L * k, test.beats()[i], trained.testScores()[i] / threshold));
        }
        for (int k = 0; k < 10; k++) {
            int i = normal.get(k % normal.size());
            long time =
                    EVENT_TIME_BASE + 1000L * k + (k >= 5 ? Duration.ofHours(2).toMillis() : 0);
            feed.add(new Beat("gap", time, test.beats()[i], trained.testScores()[i] / threshold));
        }
        for (int k = 0; k < 12; k++) {
            boolean lead = k >= 3 && k < 7;
            int i = normal.get(k % normal.size());
            feed.add(new Beat(
                    "flat",
                    EVENT_TIME_BASE + 1000L * k,
                    lead ? flat : test.beats()[i],
                    trained.testScores()[i] / threshold));
        }
        long hour = Duration.ofHours(1).toMillis();
        Map<String, String> alarmSettings = Map.of(
                StreamerConfig.Setting.ALARM_SILENCE_MS.key(), String.valueOf(hour),
                StreamerConfig.Setting.ALARM_UNSCORED_MS.key(), String.valueOf(hour));
        try (Pipeline pipeline = startCommandPipeline("alarms", tmp, release, alarmSettings)) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int k = 0; k < feed.size(); k++) {
                Beat b = feed.get(k);
                records.add(pipeline.jsonWindow(b.patient(), beatId("alarm", k), b.time(), b.samples(), true));
            }
            List<RecordMetadata> sent = pipeline.send(records);

            AlarmEngine engine = new AlarmEngine(AlarmRule.DEFAULT.withSilence(hour));
            MinMaxScaler scaler = MinMaxScaler.of(release.manifest().scaler());
            ModelRef model = new ModelRef(release.modelName(), release.version());
            Map<String, PatientAlarms> patients = new HashMap<>();
            List<Alarm> expected = new ArrayList<>();
            List<Integer> order =
                    new ArrayList<>(IntStream.range(0, feed.size()).boxed().toList());
            order.sort((a, b) -> sent.get(a).partition() != sent.get(b).partition()
                    ? Integer.compare(sent.get(a).partition(), sent.get(b).partition())
                    : Long.compare(sent.get(a).offset(), sent.get(b).offset()));
            for (int k : order) {
                Beat b = feed.get(k);
                RecordMetadata m = sent.get(k);
                engine.beat(
                        patients.computeIfAbsent(b.patient(), p -> engine.newPatient()),
                        new ScoredBeat(
                                b.patient(),
                                m.topic(),
                                m.partition(),
                                m.offset(),
                                b.time(),
                                b.ratio(),
                                BeatQuality.of(scaler).check(b.samples()),
                                model,
                                0),
                        expected);
            }
            assertThat(expected)
                    .extracting(Alarm::type)
                    .contains(AlarmType.ANOMALOUS_BEATS, AlarmType.FEED_SILENT, AlarmType.SIGNAL_QUALITY);

            pipeline.scores(feed.size());
            List<Read<Alarm>> alarms = parse(
                    pipeline.readBack(pipeline.topics.alarms(), expected.size(), IsolationLevel.READ_COMMITTED),
                    Alarm.class);
            assertThat(alarms)
                    .extracting(a -> a.value().alarmId())
                    .as("alarm ids")
                    .containsExactlyInAnyOrderElementsOf(
                            expected.stream().map(Alarm::alarmId).toList());
            alarms.forEach(a -> assertThat(a.key()).isEqualTo(a.value().patientId()));
        }
    }

    @Test
    void aReleasePublishedMidStreamTakesOverWithoutLosingAWindowAndAlertsNameIt(@TempDir Path tmp) throws Exception {
        TrainingResult first = TestReleases.synthetic();
        TrainingResult second = TestReleases.syntheticOtherVersion();
        ReleaseBundle v1 = first.release();
        ReleaseBundle v2 = second.release();
        assertThat(v2.modelName()).isEqualTo(v1.modelName());
        assertThat(v2.version()).isNotEqualTo(v1.version());

        // Both releases split the same beats with different seeds. Beats in both test parts have an offline
        // score under either release: those are sent while the new release loads, when either may score them.
        List<int[]> inBoth = new ArrayList<>();
        Set<Integer> firstOnly = new TreeSet<>();
        Set<Integer> secondOnly = new TreeSet<>();
        for (int i = 0; i < first.test().size(); i++) {
            firstOnly.add(i);
        }
        for (int j = 0; j < second.test().size(); j++) {
            secondOnly.add(j);
        }
        for (int i = 0; i < first.test().size(); i++) {
            for (int j = 0; j < second.test().size(); j++) {
                if (Arrays.equals(first.test().beats()[i], second.test().beats()[j])) {
                    inBoth.add(new int[] {i, j});
                    firstOnly.remove(i);
                    secondOnly.remove(j);
                }
            }
        }
        assertThat(inBoth).as("test beats both releases held out").hasSizeGreaterThanOrEqualTo(5);

        try (Pipeline pipeline = startPipeline("swap", tmp, v1)) {
            Map<String, Expected> expected = new HashMap<>();
            List<ProducerRecord<byte[], byte[]>> before = new ArrayList<>();
            for (int i : firstOnly) {
                String id = beatId("v1", i);
                before.add(pipeline.jsonWindow(
                        patient(i),
                        id,
                        null,
                        first.test().beats()[i],
                        first.test().normal()[i]));
                expected.put(id, new Expected(Map.of(v1.version(), first.testScores()[i])));
            }
            pipeline.send(before);
            List<Read<Score>> early = pipeline.scores(before.size());
            assertThat(early)
                    .hasSize(before.size())
                    .allSatisfy(s -> assertThat(s.value().model().version()).isEqualTo(v1.version()));

            new ReleaseTopic(clientProperties(), pipeline.topics.models())
                    .publish(ReleaseRecord.signed(v2, TestKeys.trainer().key()));
            List<ProducerRecord<byte[], byte[]>> duringSwap = new ArrayList<>();
            for (int[] ij : inBoth) {
                String id = beatId("both", ij[0]);
                duringSwap.add(pipeline.jsonWindow(
                        patient(ij[0]),
                        id,
                        null,
                        first.test().beats()[ij[0]],
                        first.test().normal()[ij[0]]));
                expected.put(
                        id,
                        new Expected(Map.of(
                                v1.version(), first.testScores()[ij[0]], v2.version(), second.testScores()[ij[1]])));
            }
            pipeline.send(duringSwap);

            KafkaTestUtils.waitForCondition(
                    () -> v2.version().equals(pipeline.streamer.health().modelVersion()),
                    TIMEOUT,
                    () -> "the streamer still serves "
                            + pipeline.streamer.health().modelVersion());
            List<ProducerRecord<byte[], byte[]>> after = new ArrayList<>();
            for (int j : secondOnly) {
                String id = beatId("v2", j);
                after.add(pipeline.jsonWindow(
                        patient(j),
                        id,
                        null,
                        second.test().beats()[j],
                        second.test().normal()[j]));
                expected.put(id, new Expected(Map.of(v2.version(), second.testScores()[j])));
            }
            pipeline.send(after);

            int total = before.size() + duringSwap.size() + after.size();
            List<Read<Score>> scores = pipeline.scores(total);
            assertThat(scores)
                    .as("every window scored exactly once")
                    .extracting(s -> s.value().windowId())
                    .doesNotHaveDuplicates()
                    .hasSize(total);
            assertThat(scores)
                    .extracting(s -> s.value().beatId())
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
            Map<String, String> versionByWindow = new HashMap<>();
            for (Read<Score> s : scores) {
                Score score = s.value();
                Expected e = expected.get(score.beatId());
                String version = score.model().version();
                assertThat(e.scoreBy())
                        .as("releases that may score %s", score.beatId())
                        .containsKey(version);
                assertThat(score.score())
                        .as("live vs offline score of %s under %s", score.beatId(), version)
                        .isEqualTo(e.scoreBy().get(version));
                ReleaseBundle by = version.equals(v1.version()) ? v1 : v2;
                assertThat(score.threshold()).isEqualTo(by.manifest().threshold());
                assertThat(score.anomaly())
                        .isEqualTo(score.score() > by.manifest().threshold());
                versionByWindow.put(score.windowId(), version);
            }
            // A stream thread changes model between batches, never back: per partition, new follows old.
            Map<Integer, List<String>> versionsByPartition = new TreeMap<>();
            scores.forEach(s -> versionsByPartition
                    .computeIfAbsent(s.record().partition(), p -> new ArrayList<>())
                    .add(s.value().model().version()));
            versionsByPartition.forEach((partition, versions) -> {
                int firstNew = versions.indexOf(v2.version());
                if (firstNew >= 0) {
                    assertThat(versions.subList(firstNew, versions.size()))
                            .as("scores on partition %d once the new release scored one", partition)
                            .containsOnly(v2.version());
                }
            });

            Set<String> expectedAlerts = scores.stream()
                    .filter(s -> s.value().anomaly())
                    .map(s -> s.value().windowId())
                    .collect(Collectors.toCollection(TreeSet::new));
            List<Read<Alert>> alerts = pipeline.alerts();
            assertThat(alerts)
                    .extracting(a -> a.value().alertId())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expectedAlerts);
            alerts.forEach(a -> assertThat(a.value().model().version())
                    .as("alert %s", a.value().beatId())
                    .isEqualTo(versionByWindow.get(a.value().alertId())));
            List<Read<Alert>> laterAlerts = alerts.stream()
                    .filter(a -> a.value().beatId().startsWith("v2-"))
                    .toList();
            assertThat(laterAlerts)
                    .as("alerts after the swap")
                    .isNotEmpty()
                    .allSatisfy(a -> assertThat(a.value().model().version()).isEqualTo(v2.version()));
            assertThat(laterAlerts).hasSize((int) secondOnly.stream()
                    .filter(j -> second.testScores()[j] > v2.manifest().threshold())
                    .count());

            List<Read<JsonNode>> models = pipeline.models();
            assertThat(models)
                    .extracting(m -> m.value().path("manifest").path("version").asText())
                    .containsExactly(v1.version(), v2.version());
        }
    }

    @Test
    void badRecordsLandInTheDeadLetterTopicAndTheGoodOnesAroundThemAreScored(@TempDir Path tmp) throws Exception {
        TrainingResult trained = TestReleases.synthetic();
        ReleaseBundle release = trained.release();
        Heartbeats test = trained.test();
        String good = TestReleases.csvLine(test.beats()[0], test.normal()[0]);
        String[] goodFields = good.split(",");
        List<BadRecord> bad = List.of(
                new BadRecord("not a number", good.replaceFirst("^[^,]+", "oops"), RejectReason.UNPARSABLE),
                new BadRecord("three samples", "1.0,2.0,3.0", RejectReason.WRONG_LENGTH),
                new BadRecord("a NaN sample", withSample(goodFields, 50, "NaN"), RejectReason.NON_FINITE),
                new BadRecord("an absurd sample", withSample(goodFields, 70, "1e9"), RejectReason.OUT_OF_RANGE),
                new BadRecord("empty", new byte[0], RejectReason.EMPTY),
                new BadRecord(
                        "samples as a string",
                        "{\"patientId\":\"patient-01\",\"samples\":\"1,2,3\"}",
                        RejectReason.WRONG_TYPE),
                new BadRecord(
                        "a sample as a string",
                        "{\"samples\":[" + "0.5,".repeat(139) + "\"x\"]}",
                        RejectReason.WRONG_TYPE),
                new BadRecord(
                        "no samples", "{\"patientId\":\"patient-02\",\"beatId\":\"b-1\"}", RejectReason.MISSING_FIELD),
                new BadRecord(
                        "not UTF-8",
                        new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, 0x2C, 0x31},
                        RejectReason.INVALID_ENCODING),
                new BadRecord(
                        "too large",
                        ("0.5," + "0.25,".repeat(20_000)).getBytes(StandardCharsets.US_ASCII),
                        RejectReason.OVERSIZED));

        try (Pipeline pipeline = startPipeline("dlq", tmp, release)) {
            // Each bad record keyed like its neighbours, so it sits between good windows of the same patient.
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            List<Integer> beatOfRecord = new ArrayList<>();
            int nextBad = 0;
            for (int i = 0; i < test.size(); i++) {
                records.add(pipeline.record(
                        patient(i),
                        TestReleases.csvLine(test.beats()[i], test.normal()[i]).getBytes(StandardCharsets.US_ASCII),
                        "good-" + i));
                beatOfRecord.add(i);
                if (i % 11 == 5 && nextBad < bad.size()) {
                    BadRecord b = bad.get(nextBad++);
                    records.add(pipeline.record(patient(i), b.value(), b.name()));
                    beatOfRecord.add(-1);
                }
            }
            assertThat(nextBad).as("every bad record was placed").isEqualTo(bad.size());
            List<RecordMetadata> sent = pipeline.send(records);

            Map<String, Integer> beatByWindow = new HashMap<>();
            Map<String, RecordMetadata> sourceOfCase = new HashMap<>();
            for (int k = 0; k < records.size(); k++) {
                if (beatOfRecord.get(k) >= 0) {
                    beatByWindow.put(windowId(sent.get(k)), beatOfRecord.get(k));
                } else {
                    sourceOfCase.put(header(records.get(k).headers(), CASE_HEADER), sent.get(k));
                }
            }

            List<ConsumerRecord<byte[], byte[]>> dead =
                    pipeline.readBack(pipeline.topics.heartbeatsDlq(), bad.size(), IsolationLevel.READ_COMMITTED);
            assertThat(dead)
                    .extracting(r -> header(r.headers(), CASE_HEADER))
                    .containsExactlyInAnyOrderElementsOf(
                            bad.stream().map(BadRecord::name).toList());
            Map<String, BadRecord> badByName = bad.stream().collect(Collectors.toMap(BadRecord::name, b -> b));
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                String name = header(r.headers(), CASE_HEADER);
                BadRecord b = badByName.get(name);
                RecordMetadata source = sourceOfCase.get(name);
                assertThat(header(r.headers(), DeadLetterHeaders.REASON))
                        .as("reason for '%s' (detail: %s)", name, header(r.headers(), DeadLetterHeaders.DETAIL))
                        .isEqualTo(b.reason().name());
                assertThat(header(r.headers(), DeadLetterHeaders.DETAIL))
                        .as("detail for '%s'", name)
                        .isNotBlank();
                assertThat(r.value()).as("value of '%s', kept as it came", name).isEqualTo(b.value());
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(patientOfRecord(records, name));
                assertThat(header(r.headers(), DeadLetterHeaders.TOPIC)).isEqualTo(source.topic());
                assertThat(header(r.headers(), DeadLetterHeaders.PARTITION))
                        .isEqualTo(String.valueOf(source.partition()));
                assertThat(header(r.headers(), DeadLetterHeaders.OFFSET)).isEqualTo(String.valueOf(source.offset()));
                assertThat(r.timestamp()).as("timestamp of '%s'", name).isEqualTo(source.timestamp());
            }

            List<Read<Score>> scores = pipeline.scores(test.size());
            assertThat(scores)
                    .extracting(s -> s.value().windowId())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(beatByWindow.keySet());
            scores.forEach(s -> assertThat(s.value().score())
                    .as("live vs offline score of %s", s.value().windowId())
                    .isEqualTo(trained.testScores()[beatByWindow.get(s.value().windowId())]));
            Set<String> expectedAlerts = beatByWindow.entrySet().stream()
                    .filter(e -> trained.testScores()[e.getValue()]
                            > release.manifest().threshold())
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(expectedAlerts).isNotEmpty();
            assertThat(pipeline.alerts())
                    .extracting(a -> a.value().alertId())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expectedAlerts);
            for (BadRecord b : bad) {
                assertThat(pipeline.streamer.metrics().deadLetters(b.reason()))
                        .as("dead letters counted as %s", b.reason())
                        .isEqualTo(bad.stream()
                                .filter(x -> x.reason() == b.reason())
                                .count());
            }
            pipeline.assertModelsTopicHolds(release);
        }
    }

    @Test
    void theDemosSummaryMatchesTheTrainersOfflineEvaluationOfTheSameTestBeats(@TempDir Path tmp) throws Exception {
        TrainingResult trained = TestReleases.synthetic();
        Heartbeats test = trained.test();
        double threshold = trained.release().manifest().threshold();

        // The generated data as the file the trainer's release came from, and the trainer's output where the
        // demo looks for it: the demo then serves exactly the release whose offline figures are known here.
        Path data = tmp.resolve("ecg.csv");
        EcgDataset dataset = TestReleases.syntheticDataset(42);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < dataset.beats().size(); i++) {
            csv.append(TestReleases.csvLine(
                            dataset.beats().beats()[i], dataset.beats().normal()[i]))
                    .append('\n');
        }
        Files.writeString(data, csv, StandardCharsets.US_ASCII);
        assertThat(EcgCsv.read(data).sha256())
                .isEqualTo(trained.release().manifest().provenance().dataSha256());
        Path out = tmp.resolve("demo");
        trained.release().writeTo(out.resolve("train/release"));
        Json.mapper().writeValue(out.resolve("train/report.json").toFile(), trained.report());

        DemoSummary summary;
        try (DemoCluster cluster = demoCluster()) {
            Demo.Settings settings = new Demo.Settings(
                    Optional.of(data.toString()),
                    out,
                    Recipe.NOTEBOOK,
                    0,
                    7,
                    Optional.of(cluster.bootstrapServers()),
                    cluster.clientProperties(),
                    false,
                    TIMEOUT,
                    OptionalInt.empty(),
                    false);
            summary = new Demo(settings, QUIET).run();

            assertThat(summary.bootstrapServers()).isEqualTo(cluster.bootstrapServers());

            // What the demo's streamer wrote, read back as any consumer would, holds to the published contracts
            // and to the trainer's scores.
            List<Read<Score>> scores =
                    parse(readAll(cluster, EcgTopic.SCORES.defaultName(), Contract.SCORE), Score.class);
            assertThat(scores)
                    .extracting(s -> s.value().beatId())
                    .doesNotHaveDuplicates()
                    .hasSize(test.size());
            scores.forEach(s -> assertThat(s.value().score())
                    .as("live vs offline score of %s", s.value().beatId())
                    .isEqualTo(trained.testScores()[beatIndex(s.value().beatId())]));
            Set<Integer> expectedAlerts = new TreeSet<>();
            for (int i = 0; i < test.size(); i++) {
                if (trained.testScores()[i] > threshold) {
                    expectedAlerts.add(i);
                }
            }
            List<Read<Alert>> alerts =
                    parse(readAll(cluster, EcgTopic.ALERTS.defaultName(), Contract.ALERT), Alert.class);
            assertThat(alerts)
                    .extracting(a -> beatIndex(a.value().beatId()))
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expectedAlerts);
            List<Read<JsonNode>> models =
                    parse(readAll(cluster, EcgTopic.MODELS.defaultName(), Contract.MODEL_RELEASE), JsonNode.class);
            assertThat(models)
                    .last()
                    .extracting(m -> m.value().path("manifest").path("version").asText())
                    .isEqualTo(trained.release().version());
        }

        ConfusionMatrix offline = ConfusionMatrix.of(trained.testScores(), test.isAnomaly(), threshold);
        assertThat(trained.report().test().accuracy())
                .as("the trainer's figures are of these test beats")
                .isEqualTo(offline.accuracy());
        assertThat(summary.reusedRelease())
                .as("the demo serves the trainer's release")
                .isTrue();
        assertThat(summary.modelVersion()).isEqualTo(trained.release().version());
        assertThat(summary.windowsSent()).isEqualTo(test.size());
        assertThat(summary.windowsScored()).isEqualTo(test.size());
        assertThat(summary.deadLettered()).isZero();
        assertThat(summary.parityMismatches()).isZero();
        assertThat(summary.maxScoreDifference()).isZero();
        assertThat(summary.alerts()).isEqualTo(offline.tp() + offline.fp());
        assertThat(summary.accuracy())
                .isEqualTo(trained.report().test().accuracy())
                .isEqualTo(summary.offlineAccuracy());
        assertThat(summary.precision())
                .isEqualTo(trained.report().test().precision())
                .isEqualTo(summary.offlinePrecision());
        assertThat(summary.recall()).isEqualTo(trained.report().test().recall()).isEqualTo(summary.offlineRecall());
    }

    /** All of a topic of the demo's cluster, committed records only, each checked against its contract. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(DemoCluster cluster, String topic, Contract contract) {
        return conforming(
                contract,
                KafkaTestUtils.readToEnd(cluster.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED, TIMEOUT));
    }

    // ---------------------------------------------------------------------------------------------------------
    // One pipeline per scenario: its own topics, release, streamer and producer
    // ---------------------------------------------------------------------------------------------------------

    /** Starts the streamer on topics of its own, serving {@code release}. */
    Pipeline startPipeline(String name, Path workDir, ReleaseBundle release) throws Exception {
        return startPipeline(name, workDir, release, Map.of());
    }

    Pipeline startPipeline(String name, Path workDir, ReleaseBundle release, Map<String, String> extra)
            throws Exception {
        PipelineSettings p = pipelineSettings(name, workDir, release, extra);
        StreamerApp streamer = StreamerApp.start(StreamerConfig.fromMap(p.settings()));
        try {
            return new Pipeline(p.prefix(), p.topics(), streamer, null, producer());
        } catch (RuntimeException e) {
            streamer.close();
            throw e;
        }
    }

    /**
     * As {@link #startPipeline}, but the streamer is {@code ./ecg stream} in a JVM of its own (the command line's
     * main class on this test's class path, as the ops ITs start it), its settings in a {@code --config} file;
     * returns once it is ready, so the scenario's waits do not include a JVM's start.
     */
    Pipeline startCommandPipeline(String name, Path workDir, ReleaseBundle release, Map<String, String> extra)
            throws Exception {
        PipelineSettings p = pipelineSettings(name, workDir, release, extra);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Properties config = new Properties();
        config.putAll(p.settings());
        config.put(StreamerConfig.Setting.HTTP_PORT.key(), String.valueOf(port));
        Path configFile = workDir.resolve("streamer.properties");
        try (OutputStream out = Files.newOutputStream(configFile)) {
            config.store(out, "the e2e scenario's streamer");
        }
        Path log = workDir.resolve("streamer.log");
        Process child = ChildJvms.java(
                        List.of("-Xmx384m", "-Dai.djl.offline=true"),
                        Main.class.getName(),
                        List.of("stream", "--config", configFile.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            awaitReady(child, port, log);
            return new Pipeline(p.prefix(), p.topics(), null, child, producer());
        } catch (Exception | AssertionError e) {
            child.destroyForcibly();
            throw e;
        }
    }

    /** Polls the child's /health/ready until it answers 200, or the child exits, within a JVM start's deadline. */
    private static void awaitReady(Process child, int port, Path log) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        long deadline = System.nanoTime() + TIMEOUT.multipliedBy(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                fail("./ecg stream exited with " + child.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        fail("./ecg stream was not ready within " + TIMEOUT.multipliedBy(2) + ":\n" + Files.readString(log));
    }

    /** A scenario's own topics (created, the release published on its models topic) and its streamer's settings. */
    private record PipelineSettings(String prefix, TopicNames topics, Map<String, String> settings) {}

    private PipelineSettings pipelineSettings(
            String name, Path workDir, ReleaseBundle release, Map<String, String> extra) throws Exception {
        String prefix = KafkaTestUtils.uniqueTopic("e2e-" + name) + ".";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        try (Admin admin = Admin.create(clientProperties())) {
            TopicSetup.createAll(admin, topics, PARTITIONS);
        }
        new ReleaseTopic(clientProperties(), topics.models())
                .publish(ReleaseRecord.signed(release, TestKeys.trainer().key()));

        Map<String, String> settings = new LinkedHashMap<>();
        clientProperties().forEach((k, v) -> settings.put(String.valueOf(k), String.valueOf(v)));
        settings.put("application.id", prefix + "streamer");
        settings.put(
                "state.dir",
                Files.createDirectories(workDir.resolve("streams-state")).toString());
        settings.put(StreamerConfig.Setting.TOPIC_HEARTBEATS.key(), topics.heartbeats());
        settings.put(StreamerConfig.Setting.TOPIC_DLQ.key(), topics.heartbeatsDlq());
        settings.put(StreamerConfig.Setting.TOPIC_ALERTS.key(), topics.alerts());
        settings.put(StreamerConfig.Setting.TOPIC_SCORES.key(), topics.scores());
        settings.put(StreamerConfig.Setting.TOPIC_ALARMS.key(), topics.alarms());
        settings.put(StreamerConfig.Setting.TOPIC_MODELS.key(), topics.models());
        settings.put(StreamerConfig.Setting.BATCH_WAIT_MS.key(), "50");
        settings.put(
                StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.key(),
                TestKeys.trainer().publicKey().toString());
        settings.put(StreamerConfig.Setting.HTTP_HOST.key(), "127.0.0.1");
        settings.put(StreamerConfig.Setting.HTTP_PORT.key(), "0");
        settings.putAll(extra);
        return new PipelineSettings(prefix, topics, settings);
    }

    final class Pipeline implements AutoCloseable {
        final String prefix;
        final TopicNames topics;
        /** The streamer when it runs in this JVM; null when it is {@code ./ecg stream} in its own. */
        final StreamerApp streamer;

        private final Process child;
        private final KafkaProducer<byte[], byte[]> producer;

        private Pipeline(
                String prefix,
                TopicNames topics,
                StreamerApp streamer,
                Process child,
                KafkaProducer<byte[], byte[]> producer) {
            this.prefix = prefix;
            this.topics = topics;
            this.streamer = streamer;
            this.child = child;
            this.producer = producer;
        }

        ProducerRecord<byte[], byte[]> record(String key, byte[] value, String testCase) {
            return new ProducerRecord<>(
                    topics.heartbeats(),
                    null,
                    key.getBytes(StandardCharsets.UTF_8),
                    value,
                    List.of(new RecordHeader(CASE_HEADER, testCase.getBytes(StandardCharsets.UTF_8))));
        }

        /** A JSON window keyed by its patient; it must itself satisfy the published heartbeat schema. */
        ProducerRecord<byte[], byte[]> jsonWindow(
                String patientId, String beatId, Long timestamp, float[] samples, boolean normal) throws IOException {
            byte[] json = HeartbeatJson.write(new Heartbeat(patientId, beatId, timestamp, samples, normal ? 1.0 : 0.0));
            assertThat(JsonSchemas.violations(Contract.HEARTBEAT, json))
                    .as("window %s", beatId)
                    .isEmpty();
            return record(patientId, json, beatId);
        }

        /** Sends in order and returns where each record went. */
        List<RecordMetadata> send(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            records.forEach(r -> futures.add(producer.send(r)));
            producer.flush();
            List<RecordMetadata> sent = new ArrayList<>();
            for (Future<RecordMetadata> f : futures) {
                sent.add(f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
            return sent;
        }

        /**
         * Waits for at least {@code n} scores, then reads the topic to its end: more than {@code n} would be a
         * window scored twice, and the assertions would see it.
         */
        List<Read<Score>> scores(int n) {
            return parse(readBack(topics.scores(), n, IsolationLevel.READ_COMMITTED), Score.class);
        }

        /**
         * Everything committed on the alerts topic. Alerts commit in the transaction of their window's score, so
         * once the scores are in, so are the alerts.
         */
        List<Read<Alert>> alerts() {
            return parse(readBack(topics.alerts(), 0, IsolationLevel.READ_COMMITTED), Alert.class);
        }

        List<Read<JsonNode>> models() {
            return parse(readBack(topics.models(), 0, IsolationLevel.READ_COMMITTED), JsonNode.class);
        }

        void assertModelsTopicHolds(ReleaseBundle release) {
            List<Read<JsonNode>> models = models();
            assertThat(models).hasSize(1);
            Read<JsonNode> m = models.get(0);
            assertThat(m.key()).isEqualTo(release.key().toString());
            assertThat(header(m.record().headers(), ReleaseRecord.HEADER_VERSION))
                    .isEqualTo(release.version());
            assertThat(header(m.record().headers(), ReleaseRecord.HEADER_KEY_ID))
                    .isEqualTo(TestKeys.trainer().key().keyId());
            assertThat(m.value().path("manifest").path("digest").asText())
                    .isEqualTo(release.manifest().digest());
        }

        /** All of {@code topic} once it holds {@code atLeast} records; outputs are checked against their schema. */
        List<ConsumerRecord<byte[], byte[]>> readBack(String topic, int atLeast, IsolationLevel isolation) {
            Contract contract = contractOf(topic);
            if (atLeast > 0) {
                Properties props = clientProperties();
                props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
                List<ConsumerRecord<byte[], byte[]>> arrived =
                        KafkaTestUtils.waitUntilMinRecordsReceived(props, topic, atLeast, TIMEOUT);
                if (contract != null) {
                    conforming(contract, arrived);
                }
            }
            List<ConsumerRecord<byte[], byte[]>> all =
                    KafkaTestUtils.readToEnd(bootstrapServers(), topic, isolation, TIMEOUT);
            return contract == null ? all : conforming(contract, all);
        }

        /**
         * A downstream service: a consumer group subscribed to {@code minimumPerTopic}'s topics with
         * {@code read_committed}, reading until each topic gave at least its minimum and then to the end.
         */
        Map<String, List<ConsumerRecord<byte[], byte[]>>> readAsADownstreamService(
                String groupId, Map<String, Integer> minimumPerTopic) {
            Properties props = clientProperties();
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            Map<String, List<ConsumerRecord<byte[], byte[]>>> read = new TreeMap<>();
            minimumPerTopic.keySet().forEach(t -> read.put(t, new ArrayList<>()));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(minimumPerTopic.keySet());
                while (minimumPerTopic.entrySet().stream()
                        .anyMatch(e -> read.get(e.getKey()).size() < e.getValue())) {
                    if (System.nanoTime() > deadline) {
                        fail("a read_committed consumer got only "
                                + read.entrySet().stream()
                                        .map(e -> e.getValue().size() + " records of " + e.getKey())
                                        .toList()
                                + " within "
                                + TIMEOUT + ", expected at least " + minimumPerTopic);
                    }
                    consumer.poll(Duration.ofMillis(100))
                            .forEach(r -> read.get(r.topic()).add(r));
                }
                Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), TIMEOUT);
                while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                    if (System.nanoTime() > deadline) {
                        fail("a read_committed consumer did not reach " + ends + " within " + TIMEOUT);
                    }
                    consumer.poll(Duration.ofMillis(100))
                            .forEach(r -> read.get(r.topic()).add(r));
                }
                consumer.commitSync();
            }
            read.forEach((topic, records) -> conforming(contractOf(topic), records));
            return read;
        }

        private Contract contractOf(String topic) {
            if (topic.equals(topics.scores())) {
                return Contract.SCORE;
            } else if (topic.equals(topics.alerts())) {
                return Contract.ALERT;
            } else if (topic.equals(topics.models())) {
                return Contract.MODEL_RELEASE;
            } else if (topic.equals(topics.alarms())) {
                return Contract.ALARM;
            }
            return null;
        }

        @Override
        public void close() {
            try {
                producer.close(Duration.ofSeconds(10));
            } finally {
                if (streamer != null) {
                    streamer.close();
                } else {
                    stop(child);
                }
            }
        }
    }

    /** SIGTERM, as a supervisor stops it, and SIGKILL if it has not stopped within the deadline. */
    private static void stop(Process child) {
        child.destroy();
        try {
            if (!child.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading as the outside world does
    // ---------------------------------------------------------------------------------------------------------

    /**
     * The one gate every record read back from the alerts, scores and models topics passes: each value must
     * satisfy the JSON Schema published for its topic.
     */
    static List<ConsumerRecord<byte[], byte[]>> conforming(
            Contract contract, List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(JsonSchemas.violations(contract, r.value()))
                    .as(
                            "%s record %s against %s: %s",
                            r.topic(),
                            windowId(r),
                            contract.file(),
                            contract == Contract.MODEL_RELEASE ? "(a release)" : KafkaTestUtils.show(r.value()))
                    .isEmpty();
        }
        return records;
    }

    /** A record read back, with its value parsed. */
    record Read<T>(ConsumerRecord<byte[], byte[]> record, T value) {
        String key() {
            return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        }
    }

    static <T> List<Read<T>> parse(List<ConsumerRecord<byte[], byte[]>> records, Class<T> type) {
        List<Read<T>> parsed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                parsed.add(new Read<>(r, Json.mapper().readValue(r.value(), type)));
            } catch (IOException e) {
                throw new AssertionError(
                        "record " + windowId(r) + " is not a " + type.getSimpleName() + ": "
                                + KafkaTestUtils.show(r.value()),
                        e);
            }
        }
        return parsed;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Kafka's console producer
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Pipes {@code input} into {@code topic} with Kafka's own {@code kafka-console-producer}, in a JVM of its
     * own as an operator would run it, on the jars Maven Central publishes.
     */
    private void runConsoleProducer(Path input, String topic, Path workDir) throws Exception {
        Properties settings = clientProperties();
        settings.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        Path config = workDir.resolve("console-producer.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            settings.store(out, "client settings of the cluster under test");
        }
        Path log = workDir.resolve("console-producer.log");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ConsoleProducer.class.getName(),
                "--bootstrap-server",
                bootstrapServers(),
                "--topic",
                topic,
                "--command-config",
                config.toString());
        Process process = new ProcessBuilder(command)
                .redirectInput(input.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the console producer did not finish within " + TIMEOUT + ":\n" + Files.readString(log));
            }
            assertThat(process.exitValue())
                    .as("console producer exit code; it said:%n%s", Files.readString(log))
                    .isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Beats and their expectations
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Test beats as lines of {@code ecg.csv}, with the release the trainer made and its offline scores of them:
     * the raw lines of the ECG5000 file and the default recipe where the data is available, generated beats
     * and the notebook recipe elsewhere.
     */
    record CsvBeats(ReleaseBundle release, List<String> lines, float[] offline, boolean[] normal) {

        static CsvBeats ecg5000OrSynthetic() throws Exception {
            Optional<Path> data = TestReleases.fullData();
            if (data.isEmpty()) {
                TrainingResult trained = TestReleases.synthetic();
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < trained.test().size(); i++) {
                    lines.add(TestReleases.csvLine(
                            trained.test().beats()[i], trained.test().normal()[i]));
                }
                return new CsvBeats(
                        trained.release(),
                        lines,
                        trained.testScores(),
                        trained.test().normal());
            }
            TrainingResult trained = TestReleases.fullDefault();
            byte[] bytes = Files.readAllBytes(data.get());
            // Parsing skips blank lines; so does this list, and line i is parsed beat i.
            List<String> raw = new String(bytes, StandardCharsets.US_ASCII)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .toList();
            float[][] parsed =
                    EcgCsv.parse(bytes, EcgCsv.SAMPLES, data.get().toString()).beats();
            Map<Integer, List<Integer>> linesByHash = new HashMap<>();
            for (int i = 0; i < parsed.length; i++) {
                linesByHash
                        .computeIfAbsent(Arrays.hashCode(parsed[i]), k -> new ArrayList<>())
                        .add(i);
            }
            List<String> lines = new ArrayList<>();
            for (float[] beat : trained.test().beats()) {
                int line = linesByHash.getOrDefault(Arrays.hashCode(beat), List.of()).stream()
                        .filter(i -> Arrays.equals(parsed[i], beat))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("a test beat is not a line of " + data.get()));
                lines.add(raw.get(line));
            }
            return new CsvBeats(
                    trained.release(),
                    lines,
                    trained.testScores(),
                    trained.test().normal());
        }

        int size() {
            return lines.size();
        }

        boolean anomalous(int beat) {
            return offline[beat] > release.manifest().threshold();
        }

        double label(int beat) {
            return normal[beat] ? 1.0 : 0.0;
        }
    }

    /** The offline score of a window under each release that may score it. */
    private record Expected(Map<String, Float> scoreBy) {}

    private record BadRecord(String name, byte[] value, RejectReason reason) {
        BadRecord(String name, String value, RejectReason reason) {
            this(name, value.getBytes(StandardCharsets.UTF_8), reason);
        }
    }

    private static String withSample(String[] csvFields, int position, String value) {
        String[] fields = csvFields.clone();
        fields[position] = value;
        return String.join(",", fields);
    }

    private static String patientOfRecord(List<ProducerRecord<byte[], byte[]>> records, String testCase) {
        return records.stream()
                .filter(r -> testCase.equals(header(r.headers(), CASE_HEADER)))
                .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .findFirst()
                .orElseThrow();
    }

    private static String patient(int beat) {
        return String.format(Locale.ROOT, "patient-%02d", beat % PATIENTS);
    }

    private static String beatId(String kind, int beat) {
        return String.format(Locale.ROOT, "%s-%04d", kind, beat);
    }

    /** The test-beat index in a beat id: {@code beat-0042} and the demo's {@code test-0042} give 42. */
    private static int beatIndex(String beatId) {
        return Integer.parseInt(beatId.substring(beatId.lastIndexOf('-') + 1));
    }

    static String windowId(ConsumerRecord<?, ?> r) {
        return r.topic() + "/" + r.partition() + "/" + r.offset();
    }

    static String windowId(RecordMetadata m) {
        return m.topic() + "/" + m.partition() + "/" + m.offset();
    }

    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
