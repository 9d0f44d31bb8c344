package ecgdetector.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.app.Main;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.ChildJvms;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Heartbeat;
import ecgdetector.schemas.HeartbeatJson;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.TopicNames;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.testing.TestReleases;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's) scraping a real {@code ./ecg stream} (a child JVM running the command line) on the
 * in-process broker, evaluating {@code deploy/prometheus/rules.yml}: the "scoring stopped" alert fires for a
 * streamer that is scraped but scores nothing while heartbeats arrive (no model yet), ends once it scores, and fires
 * again when the streamer is frozen with SIGSTOP. The rules run on a shorter time scale (every duration divided by
 * {@value #TIME_SCALE}, scrapes and evaluations every second), the same expressions; their real durations are
 * what {@code rules.test.yml} tests. Skipped where Prometheus is not installed.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PrometheusAlertIT {

    static final int TIME_SCALE = 12;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final String ALERT = "EcgScoringStopped";
    private static final String NOT_READY = "EcgNotReady";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void scoringStoppedFiresForAStreamerThatScoresNothingAndForOneFrozenWithSigstop(
            EmbeddedKafkaBroker broker, @TempDir Path tmp) throws Exception {
        PrometheusTools.assumeInstalled();
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("prom") + ".");
        TopicSetup.createAll(broker, topics, 2);
        TrainingResult trained = TestReleases.synthetic();
        int streamerPort = freePort();
        AtomicBoolean feeding = new AtomicBoolean(true);
        Process streamer = startStreamer(broker, topics, streamerPort, tmp);
        Process prometheus = null;
        Thread monitors = feed(broker, topics, trained, feeding);
        try {
            int prometheusPort = freePort();
            prometheus = startPrometheus(tmp, streamerPort, prometheusPort);
            String api = "http://127.0.0.1:" + prometheusPort;
            awaitTrue(api, "up{job=\"ecg-streamer\"} == 1", "Prometheus scraping the streamer", streamer);

            // Scraped, heartbeats arriving, no model published yet: nothing is scored. The instance holds no
            // partition without a model (no stream thread: another instance could score them), so it consumes
            // nothing and says so by its readiness, which pages as EcgNotReady.
            awaitFiring(api, NOT_READY, true, streamer);
            assertThat(query(api, "up{job=\"ecg-streamer\"} == 1"))
                    .as("the streamer is still scraped")
                    .isTrue();

            new ReleaseTopic(broker.clientProperties(), topics.models())
                    .publish(ReleaseRecord.signed(
                            trained.release(), TestKeys.trainer().key()));
            awaitTrue(api, "ecg:windows_scored:rate1m > 0", "the streamer scoring", streamer);
            awaitFiring(api, ALERT, false, streamer);

            signal("STOP", streamer);
            awaitFiring(api, ALERT, true, streamer);
            assertThat(query(api, "up{job=\"ecg-streamer\"} == 0"))
                    .as("its scrapes fail")
                    .isTrue();

            signal("CONT", streamer);
            awaitFiring(api, ALERT, false, streamer);
        } finally {
            feeding.set(false);
            monitors.join(10_000);
            if (streamer.isAlive()) {
                signal("CONT", streamer);
                streamer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** {@code ./ecg stream} in a JVM of its own: the command line's main class on this test's class path. */
    private static Process startStreamer(EmbeddedKafkaBroker broker, TopicNames topics, int port, Path tmp)
            throws IOException {
        return ChildJvms.java(
                        List.of("-Xmx512m", "-Dai.djl.offline=true"),
                        Main.class.getName(),
                        List.of(
                                "stream",
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--application-id",
                                topics.heartbeats() + ".streamer",
                                "--state-dir",
                                tmp.resolve("state").toString(),
                                "--input-topic",
                                topics.heartbeats(),
                                "--dlq-topic",
                                topics.heartbeatsDlq(),
                                "--alerts-topic",
                                topics.alerts(),
                                "--scores-topic",
                                topics.scores(),
                                "--alarms-topic",
                                topics.alarms(),
                                "--models-topic",
                                topics.models(),
                                "--http-host",
                                "127.0.0.1",
                                "--port",
                                String.valueOf(port),
                                "--release-public-key",
                                TestKeys.trainer().publicKey().toString()))
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("streamer.log").toFile())
                .start();
    }

    /** Prometheus scraping the streamer every second, with the project's rules on a {@value #TIME_SCALE}x scale. */
    private static Process startPrometheus(Path tmp, int streamerPort, int port) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("prometheus"));
        String rules = Files.readString(OpsKitTest.PROMETHEUS_DIR.resolve("rules.yml"));
        Files.writeString(dir.resolve("rules.yml"), scaled(rules));
        Files.writeString(
                dir.resolve("prometheus.yml"),
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  scrape_timeout: 900ms",
                        "  evaluation_interval: 1s",
                        "rule_files:",
                        "  - rules.yml",
                        "scrape_configs:",
                        "  - job_name: ecg-streamer",
                        "    metrics_path: /metrics",
                        "    static_configs:",
                        "      - targets: [\"127.0.0.1:" + streamerPort + "\"]",
                        ""));
        return new ProcessBuilder(
                        PrometheusTools.PROMETHEUS.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("prometheus.log").toFile())
                .start();
    }

    /** Every duration of the rules (range selectors and {@code for}) divided by {@value #TIME_SCALE}, in seconds. */
    static String scaled(String rules) {
        Matcher m = Pattern.compile("(\\[|for: )(\\d+)m(\\]|\\s)").matcher(rules);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            long seconds = Long.parseLong(m.group(2)) * 60 / TIME_SCALE;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + seconds + "s" + m.group(3)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Monitors sending beats until told to stop, ten a second. */
    private static Thread feed(
            EmbeddedKafkaBroker broker, TopicNames topics, TrainingResult trained, AtomicBoolean feeding) {
        Properties props = new Properties();
        props.putAll(broker.clientProperties());
        Thread t = new Thread(
                () -> {
                    try (KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                        for (int i = 0; feeding.get(); i++) {
                            String patient = "bed-" + (i % 4);
                            byte[] value = HeartbeatJson.write(new Heartbeat(
                                    patient,
                                    null,
                                    null,
                                    trained.test().beats()[i % trained.test().size()],
                                    null));
                            producer.send(new ProducerRecord<>(topics.heartbeats(), patient, value));
                            // Paces the monitors; nothing waits on it.
                            Thread.sleep(100);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "test-monitors");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void awaitFiring(String api, String alertName, boolean firing, Process streamer) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (firing(api, alertName) == firing) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(alertName + (firing ? " did not fire" : " did not end") + " within " + TIMEOUT
                + "; alerts: " + get(api + "/api/v1/alerts") + "; " + diagnosis(api) + alive(streamer));
    }

    private void awaitTrue(String api, String promql, String what, Process streamer) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (query(api, promql)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no " + what + " within " + TIMEOUT + " (" + promql + ")" + alive(streamer));
    }

    private boolean firing(String api, String alertName) throws Exception {
        for (JsonNode alert :
                Json.mapper().readTree(get(api + "/api/v1/alerts")).path("data").path("alerts")) {
            if (alertName.equals(alert.path("labels").path("alertname").asText())
                    && "firing".equals(alert.path("state").asText())) {
                return true;
            }
        }
        return false;
    }

    /** Whether an instant query returns any series. */
    private boolean query(String api, String promql) throws Exception {
        String body = get(api + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return Json.mapper().readTree(body).path("data").path("result").size() > 0;
    }

    /**
     * The body of a Prometheus API answer, or an empty object while Prometheus is not up yet: it refuses
     * connections at first and then answers "Service Unavailable" in plain text until its storage and rule manager
     * are ready. Any other refusal (a query it cannot parse) fails the test with Prometheus's reason.
     */
    private String get(String url) throws Exception {
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return "{}";
        }
        if (response.statusCode() == 503) {
            return "{}";
        }
        if (response.statusCode() != 200) {
            throw new AssertionError(
                    "Prometheus answered " + response.statusCode() + " to " + url + ": " + response.body());
        }
        return response.body();
    }

    /** What the rule's parts say now, for a failure message. */
    private String diagnosis(String api) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String q : List.of(
                "up",
                "ecg:windows_scored:rate1m",
                "ecg:heartbeats_consumed:rate1m",
                "ecg_windows_buffered",
                "max_over_time(ecg:windows_scored:rate1m[50s])")) {
            out.append(q)
                    .append(" = ")
                    .append(Json.mapper()
                            .readTree(get(api + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)))
                            .path("data")
                            .path("result"))
                    .append("; ");
        }
        return out.toString();
    }

    private static String alive(Process streamer) {
        return streamer.isAlive() ? "" : "; the streamer exited with " + streamer.exitValue();
    }

    private static void signal(String signal, Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
        assertThat(kill.waitFor()).as("kill -%s", signal).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
