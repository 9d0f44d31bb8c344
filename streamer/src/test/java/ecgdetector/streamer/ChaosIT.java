package ecgdetector.streamer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.alarm.AlarmRule;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.Alarm;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.testing.ChildStreamer;
import ecgdetector.streamer.testing.FakeModels;
import ecgdetector.streamer.testing.Outputs;
import ecgdetector.streamer.testing.RealRelease;
import ecgdetector.streamer.testing.ScoreWatch;
import ecgdetector.streamer.testing.SteadyFeed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several instances of one application, each a streamer JVM of its own, on six partitions fed at a fixed rate
 * from start to end, through every fault a scaled-out deployment meets: a third instance joins, one is SIGKILLed
 * (and restarted), one is frozen with SIGSTOP past its session timeout and resumed, all three are restarted in
 * turn (a rolling restart: SIGTERM, then started again under the same name), one leaves with SIGTERM, and the
 * broker restarts. After each SIGTERM the instance is out of the group at once, not at its session timeout. In the end every window has exactly one score and every expected alert and alarm transition appears once, by
 * id, read {@code read_committed}; and no window waited longer than a generous bound. The figures themselves are
 * logged per fault (they are the bench's to report: {@code ./ecg bench --phases failover}).
 *
 * <p>The broker is this test's own, so restarting it disturbs no other test.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ChaosIT {

    private static final Logger log = LoggerFactory.getLogger(ChaosIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 6;
    private static final double RATE = 60;
    /** Longer than the session timeout (6 s), so that the frozen instance is dropped and fenced. */
    private static final Duration FREEZE = Duration.ofSeconds(12);
    /** Generous: the figures themselves are the bench's; this only catches a failover that does not happen. */
    private static final Duration WORST_WAIT_BOUND = Duration.ofSeconds(60);

    private static final String APPLICATION = "chaos-streamer";
    private static final String DISCARDED = "Discarded the local state of tasks";

    @Test
    void instancesJoinDieFreezeRestartInTurnAndLeaveAndTheBrokerRestartsWhileEveryWindowIsScoredExactlyOnce(
            @TempDir Path dir) throws Exception {
        RealRelease.Fixture f = RealRelease.synthetic();
        TopicNames topics = TopicNames.defaults();
        Path logs = Path.of("target", "it-logs", "chaos-" + System.currentTimeMillis());
        Map<String, Long> worst = new LinkedHashMap<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDir(dir.resolve("kafka"))
                .build()
                .start()) {
            TopicSetup.createAll(broker, topics, PARTITIONS);
            new ReleaseTopic(broker.clientProperties(), topics.models()).publish(FakeModels.signed(f.release()));
            Instances instances = new Instances(broker, topics, dir, logs);
            try (instances;
                    ScoreWatch watch = new ScoreWatch(broker.bootstrapServers(), topics.scores());
                    SteadyFeed feed = new SteadyFeed(broker.clientProperties(), topics.heartbeats(), f, 24, RATE)) {
                Faults faults = new Faults(watch, feed, worst);
                ChildStreamer a = instances.start("a");
                ChildStreamer b = instances.start("b");
                a.awaitReady(TIMEOUT);
                b.awaitReady(TIMEOUT);
                faults.settle("two instances", 0);

                long at = System.currentTimeMillis();
                long firstFaultAt = at;
                ChildStreamer c = instances.start("c");
                c.awaitReady(TIMEOUT);
                awaitScoring(c);
                faults.settle("scale out: a third instance joins", at);

                at = System.currentTimeMillis();
                a.kill();
                faults.settle("SIGKILL of one instance", at);
                at = System.currentTimeMillis();
                a = instances.start("a");
                a.awaitReady(TIMEOUT);
                awaitScoring(a);
                faults.settle("the killed instance restarted", at);
                assertThat(a.output())
                        .as("after a crash the uncommitted local state is discarded")
                        .contains(DISCARDED);

                at = System.currentTimeMillis();
                b.freeze();
                Thread.sleep(FREEZE.toMillis()); // the fault itself lasts this long; nothing to wait for
                faults.settle("SIGSTOP of one instance past its session timeout", at);
                at = System.currentTimeMillis();
                b.thaw();
                awaitScoring(b);
                faults.settle("the frozen instance resumed", at);
                assertThat(b.isAlive()).as("the resumed instance runs on").isTrue();

                a = rollingRestart(instances, faults, a, "a");
                b = rollingRestart(instances, faults, b, "b");
                c = rollingRestart(instances, faults, c, "c");

                at = System.currentTimeMillis();
                terminateAndCheckItLeft(broker, c, "chaos-c");
                faults.settle("SIGTERM of one instance (scale in)", at);

                at = System.currentTimeMillis();
                broker.stop();
                broker.start();
                faults.settle("the broker restarted", at);

                feed.stop();
                watch.awaitScored(feed.windowIndex().keySet(), TIMEOUT);
                long allWindows = feed.windowIndex().size();
                log.info("Chaos: {} windows at {}/s; the longest wait per fault, ms: {}", allWindows, RATE, worst);
                Outputs.assertExactlyOnce(broker.bootstrapServers(), topics, feed.windowIndex(), f);
                List<Alarm> episodes = Outputs.assertAlarmsExactlyOnce(
                        broker.bootstrapServers(), topics, feed.windowIndex(), f, AlarmRule.DEFAULT);
                log.info("Chaos: {} episode transitions, each exactly once", episodes.size());
                // The cold start of the first two JVMs is logged, not bounded: on a loaded machine it alone can
                // pass the bound, which is about the faults.
                assertThat(watch.worstDelayMs(firstFaultAt - Faults.BEFORE_FAULT_MS, Long.MAX_VALUE))
                        .as("the longest any window sent from the first fault on waited, ms (per fault: %s)", worst)
                        .isLessThan(WORST_WAIT_BOUND.toMillis());
                for (ChildStreamer survivor : List.of(a, b)) {
                    assertThat(survivor.output()).doesNotContain("shutting down so that it restarts");
                }
            }
        }
    }

    /** One step of a rolling restart: the instance stopped with SIGTERM, started again under its name, scoring. */
    private static ChildStreamer rollingRestart(Instances instances, Faults faults, ChildStreamer instance, String name)
            throws Exception {
        long at = System.currentTimeMillis();
        terminateAndCheckItLeft(instances.broker(), instance, "chaos-" + name);
        ChildStreamer again = instances.start(name);
        again.awaitReady(TIMEOUT);
        awaitScoring(again);
        faults.settle("rolling restart: " + name + " stopped with SIGTERM and started again", at);
        assertThat(again.output())
                .as("after a clean stop the local state is kept, not restored from the changelogs")
                .doesNotContain(DISCARDED);
        return again;
    }

    /**
     * SIGTERM, then the group at once: a static member that did not leave would stay in it until its session
     * timeout (6 s) and its partitions unscored meanwhile, so the check right after the exit tells the two apart.
     */
    private static void terminateAndCheckItLeft(EmbeddedKafkaBroker broker, ChildStreamer instance, String member)
            throws Exception {
        assertThat(instance.terminate(TIMEOUT)).as("exit code after SIGTERM").isIn(0, 143);
        try (Admin admin = Admin.create(broker.adminProperties())) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(APPLICATION))
                    .describedGroups()
                    .get(APPLICATION)
                    .get();
            assertThat(group.members())
                    .as("the group's static members right after %s exited", member)
                    .extracting(m -> m.groupInstanceId().orElse(""))
                    .doesNotContain(member);
        }
    }

    /** Waits until {@code instance} scores some partitions: it has joined, and the group has settled around it. */
    private static void awaitScoring(ChildStreamer instance) {
        KafkaTestUtils.waitForCondition(
                () -> {
                    try {
                        return instance.activeTasks() > 0;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                },
                TIMEOUT,
                () -> "the instance never took a partition:\n" + instance.tail());
    }

    /** After each fault: every window sent so far readable, and the longest wait of those sent since the fault. */
    private record Faults(ScoreWatch watch, SteadyFeed feed, Map<String, Long> worst) {
        /** Windows produced this long before a fault may already be caught in it (an open transaction). */
        private static final long BEFORE_FAULT_MS = 2000;

        void settle(String fault, long faultAt) {
            watch.awaitScored(List.copyOf(feed.windowIndex().keySet()), TIMEOUT);
            worst.put(fault, watch.worstDelayMs(Math.max(0, faultAt - BEFORE_FAULT_MS), Long.MAX_VALUE));
            log.info("Chaos: {}: every window so far scored", fault);
        }
    }

    /** The instances of the application, each named, with a state folder of its own, in a JVM of its own. */
    private static final class Instances implements AutoCloseable {
        private final EmbeddedKafkaBroker broker;
        private final Map<String, String> settings;
        private final Path dir;
        private final Path logs;
        private final Map<String, ChildStreamer> started = new LinkedHashMap<>();
        private int starts;

        Instances(EmbeddedKafkaBroker broker, TopicNames topics, Path dir, Path logs) {
            this.broker = broker;
            this.settings = StreamerIT.settings(broker, topics, APPLICATION, dir.resolve("state"));
            settings.put("ecg.batch.size", "32");
            settings.put("ecg.batch.wait.ms", "50");
            this.dir = dir;
            this.logs = logs;
        }

        EmbeddedKafkaBroker broker() {
            return broker;
        }

        ChildStreamer start(String name) throws Exception {
            Map<String, String> own = new LinkedHashMap<>(settings);
            own.put("ecg.instance.name", "chaos-" + name);
            own.put("state.dir", dir.resolve("state-" + name).toString());
            ChildStreamer child = ChildStreamer.start(own, logs, name + "-" + ++starts);
            started.put(name + starts, child);
            return child;
        }

        @Override
        public void close() {
            started.values().forEach(ChildStreamer::close);
        }
    }
}
