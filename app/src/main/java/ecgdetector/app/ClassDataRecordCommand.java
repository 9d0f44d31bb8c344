package ecgdetector.app;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.model.inference.TensorFlowRuntime;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import ecgdetector.trainer.release.ReleaseFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;

/**
 * {@code ./ecg record-class-data} (hidden; the launcher runs it): the start path of {@code ./ecg stream} and
 * {@code ./ecg broker}, once, then a clean exit, so that a JVM started with {@code -XX:ArchiveClassesAtExit}
 * writes an application class-data archive of the classes they load (docs/reliability.md, "A restart alone").
 *
 * <p>Needs neither a broker nor the data set: it starts the in-process broker on free ports in a temporary
 * folder, creates the project's topics, starts the streamer against it (no release: the release trust, the
 * topic checks, Kafka Streams with its global thread, the metrics and the ops server) and TensorFlow's engine,
 * then closes both. The classes of scoring itself (stream threads, stores, a model) are not recorded: without
 * a release there is none, and training one would cost more than it saves.
 */
@Command(
        name = "record-class-data",
        hidden = true,
        description = "Runs the streamer's and the broker's start path once and exits (the launcher's class data).")
final class ClassDataRecordCommand implements Callable<Integer> {

    private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(120);

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("ecg-class-data-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDir(dir.resolve("broker"))
                .build()
                .start()) {
            TopicSetup.createAll(broker, TopicNames.defaults());
            StreamerConfig config = StreamerConfig.load(
                    Map.of(
                            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            StreamsConfig.APPLICATION_ID_CONFIG,
                            "ecg-class-data-recording",
                            StreamsConfig.STATE_DIR_CONFIG,
                            dir.resolve("state").toString(),
                            Setting.HTTP_HOST.key(),
                            EmbeddedKafkaBroker.HOST,
                            Setting.HTTP_PORT.key(),
                            "0",
                            Setting.RELEASE_ALLOW_UNSIGNED.key(),
                            "true"),
                    Map.of(),
                    Map.of());
            try (StreamerApp streamer = StreamerApp.start(config)) {
                awaitRunning(streamer);
                TensorFlowRuntime.engine();
            }
        } finally {
            ReleaseFolder.deleteRecursively(dir);
        }
        return 0;
    }

    private static void awaitRunning(StreamerApp streamer) throws InterruptedException {
        long deadline = System.nanoTime() + RUNNING_TIMEOUT.toNanos();
        while (streamer.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streamer.state().hasCompletedShutdown()) {
                throw new IllegalStateException("the streamer did not reach RUNNING: " + streamer.state());
            }
            Thread.sleep(50);
        }
    }
}
