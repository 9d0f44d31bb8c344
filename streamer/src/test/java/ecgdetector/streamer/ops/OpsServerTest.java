package ecgdetector.streamer.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.schemas.RejectReason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
                new AtomicReference<>(new OpsServer.Health(true, false, "REBALANCING", true, null, 7));
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
                            "{\"status\":\"DOWN\",\"streams\":\"REBALANCING\",\"kafka\":\"reachable\",\"model\":null,\"bufferedWindows\":7}");

            health.set(new OpsServer.Health(true, true, "RUNNING", true, "v1", 0));
            HttpResponse<String> ready = get(base + "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"").contains("\"model\":\"v1\"");

            health.set(new OpsServer.Health(false, false, "ERROR", false, "v1", 0));
            assertThat(get(base + "/health/live").statusCode()).isEqualTo(503);
            assertThat(get(base + "/nothing").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
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
