package ecgdetector.streamer.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Heartbeat windows at a fixed rate, on a thread of its own, for as long as a test runs its faults: the fixture's
 * lines in turn, keyed over a number of patients (so they spread over the partitions and keep their order per
 * patient), each acknowledged window recorded by its id with the line it carries.
 */
public final class SteadyFeed implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final RealRelease.Fixture fixture;
    private final int patients;
    private final long periodNanos;
    private final Map<String, Integer> windowIndex = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    public SteadyFeed(Properties client, String topic, RealRelease.Fixture fixture, int patients, double perSecond) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
        this.fixture = fixture;
        this.patients = patients;
        this.periodNanos = (long) (1e9 / perSecond);
        this.thread = new Thread(this::run, "steady-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = System.nanoTime();
        for (int n = 0; running; n++) {
            int line = n % fixture.size();
            try {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                ("patient-" + n % patients).getBytes(StandardCharsets.UTF_8),
                                fixture.lines().get(line).getBytes(StandardCharsets.UTF_8)),
                        (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                windowIndex.put(Outputs.windowId(m), line);
                            }
                        });
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                return;
            }
            sent.incrementAndGet();
            // Record n is due at start + n periods: a late wake-up is made up by the next records.
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Every window acknowledged so far, by id, with the fixture line it carries (a live view). */
    public Map<String, Integer> windowIndex() {
        checkHealthy();
        return windowIndex;
    }

    /** Waits until at least {@code windows} windows are acknowledged. */
    public void awaitAcknowledged(int windows, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (windowIndex().size() < windows) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(windowIndex.size() + " of " + windows + " windows acknowledged in " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** Stops sending and waits until every window sent is acknowledged. */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
        producer.flush();
        checkHealthy();
        if (windowIndex.size() != sent.get()) {
            throw new AssertionError(sent.get() + " windows sent, " + windowIndex.size() + " acknowledged");
        }
    }

    public void checkHealthy() {
        Exception e = failure.get();
        if (e != null) {
            throw new AssertionError("sending a window failed: " + e, e);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        producer.close();
    }
}
