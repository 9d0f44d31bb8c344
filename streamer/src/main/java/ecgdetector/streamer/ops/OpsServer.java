package ecgdetector.streamer.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints, on Jetty's core HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format (OpenMetrics if the scraper asks for it);</li>
 *   <li>{@code GET /health/live}: 200 while the process can make progress, 503 once it cannot (Kafka Streams
 *       failed for good, a stream thread replaced again and again for the same failure): restart it;</li>
 *   <li>{@code GET /health/ready}: 200 while windows are being scored, else 503 with the reasons.</li>
 * </ul>
 * Health bodies are small JSON objects saying why.
 *
 * <p>A probe must be answered however the other clients behave. Jetty reads requests without blocking, so a
 * client that sends half a request and waits holds no thread (the JDK's HttpServer parks one on it, and with a
 * single thread that stopped every probe); it is dropped after {@link #IDLE_TIMEOUT}, which also bounds a client
 * that reads its answer slowly. At most {@link #MAX_THREADS} threads serve requests, so a flood of scrapes cannot
 * take the streamer's CPU; answering health takes no lock and no I/O.
 */
public final class OpsServer implements AutoCloseable {

    /** A connection with nothing read or written for this long is closed: half-sent requests, stalled readers. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    /** Threads of the server, its acceptor and selector included. */
    static final int MAX_THREADS = 6;

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String JSON = "application/json";
    private static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

    /**
     * What the health endpoints report.
     *
     * @param streamThreads the stream threads running (none until a valid model serves)
     * @param problems      why the streamer is not ready or not live, one sentence each; empty when it is both
     */
    public record Health(
            boolean live,
            boolean ready,
            String streamsState,
            boolean kafkaReachable,
            String modelVersion,
            long bufferedWindows,
            int streamThreads,
            List<String> problems) {

        public Health {
            problems = List.copyOf(problems);
        }

        /** A health with no problem listed. */
        public Health(
                boolean live,
                boolean ready,
                String streamsState,
                boolean kafkaReachable,
                String modelVersion,
                long bufferedWindows,
                int streamThreads) {
            this(live, ready, streamsState, kafkaReachable, modelVersion, bufferedWindows, streamThreads, List.of());
        }

        /** The body of a health answer: written by Jackson, so no value can break out of its string. */
        byte[] toJson(boolean up) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            body.put("streams", streamsState);
            body.put("kafka", kafkaReachable ? "reachable" : "unreachable");
            body.put("model", modelVersion);
            body.put("bufferedWindows", bufferedWindows);
            body.put("streamThreads", streamThreads);
            body.put("problems", problems);
            try {
                return HEALTH_WRITER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a map of strings, numbers and a list of strings is always JSON", e);
            }
        }
    }

    /** Keeps a null model version as {@code null}: the JSON says no model serves. */
    private static final ObjectWriter HEALTH_WRITER = new ObjectMapper().writer();

    private final Server server;
    private final ServerConnector connector;

    private OpsServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts serving on {@code host:port} (port 0 picks a free one).
     *
     * @throws IOException if the address cannot be bound
     */
    public static OpsServer start(String host, int port, PrometheusMeterRegistry metrics, Supplier<Health> health)
            throws IOException {
        QueuedThreadPool threads =
                new QueuedThreadPool(MAX_THREADS, 2, (int) Duration.ofMinutes(1).toMillis());
        threads.setName("ecg-ops-http");
        threads.setDaemon(true);
        // No threads held back for Jetty's own use: the pool is small and every request is short.
        threads.setReservedThreads(0);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(new Routes(metrics, health));
        server.setStopTimeout(1_000);
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            if (e.getCause() instanceof BindException bind) {
                throw bind;
            }
            throw new IOException("cannot start the ops server on " + host + ":" + port + ": " + e, e);
        }
        OpsServer ops = new OpsServer(server, connector);
        log.info("Serving /metrics, /health/live and /health/ready on http://{}:{}", host, ops.port());
        return ops;
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.debug("Stopping the ops server failed", e);
        }
    }

    /** The three endpoints; each answer is computed in memory and written in one go. */
    private static final class Routes extends Handler.Abstract {
        private final PrometheusMeterRegistry metrics;
        private final Supplier<Health> health;

        Routes(PrometheusMeterRegistry metrics, Supplier<Health> health) {
            this.metrics = metrics;
            this.health = health;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String method = request.getMethod();
            boolean head = HttpMethod.HEAD.is(method);
            if (!HttpMethod.GET.is(method) && !head) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                send(response, callback, 405, "text/plain", "method not allowed\n", false);
                return true;
            }
            String path = Request.getPathInContext(request);
            switch (path) {
                case "/metrics" -> {
                    String accept = request.getHeaders().get(HttpHeader.ACCEPT);
                    String type = accept != null && accept.contains("application/openmetrics-text")
                            ? OPENMETRICS
                            : PROMETHEUS_TEXT;
                    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                    try {
                        metrics.scrape(body, type);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    send(response, callback, 200, type, body.toByteArray(), head);
                }
                case "/health/live" -> {
                    Health h = health.get();
                    send(response, callback, h.live() ? 200 : 503, JSON, h.toJson(h.live()), head);
                }
                case "/health/ready" -> {
                    Health h = health.get();
                    send(response, callback, h.ready() ? 200 : 503, JSON, h.toJson(h.ready()), head);
                }
                default ->
                    send(
                            response,
                            callback,
                            404,
                            "text/plain",
                            "not found: try /metrics, /health/live or /health/ready\n",
                            head);
            }
            return true;
        }

        private static void send(
                Response response, Callback callback, int status, String type, String body, boolean head) {
            send(response, callback, status, type, body.getBytes(StandardCharsets.UTF_8), head);
        }

        private static void send(
                Response response, Callback callback, int status, String type, byte[] body, boolean head) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        }
    }
}
