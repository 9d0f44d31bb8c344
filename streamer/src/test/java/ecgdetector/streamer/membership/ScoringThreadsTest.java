package ecgdetector.streamer.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringThreadsTest {

    /**
     * Kafka Streams as {@link ScoringThreads} sees it, never started (it needs no broker): running, no thread yet,
     * and an {@code addStreamThread} that waits until the test lets it go, noting whether it was interrupted.
     */
    private static final class SlowToAddStreams extends KafkaStreams {
        final CountDownLatch adding = new CountDownLatch(1);
        final CountDownLatch mayFinish = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicBoolean finished = new AtomicBoolean();

        SlowToAddStreams(Path stateDir) {
            super(topology(), config(stateDir));
        }

        private static org.apache.kafka.streams.Topology topology() {
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream("in").to("out");
            return builder.build();
        }

        private static Properties config(Path stateDir) {
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scoring-threads-test");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
            props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 0);
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
            props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
            return props;
        }

        @Override
        public State state() {
            return State.RUNNING;
        }

        @Override
        public Set<ThreadMetadata> metadataForLocalThreads() {
            return Set.of();
        }

        @Override
        public Optional<String> addStreamThread() {
            adding.countDown();
            try {
                mayFinish.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                return Optional.empty();
            }
            finished.set(true);
            return Optional.of("stream-thread-1");
        }
    }

    @Test
    void aShutdownLetsAThreadBeingAddedFinishInsteadOfInterruptingIt(@TempDir Path tmp) throws Exception {
        try (SlowToAddStreams streams = new SlowToAddStreams(tmp)) {
            ScoringThreads threads = new ScoringThreads(streams, 1, () -> true, () -> {});
            threads.streamsStarted();
            assertThat(streams.adding.await(30, TimeUnit.SECONDS))
                    .as("a thread is being added")
                    .isTrue();

            Thread closing = new Thread(threads::close, "closing");
            closing.start();
            // close() waits for the thread being added; let it finish only once close() has begun waiting.
            while (closing.getState() != Thread.State.TIMED_WAITING && closing.isAlive()) {
                Thread.onSpinWait();
            }
            streams.mayFinish.countDown();
            closing.join(TimeUnit.SECONDS.toMillis(30));

            assertThat(closing.isAlive()).as("close() returned").isFalse();
            assertThat(streams.interrupted)
                    .as("the thread being added was interrupted")
                    .isFalse();
            assertThat(streams.finished).isTrue();
            threads.ensure(); // after close: refused quietly, nothing added
        }
    }
}
