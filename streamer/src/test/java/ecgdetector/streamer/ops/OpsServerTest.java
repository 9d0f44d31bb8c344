package ecgdetector.streamer.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ecgdetector.schemas.RejectReason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesPrometheusMetricsAndHealth() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamerMetrics metrics = new StreamerMetrics(prometheus);
        metrics.deadLetter(RejectReason.WRONG_LENGTH);
        metrics.batchScored(32, 1_000_000);
        AtomicReference<OpsServer.Health> health =
                new AtomicReference<>(new OpsServer.Health(true, false, "REBALANCING", true, null, 7, 0));
        try (OpsServer server = OpsServer.start("127.0.0.1", 0, prometheus, health::get)) {
            String base = "http://127.0.0.1:" + server.port();

            HttpResponse<String> m = get(base + "/metrics");
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(m.body())
                    .contains("ecg_dead_letters_total{reason=\"wrong_length\"} 1.0")
                    .contains("ecg_dead_letters_total{reason=\"non_finite\"} 0.0")
                    .contains("ecg_windows_scored_total 32.0")
                    .contains("ecg_batch_size_bucket{le=\"32.0\"} 1")
                    .contains("ecg_inference_seconds_count 1")
                    .contains("ecg_windows_buffered")
                    .contains("ecg_alert_latency_seconds");

            assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(base + "/health/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body())
                    .isEqualTo(
                            "{\"status\":\"DOWN\",\"streams\":\"REBALANCING\",\"kafka\":\"reachable\",\"model\":null,\"bufferedWindows\":7,\"streamThreads\":0,\"problems\":[]}");

            health.set(new OpsServer.Health(true, true, "RUNNING", true, "v1", 0, 1));
            HttpResponse<String> ready = get(base + "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"").contains("\"model\":\"v1\"");

            health.set(new OpsServer.Health(
                    false, false, "ERROR", false, "v1", 0, 1, List.of("a \"quoted\" reason\nover two lines")));
            HttpResponse<String> dead = get(base + "/health/live");
            assertThat(dead.statusCode()).isEqualTo(503);
            assertThat(dead.body()).endsWith(",\"problems\":[\"a \\\"quoted\\\" reason\\nover two lines\"]}");
            HttpResponse<Void> head = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(503);
            assertThat(get(base + "/nothing").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    /**
     * A probe is answered within a second while clients that sent half a request wait, more of them than the
     * server has threads, and another client scrapes the metrics as fast as it can.
     */
    @Test
    void healthIsAnsweredWhileIdleClientsHoldHalfRequestsAndMetricsAreScrapedHard() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new StreamerMetrics(prometheus);
        OpsServer.Health up = new OpsServer.Health(true, true, "RUNNING", true, "v1", 0, 1);
        List<Socket> idle = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger scrapes = new AtomicInteger();
        try (OpsServer server = OpsServer.start("127.0.0.1", 0, prometheus, () -> up)) {
            for (int i = 0; i < 4 * OpsServer.MAX_THREADS; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                idle.add(s);
                if (i % 2 == 0) {
                    // Half a request: the line and a header, never the blank line that ends it.
                    s.getOutputStream()
                            .write("GET /health/live HTTP/1.1\r\nHost: probe\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
            }
            Thread scraper = new Thread(() -> {
                HttpClient own = HttpClient.newHttpClient();
                while (!stop.get()) {
                    try {
                        own.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                        scrapes.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            scraper.start();
            HttpClient probe = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(1))
                    .build();
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> live = probe.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                                .timeout(Duration.ofSeconds(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).isEqualTo(200);
            }
            stop.set(true);
            scraper.join();
            assertThat(scrapes.get()).as("the scraper got answers too").isPositive();
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void aClientThatStopsHalfWayThroughItsRequestIsDisconnected() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OpsServer.Health up = new OpsServer.Health(true, true, "RUNNING", true, "v1", 0, 1);
        try (OpsServer server = OpsServer.start("127.0.0.1", 0, prometheus, () -> up);
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("GET /health/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout((int) OpsServer.IDLE_TIMEOUT.multipliedBy(4).toMillis());
            // The server closes the connection (read gives -1, perhaps after an error answer) instead of waiting.
            byte[] answer = s.getInputStream().readAllBytes();
            assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotContain("200 OK");
        }
    }

    @Test
    void theHealthBodyIsJsonWhateverTheVersionHolds() throws Exception {
        String version = "v\"1\\\n\u2028}";
        AtomicReference<OpsServer.Health> health =
                new AtomicReference<>(new OpsServer.Health(true, true, "RUNNING", true, version, 0, 1));
        try (OpsServer server =
                OpsServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), health::get)) {
            HttpResponse<String> ready = get("http://127.0.0.1:" + server.port() + "/health/ready");

            JsonNode body = new ObjectMapper().readTree(ready.body());
            assertThat(body.path("model").asText()).isEqualTo(version);
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(ready.body()).doesNotContain("\n");
        }
    }

    @Test
    void modelInfoNamesTheServingVersionOnly() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamerMetrics metrics = new StreamerMetrics(prometheus);
        metrics.modelServing(
                ecgdetector.streamer.testing.FakeModels.release("v1", 1.0).manifest(), 1);
        metrics.modelServing(
                ecgdetector.streamer.testing.FakeModels.release("v2", 1.0).manifest(), 1);
        String text = prometheus.scrape();
        assertThat(text)
                .contains("ecg_model_info{name=\"ecg-autoencoder\",version=\"v2\"} 1")
                .doesNotContain("version=\"v1\"")
                .contains("ecg_model_loaded 1.0")
                .contains("ecg_model_releases_total{outcome=\"accepted\"} 2.0");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
