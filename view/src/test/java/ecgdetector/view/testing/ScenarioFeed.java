package ecgdetector.view.testing;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Heartbeat;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.TopicNames;
import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.testing.TestReleases;
import ecgdetector.view.feed.FeedTopics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A ward on the in-process broker, as a browser test needs it: fresh topics, a real release (trained by the trainer
 * on ECG5000 where it is here, else on generated beats) published, the real streamer scoring in this JVM, and monitors that keep sending beats the
 * release finds normal, a patient at a time, until closed; {@link #episode} sends a run of beats it finds
 * abnormal.
 */
public final class ScenarioFeed implements AutoCloseable {

    private final TopicNames topics;
    private final Properties client;
    private final StreamerApp streamer;
    private final KafkaProducer<String, byte[]> producer;
    private final List<float[]> normal = new ArrayList<>();
    private final List<float[]> abnormal = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean feeding = true;
    private Thread monitors;

    private ScenarioFeed(TopicNames topics, Properties client, StreamerApp streamer, TrainingResult trained) {
        this.topics = topics;
        this.client = client;
        this.streamer = streamer;
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        double threshold = trained.release().manifest().threshold();
        for (int i = 0; i < trained.test().size(); i++) {
            float score = trained.testScores()[i];
            if (score < 0.8 * threshold) {
                normal.add(trained.test().beats()[i]);
            } else if (score > 2.5 * threshold) {
                abnormal.add(trained.test().beats()[i]);
            }
        }
        if (normal.isEmpty() || abnormal.isEmpty()) {
            throw new IllegalStateException("the test release leaves no clearly normal or clearly abnormal beat");
        }
    }

    /** Fresh topics on {@code broker}, the release published, the streamer started and ready. */
    public static ScenarioFeed start(EmbeddedKafkaBroker broker, Path state) throws Exception {
        String prefix = KafkaTestUtils.uniqueTopic("view") + ".";
        TopicNames topics = TopicNames.defaults().withPrefix(prefix);
        TopicSetup.createAll(broker, topics, 2);
        TrainingResult trained = release(state.resolveSibling("release"));
        new ReleaseTopic(broker.clientProperties(), topics.models())
                .publish(ReleaseRecord.signed(
                        trained.release(), TestKeys.trainer().key()));
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", broker.bootstrapServers());
        settings.put("application.id", prefix + "streamer");
        settings.put("state.dir", state.toString());
        settings.put("ecg.topic.heartbeats", topics.heartbeats());
        settings.put("ecg.topic.dlq", topics.heartbeatsDlq());
        settings.put("ecg.topic.alerts", topics.alerts());
        settings.put("ecg.topic.scores", topics.scores());
        settings.put("ecg.topic.models", topics.models());
        settings.put("ecg.topic.alarms", topics.alarms());
        settings.put("ecg.http.host", "127.0.0.1");
        settings.put("ecg.http.port", "-1");
        settings.put(
                StreamerConfig.Setting.RELEASE_PUBLIC_KEYS.key(),
                TestKeys.trainer().publicKey().toString());
        StreamerApp streamer = StreamerApp.start(StreamerConfig.fromMap(settings));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!streamer.isReady()) {
            if (System.nanoTime() > deadline) {
                streamer.close();
                throw new IllegalStateException("the streamer was not ready within 120 s: " + streamer.health());
            }
            Thread.sleep(100);
        }
        return new ScenarioFeed(topics, broker.clientProperties(), streamer, trained);
    }

    /**
     * ECG5000's own beats where the data set is here (they make the screenshots), with the notebook recipe (20
     * epochs, seconds); generated beats elsewhere.
     */
    private static TrainingResult release(Path out) throws Exception {
        Optional<Path> data = TestReleases.fullData();
        if (data.isEmpty()) {
            return TestReleases.synthetic();
        }
        return new TrainingJob(new PrintStream(PrintStream.nullOutputStream()), EpochListener.SILENT)
                .run(TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), out), EcgCsv.read(data.get()));
    }

    /** The topics the view is to read. */
    public FeedTopics viewTopics() {
        return new FeedTopics(topics.scores(), topics.alerts(), topics.alarms(), topics.heartbeats(), topics.models());
    }

    public TopicNames topics() {
        return topics;
    }

    public Properties client() {
        return client;
    }

    /** Monitors for {@code patients}, sending normal beats in turn at {@code perSecond} in all, until closed. */
    public void monitor(List<String> patients, double perSecond) {
        monitors = new Thread(
                () -> {
                    long period = (long) (1_000_000_000 / perSecond);
                    long next = System.nanoTime();
                    for (int i = 0; feeding; i++) {
                        send(patients.get(i % patients.size()), normal.get(i % normal.size()));
                        next += period;
                        // Paces the monitors; nothing waits on it.
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            try {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                },
                "test-monitors");
        monitors.setDaemon(true);
        monitors.start();
    }

    /** A run of {@code beats} beats the release finds clearly abnormal, for one patient, at once. */
    public void episode(String patient, int beats) {
        for (int i = 0; i < beats; i++) {
            send(patient, abnormal.get(i % abnormal.size()));
        }
        producer.flush();
    }

    /** One beat the release finds normal, for one patient. */
    public void normalBeat(String patient) {
        send(patient, normal.get(0));
        producer.flush();
    }

    public long sent() {
        return sent.get();
    }

    private synchronized void send(String patient, float[] samples) {
        byte[] value = HeartbeatJson.write(
                new Heartbeat(patient, "b" + sent.incrementAndGet(), System.currentTimeMillis(), samples, null));
        producer.send(new ProducerRecord<>(topics.heartbeats(), patient, value));
    }

    @Override
    public void close() throws InterruptedException {
        feeding = false;
        if (monitors != null) {
            monitors.interrupt();
            monitors.join(5_000);
        }
        producer.close(Duration.ofSeconds(5));
        streamer.close();
    }
}
