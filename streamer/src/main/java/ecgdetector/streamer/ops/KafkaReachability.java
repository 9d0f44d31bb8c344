package ecgdetector.streamer.ops;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kafka cluster answers: a describe-cluster request every {@link #INTERVAL}, each allowed
 * {@link #INTERVAL} to be answered. Kafka Streams stays RUNNING while its brokers are gone (its threads just
 * retry), so without this {@code /health/ready} would say ready while nothing can be scored or committed.
 * Unreachable until the first answer; a transition either way is logged once.
 */
public final class KafkaReachability implements AutoCloseable {

    /** How often the cluster is asked, and how long an answer may take. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(KafkaReachability.class);

    private final Admin admin;
    private final String bootstrapServers;
    private final ScheduledExecutorService executor;
    private volatile boolean reachable;
    private volatile boolean everReached;

    private KafkaReachability(Admin admin, String bootstrapServers) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ecg-kafka-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts probing with an admin client of {@code adminConfig} (security settings included). */
    public static KafkaReachability start(Map<String, Object> adminConfig, String bootstrapServers) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) INTERVAL.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) INTERVAL.toMillis());
        KafkaReachability probe = new KafkaReachability(Admin.create(config), bootstrapServers);
        probe.executor.scheduleWithFixedDelay(probe::probe, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return probe;
    }

    /** Whether the latest probe was answered. */
    public boolean isReachable() {
        return reachable;
    }

    private void probe() {
        boolean answered;
        String problem = null;
        try {
            answered = !admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) INTERVAL.toMillis()))
                    .nodes()
                    .get(INTERVAL.toMillis() * 2, TimeUnit.MILLISECONDS)
                    .isEmpty();
        } catch (ExecutionException e) {
            answered = false;
            problem = String.valueOf(e.getCause());
        } catch (TimeoutException e) {
            answered = false;
            problem = "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            answered = false;
            problem = e.toString();
        }
        if (answered && !reachable) {
            log.info(
                    "Kafka at {} answers{}",
                    bootstrapServers,
                    everReached ? " again: ready as soon as Kafka Streams " + "runs" : "");
            everReached = true;
        } else if (!answered && reachable) {
            log.warn(
                    "Kafka at {} did not answer within {} ms ({}): not ready until it does; Kafka Streams retries "
                            + "and resumes from the last commit",
                    bootstrapServers,
                    INTERVAL.toMillis(),
                    problem);
        }
        reachable = answered;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(INTERVAL.toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(1));
    }
}
