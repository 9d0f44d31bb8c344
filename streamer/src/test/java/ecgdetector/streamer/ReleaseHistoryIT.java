package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a streamer's model comes from when it starts: the models topic alone, read from its beginning. A later
 * record cannot make compaction remove an accepted release (one key per release), and nothing kept locally from
 * another cluster, or from an earlier incarnation of the topic, is ever served or stops the streamer.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ReleaseHistoryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void junkAndCompactionLeaveANewInstanceWithEmptyStateServingTheLastGoodRelease(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("compacted") + ".");
        ReleaseRecord good = publishedOnACompactingTopic(broker, topics, 1, f);
        List<String> keys = junkThenCompaction(broker, topics, good);

        Map<String, String> settings =
                StreamerIT.settings(broker, topics, topics.heartbeats() + ".fresh", dir.resolve("empty-state"));
        try (StreamerApp fresh = StreamerApp.start(StreamerConfig.fromMap(settings));
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            awaitServingTheGoodRelease(fresh, f, keys);
            StreamerIT.send(
                    producer, topics.heartbeats(), "patient-1", f.lines().get(0));
            Outputs.awaitScores(broker.bootstrapServers(), topics, 1, TIMEOUT);
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .singleElement()
                    .satisfies(s -> assertThat(s.model().version())
                            .isEqualTo(f.release().version()));
        }
    }

    /**
     * The case as first reported: an instance runs on three partitions, junk and compaction follow, and a second
     * instance with an empty state folder joins the group. It finds the good release (compaction kept it), takes
     * its share of the partitions and scores them; nothing waits unscored on either instance.
     */
    @Test
    void aFreshInstanceJoiningARunningGroupAfterJunkAndCompactionScoresItsShare(
            EmbeddedKafkaBroker broker, @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("joining") + ".");
        ReleaseRecord good = publishedOnACompactingTopic(broker, topics, 3, f);
        String application = topics.heartbeats() + ".group";
        try (StreamerApp running = StreamerApp.start(
                StreamerConfig.fromMap(StreamerIT.settings(broker, topics, application, dir.resolve("running"))))) {
            KafkaTestUtils.waitForCondition(running::isReady, TIMEOUT, () -> "not ready: " + running.health());
            List<String> keys = junkThenCompaction(broker, topics, good);

            try (StreamerApp fresh = StreamerApp.start(StreamerConfig.fromMap(
                            StreamerIT.settings(broker, topics, application, dir.resolve("fresh"))));
                    KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
                awaitServingTheGoodRelease(fresh, f, keys);
                KafkaTestUtils.waitForCondition(
                        () -> membersWithPartitions(broker, application, topics.heartbeats()) == 2,
                        TIMEOUT,
                        () -> "the fresh instance never took a partition: " + fresh.health());

                for (int i = 0; i < 30; i++) {
                    StreamerIT.send(
                            producer,
                            topics.heartbeats(),
                            "patient-" + i,
                            f.lines().get(i));
                }
                Outputs.awaitScores(broker.bootstrapServers(), topics, 30, TIMEOUT);
                assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                        .hasSize(30)
                        .allSatisfy(s -> assertThat(s.model().version())
                                .isEqualTo(f.release().version()))
                        .extracting(s -> s.windowId())
                        .doesNotHaveDuplicates();
                for (StreamerApp instance : List.of(running, fresh)) {
                    assertThat(instance.metrics().bufferedWindows())
                            .as("windows waiting")
                            .isZero();
                    assertThat(instance.isReady()).isTrue();
                }
            }
        }
    }

    /** How many members of the group hold at least one partition of {@code topic}. */
    private static long membersWithPartitions(EmbeddedKafkaBroker broker, String group, String topic) {
        try (Admin admin = Admin.create(broker.adminProperties())) {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().stream()
                    .filter(m -> m.assignment().topicPartitions().stream()
                            .anyMatch(p -> p.topic().equals(topic)))
                    .count();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The README's walk-through twice, with the broker's data folder deleted in between as the README suggests to
     * start afresh: the same application id and state folder meet a new cluster whose models topic is shorter than
     * the old one was. The streamer starts, and serves the release the new cluster published, not the old one's.
     */
    @Test
    void aStreamerRestartedAgainstANewClusterServesWhatThatClusterPublished(@TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        ReleaseBundle oldClusters = f.release();
        ReleaseBundle newClusters = TestReleases.syntheticOtherVersion().release();
        Path data = dir.resolve("broker-data");
        Path state = dir.resolve("streams-state");
        TopicNames topics = TopicNames.defaults();

        String firstCluster;
        try (EmbeddedKafkaBroker first =
                EmbeddedKafkaBroker.builder().dataDir(data).build().start()) {
            firstCluster = first.clusterId();
            TopicSetup.createAll(first, topics, 1);
            ReleaseTopic models = new ReleaseTopic(first.clientProperties(), topics.models());
            // Several records, so that any position kept from this topic lies past the new topic's end.
            models.publish(FakeModels.signed(oldClusters));
            models.publish(ReleaseRecord.unsigned(newClusters));
            models.publish(ReleaseRecord.unsigned(newClusters));
            runWalkThrough(first, topics, state, f, oldClusters.version());
        }
        deleteRecursively(data);

        try (EmbeddedKafkaBroker second =
                EmbeddedKafkaBroker.builder().dataDir(data).build().start()) {
            assertThat(second.clusterId()).isNotEqualTo(firstCluster);
            TopicSetup.createAll(second, topics, 1);
            new ReleaseTopic(second.clientProperties(), topics.models()).publish(FakeModels.signed(newClusters));
            runWalkThrough(second, topics, state, f, newClusters.version());
        }
    }

    /**
     * A streamer with the default application id and the given state folder serves {@code version}, says so in
     * {@code ecg_model_info}, and scores windows with it.
     */
    private static void runWalkThrough(
            EmbeddedKafkaBroker broker, TopicNames topics, Path state, RealRelease.Fixture f, String version)
            throws Exception {
        Map<String, String> settings =
                StreamerIT.settings(broker, topics, StreamerConfig.DEFAULT_APPLICATION_ID, state);
        StreamerConfig config = StreamerConfig.fromMap(settings);
        try (StreamerApp app = StreamerApp.start(config);
                KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            KafkaTestUtils.waitForCondition(app::isReady, TIMEOUT, () -> "not ready: " + app.health());
            assertThat(app.models().serving()).map(ReleaseManifest::version).contains(version);
            assertThat(app.meters().find("ecg.model.info").gauges())
                    .as("ecg_model_info: the serving version, and no other")
                    .singleElement()
                    .satisfies(g -> {
                        assertThat(g.getId().getTag("version")).isEqualTo(version);
                        assertThat(g.getId().getTag("name")).isEqualTo(config.modelName());
                        assertThat(g.value()).isEqualTo(1.0);
                    });
            assertThat(app.meters().scrape().lines().filter(l -> l.startsWith("ecg_model_info{")))
                    .as("as Prometheus scrapes it")
                    .singleElement()
                    .asString()
                    .contains("version=\"" + version + "\"");
            assertThat(app.meters().get("ecg.model.loaded").gauge().value()).isEqualTo(1.0);
            for (int i = 0; i < 5; i++) {
                StreamerIT.send(
                        producer, topics.heartbeats(), "patient-" + i, f.lines().get(i));
            }
            Outputs.awaitScores(broker.bootstrapServers(), topics, 5, TIMEOUT);
            assertThat(Outputs.scores(broker.bootstrapServers(), topics))
                    .hasSize(5)
                    .allSatisfy(s -> assertThat(s.model().version()).isEqualTo(version));
            assertThat(app.isLive()).isTrue();
        }
    }

    /** Ready with the good release, every junk record left on the topic counted as rejected. */
    private static void awaitServingTheGoodRelease(StreamerApp fresh, RealRelease.Fixture f, List<String> keys) {
        KafkaTestUtils.waitForCondition(fresh::isReady, TIMEOUT, () -> "not ready: " + fresh.health());
        assertThat(fresh.models().serving())
                .map(ReleaseManifest::version)
                .contains(f.release().version());
        assertThat(fresh.metrics().releasesRejected())
                .as("every junk record left on the topic")
                .isEqualTo(keys.size() - 1);
    }

    /** The topics, with a models topic that compacts at once, and the fixture's release signed and published. */
    private static ReleaseRecord publishedOnACompactingTopic(
            EmbeddedKafkaBroker broker, TopicNames topics, int partitions, RealRelease.Fixture f) throws Exception {
        TopicSetup.createAll(broker, topics, partitions);
        compactSoon(broker, topics.models());
        ReleaseRecord good = FakeModels.signed(f.release());
        new ReleaseTopic(broker.clientProperties(), topics.models()).publish(good);
        return good;
    }

    /**
     * Junk under the release's plain key and under a key shaped like a newer release, then more junk until
     * compaction has run: the keys left on the topic, in order; the good release's among them.
     */
    private static List<String> junkThenCompaction(EmbeddedKafkaBroker broker, TopicNames topics, ReleaseRecord good)
            throws Exception {
        byte[] junk = "not a release".getBytes(StandardCharsets.UTF_8);
        String plain = good.key().substring(0, good.key().indexOf('/'));
        String likeARelease = plain + "/99991231T235959Z-junk";
        long first = offsets(broker, topics.models()).stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElse(-1)
                + 1;
        try (KafkaProducer<byte[], byte[]> producer = StreamerIT.producer(broker)) {
            StreamerIT.send(producer, topics.models(), new ReleaseRecord(plain, junk, null));
            StreamerIT.send(producer, topics.models(), new ReleaseRecord(likeARelease, junk, null));
            // Each later junk record under the plain key may roll the segment; once compaction ran, the first
            // junk record of that key is gone: what is left is what compaction keeps.
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (offsets(broker, topics.models()).contains(first)) {
                assertThat(System.nanoTime())
                        .as("compaction within %s", TIMEOUT)
                        .isLessThan(deadline);
                StreamerIT.send(producer, topics.models(), new ReleaseRecord(plain, junk, null));
            }
        }
        List<String> keys = keys(broker, topics.models());
        assertThat(keys).as("after compaction").contains(good.key(), likeARelease, plain);
        return keys;
    }

    /** Segments that roll after 100 ms and are cleaned as soon as anything in them is stale. */
    private static void compactSoon(EmbeddedKafkaBroker broker, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.incrementalAlterConfigs(Map.of(
                            resource,
                            List.of(
                                    new AlterConfigOp(new ConfigEntry("segment.ms", "100"), AlterConfigOp.OpType.SET),
                                    new AlterConfigOp(
                                            new ConfigEntry("min.cleanable.dirty.ratio", "0.01"),
                                            AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> all(EmbeddedKafkaBroker broker, String topic) {
        return KafkaTestUtils.readToEnd(broker.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED, TIMEOUT);
    }

    private static Set<Long> offsets(EmbeddedKafkaBroker broker, String topic) {
        return all(broker, topic).stream().map(ConsumerRecord::offset).collect(Collectors.toSet());
    }

    private static List<String> keys(EmbeddedKafkaBroker broker, String topic) {
        Map<Long, String> byOffset = new HashMap<>();
        all(broker, topic).forEach(r -> byOffset.put(r.offset(), new String(r.key(), StandardCharsets.UTF_8)));
        return byOffset.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .toList();
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (var files = java.nio.file.Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
