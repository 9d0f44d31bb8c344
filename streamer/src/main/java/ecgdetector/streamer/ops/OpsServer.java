package ecgdetector.streamer.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints, on the JDK's own HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format (OpenMetrics if the scraper asks for it);</li>
 *   <li>{@code GET /health/live}: 200 while the process can make progress, 503 once Kafka Streams failed
 *       for good (restart it);</li>
 *   <li>{@code GET /health/ready}: 200 when Kafka Streams is RUNNING, Kafka answers and a model is loaded,
 *       else 503.</li>
 * </ul>
 * Health bodies are small JSON objects saying why.
 */
public final class OpsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** What the health endpoints report. */
    public record Health(
            boolean live,
            boolean ready,
            String streamsState,
            boolean kafkaReachable,
            String modelVersion,
            long bufferedWindows) {
        String toJson(boolean up) {
            return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"streams\":\"" + streamsState + "\",\"kafka\":\""
                    + (kafkaReachable ? "reachable" : "unreachable") + "\",\"model\":"
                    + (modelVersion == null ? "null" : "\"" + modelVersion.replace("\"", "\\\"") + "\"")
                    + ",\"bufferedWindows\":" + bufferedWindows + "}";
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private OpsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving on {@code host:port} (port 0 picks a free one). */
    public static OpsServer start(String host, int port, PrometheusMeterRegistry metrics, Supplier<Health> health)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext(
                "/metrics",
                exchange -> handle(exchange, () -> {
                    String accept = exchange.getRequestHeaders().getFirst("Accept");
                    String type = accept != null && accept.contains("application/openmetrics-text")
                            ? OPENMETRICS
                            : PROMETHEUS_TEXT;
                    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                    metrics.scrape(body, type);
                    send(exchange, 200, type, body.toByteArray());
                }));
        server.createContext(
                "/health/live",
                exchange -> handle(exchange, () -> {
                    Health h = health.get();
                    send(
                            exchange,
                            h.live() ? 200 : 503,
                            "application/json",
                            h.toJson(h.live()).getBytes(StandardCharsets.UTF_8));
                }));
        server.createContext(
                "/health/ready",
                exchange -> handle(exchange, () -> {
                    Health h = health.get();
                    send(
                            exchange,
                            h.ready() ? 200 : 503,
                            "application/json",
                            h.toJson(h.ready()).getBytes(StandardCharsets.UTF_8));
                }));
        server.createContext(
                "/",
                exchange -> handle(
                        exchange,
                        () -> send(
                                exchange,
                                404,
                                "text/plain",
                                "not found: try /metrics, /health/live or /health/ready\n"
                                        .getBytes(StandardCharsets.UTF_8))));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ecg-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        OpsServer ops = new OpsServer(server, executor);
        log.info("Serving /metrics, /health/live and /health/ready on http://{}:{}", host, ops.port());
        return ops;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private interface Handler {
        void run() throws IOException;
    }

    private static void handle(HttpExchange exchange, Handler handler) {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            handler.run();
        } catch (IOException | RuntimeException e) {
            log.debug("Ops request {} failed", exchange.getRequestURI(), e);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
