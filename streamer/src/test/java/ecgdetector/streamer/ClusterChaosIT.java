package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaCluster;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.ChildJvms;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.streamer.testing.ScoreWatch;
import ecgdetector.streamer.testing.SteadyFeed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos test's production-shaped variant: three streamer instances on a cluster of three KRaft brokers, each
 * in a JVM of its own (replication factor 3, {@code min.insync.replicas=2}), fed at a fixed rate while the broker
 * that leads the most input partitions is SIGKILLed and, later, started again. Every window is scored exactly
 * once and every expected alert appears once, by id; the longest wait (the broker's session timeout is most of
 * it: only then are its partitions led elsewhere) is logged and held against a generous bound.
 */
class ClusterChaosIT {

    private static final Logger log = LoggerFactory.getLogger(ClusterChaosIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 6;
    private static final double RATE = 60;
    private static final Duration WORST_WAIT_BOUND = Duration.ofSeconds(60);
    private static final long BEFORE_FAULT_MS = 2000;

    @Test
    void aBrokerKilledAndRestartedMidStreamLosesAndDuplicatesNoWindow(@TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = TopicNames.defaults();
        Path logs = Path.of("target", "it-logs", "cluster-chaos-" + System.currentTimeMillis());
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder()
                .jvmOptions(ChildJvms.after(EmbeddedKafkaCluster.DEFAULT_JVM_OPTIONS))
                .dataDir(dir.resolve("kafka"))
                .build()
                .start()) {
            cluster.createTopics(TopicSetup.newTopics(topics, PARTITIONS));
            new ReleaseTopic(cluster.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
            Map<String, String> settings =
                    StreamerIT.settings(cluster.bootstrapServers(), topics, "cluster-chaos-streamer", dir);
            settings.put("ecg.batch.size", "32");
            settings.put("ecg.batch.wait.ms", "50");
            List<ChildStreamer> instances = new ArrayList<>();
            // The instances are ready before the feed starts: six JVMs starting at once on a small machine are
            // ChaosIT's subject, not this test's, and a minute of backlog would only make the test longer.
            try {
                for (String name : List.of("a", "b", "c")) {
                    Map<String, String> own = new LinkedHashMap<>(settings);
                    own.put("ecg.instance.name", "cluster-chaos-" + name);
                    own.put("state.dir", dir.resolve("state-" + name).toString());
                    instances.add(ChildStreamer.start(own, logs, name));
                }
                for (ChildStreamer instance : instances) {
                    instance.awaitReady(TIMEOUT);
                }
                rideOutABrokersLossAndReturn(cluster, topics, f, instances);
            } finally {
                instances.forEach(ChildStreamer::close);
            }
        }
    }

    private static void rideOutABrokersLossAndReturn(
            EmbeddedKafkaCluster cluster, TopicNames topics, RealRelease.Fixture f, List<ChildStreamer> instances)
            throws Exception {
        try (ScoreWatch watch = new ScoreWatch(cluster.bootstrapServers(), topics.scores());
                SteadyFeed feed = new SteadyFeed(cluster.clientProperties(), topics.heartbeats(), f, 24, RATE)) {
            // Some seconds of feed scored first, so that the kill lands mid-stream.
            feed.awaitAcknowledged((int) (RATE * BEFORE_FAULT_MS * 2 / 1000), TIMEOUT);
            watch.awaitScored(List.copyOf(feed.windowIndex().keySet()), TIMEOUT);
            int victim = busiestLeader(cluster, topics.heartbeats());
            long killedAt = System.currentTimeMillis();
            long beforeFault = watch.worstDelayMs(0, killedAt - BEFORE_FAULT_MS);
            cluster.kill(victim);
            watch.awaitScored(List.copyOf(feed.windowIndex().keySet()), TIMEOUT);
            long worstAfterKill = watch.worstDelayMs(killedAt - BEFORE_FAULT_MS, Long.MAX_VALUE);

            long restartedAt = System.currentTimeMillis();
            cluster.start(victim);
            watch.awaitScored(List.copyOf(feed.windowIndex().keySet()), TIMEOUT);
            long worstAfterRestart = watch.worstDelayMs(restartedAt - BEFORE_FAULT_MS, Long.MAX_VALUE);

            feed.stop();
            watch.awaitScored(feed.windowIndex().keySet(), TIMEOUT);
            log.info(
                    "Cluster chaos: {} windows at {}/s; before the fault: longest wait {} ms; broker {} SIGKILLed:"
                            + " longest wait {} ms; restarted: longest wait {} ms",
                    feed.windowIndex().size(),
                    RATE,
                    beforeFault,
                    victim,
                    worstAfterKill,
                    worstAfterRestart);
            Outputs.assertExactlyOnce(cluster.bootstrapServers(), topics, feed.windowIndex(), f);
            // The bound is about the broker's loss and return, not the first windows a fresh instance scores.
            assertThat(Math.max(worstAfterKill, worstAfterRestart))
                    .as(
                            "the longest any window sent from just before the kill waited, ms (after the kill %s,"
                                    + " after the restart %s; before the fault %s)",
                            worstAfterKill, worstAfterRestart, beforeFault)
                    .isLessThan(WORST_WAIT_BOUND.toMillis());
            for (ChildStreamer instance : instances) {
                assertThat(instance.isAlive())
                        .as("every instance rode the broker's loss out")
                        .isTrue();
            }
        }
    }

    /** The node that leads the most partitions of {@code topic}: killing it moves the most. */
    private static int busiestLeader(EmbeddedKafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = Admin.create(cluster.adminProperties())) {
            TopicDescription d = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic);
            Map<Integer, Integer> led = new LinkedHashMap<>();
            d.partitions().forEach(p -> led.merge(p.leader().id(), 1, Integer::sum));
            return led.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .orElseThrow()
                    .getKey();
        }
    }
}
