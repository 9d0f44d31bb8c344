package ecgdetector.view.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The view's web server (Javalin on Jetty): the ward page, a patient's page, their scripts and uPlot from its
 * WebJar (nothing from elsewhere, so it works offline), the same data as JSON, the live updates as Server-Sent
 * Events, {@code /metrics} for Prometheus and {@code /health}. Every response forbids scripts from anywhere but
 * this server and inline ones (Content-Security-Policy), on top of the pages writing values from the wire as text
 * only: a patient id holding markup stays text.
 */
public final class WardServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WardServer.class);
    private static final String ASSETS = "ecgdetector/view/web/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/%s/dist/%s";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final long KEEP_ALIVE_MS = 15_000;

    /** The files the pages are made of: name under /assets/ -> content type. */
    private static final Map<String, String> PAGE_ASSETS = Map.of(
            "ward.js", "text/javascript",
            "patient.js", "text/javascript",
            "charts.js", "text/javascript",
            "view.css", "text/css");

    private final WebSettings settings;
    private final Broadcaster broadcaster;
    private final PrometheusMeterRegistry metrics;
    private final BasicAuth auth;
    private final String uplotVersion;
    private final AtomicInteger streams = new AtomicInteger();
    private Javalin app;

    private WardServer(WebSettings settings, Broadcaster broadcaster, PrometheusMeterRegistry metrics, BasicAuth auth)
            throws IOException {
        this.settings = settings;
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.auth = auth;
        this.uplotVersion = uplotVersion();
    }

    public static WardServer start(WebSettings settings, Broadcaster broadcaster, PrometheusMeterRegistry metrics)
            throws IOException {
        BasicAuth auth = settings.users().isPresent()
                ? BasicAuth.fromFile(settings.users().get())
                : null;
        warnAboutExposure(settings, auth != null);
        WardServer server = new WardServer(settings, broadcaster, metrics, auth);
        server.app = Javalin.create(server::configure).start();
        return server;
    }

    private void configure(io.javalin.config.JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        connector(config.jetty, settings);
        config.routes.before(this::guard);
        config.routes.before("/api/ward/events", this::admitStream);
        config.routes.before("/api/patient/events", this::admitStream);
        config.routes.get("/", ctx -> page(ctx, "ward.html"));
        config.routes.get("/patient", ctx -> page(ctx, "patient.html"));
        config.routes.get("/assets/{name}", WardServer::asset);
        config.routes.get("/assets/uplot/{name}", this::uplot);
        config.routes.get("/api/ward", ctx -> json(ctx, broadcaster.ward()));
        config.routes.get("/api/patient", this::patient);
        config.routes.sse("/api/ward/events", client -> stream(client, broadcaster.watchWard()));
        config.routes.sse(
                "/api/patient/events", client -> stream(client, broadcaster.watchPatient(patientKey(client.ctx()))));
        config.routes.get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape()));
        config.routes.get("/health", ctx -> ctx.result("ok"));
    }

    public int port() {
        return app.port();
    }

    /** The address to open in a browser. */
    public String url() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        }
        return (settings.tls() ? "https" : "http") + "://" + host + ":" + port() + "/";
    }

    /** Serves one browser's event stream on this request's thread, until the browser goes. */
    private void stream(SseClient client, ClientChannel channel) {
        streams.incrementAndGet();
        try {
            channel.serve(new ClientChannel.Sink() {
                @Override
                public void send(Frame frame) {
                    client.sendEvent(frame.event(), frame.data());
                }

                @Override
                public void keepAlive() {
                    client.sendComment("keep-alive");
                }

                @Override
                public boolean isOpen() {
                    return !client.terminated();
                }
            });
        } catch (IOException e) {
            log.debug("Ward view: a browser's stream ended: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.decrementAndGet();
            broadcaster.leave(channel);
            client.close();
        }
    }

    private static void connector(io.javalin.config.JettyConfig jetty, WebSettings settings) {
        if (!settings.tls()) {
            jetty.host = settings.host();
            jetty.port = settings.port();
            return;
        }
        String password = readSecret(settings.tlsPasswordFile().orElseThrow());
        jetty.addConnector((Server server, HttpConfiguration http) -> {
            HttpConfiguration https = new HttpConfiguration(http);
            // Certificates for a ward's host name are fine on any address: no SNI host check.
            https.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(settings.tlsKeystore().orElseThrow().toString());
            ssl.setKeyStorePassword(password);
            ssl.setKeyStoreType("PKCS12");
            ServerConnector connector = new ServerConnector(
                    server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
            connector.setHost(settings.host());
            connector.setPort(settings.port());
            return connector;
        });
    }

    /** Refuses a stream beyond the limit before it starts, so a browser is told rather than left waiting. */
    private void admitStream(Context ctx) {
        if (streams.get() >= settings.maxClients()) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .result("too many browsers connected (" + settings.maxClients() + "); try again later");
            ctx.skipRemainingHandlers();
        }
    }

    private void guard(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-store");
        if (auth != null && !ctx.path().equals("/health") && !auth.allows(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", BasicAuth.CHALLENGE);
            ctx.status(HttpStatus.UNAUTHORIZED).result("log in to see the ward");
            ctx.skipRemainingHandlers();
        }
    }

    private static void page(Context ctx, String name) {
        ctx.contentType("text/html; charset=utf-8").result(resource(ASSETS + name));
    }

    private static void asset(Context ctx) {
        String type = PAGE_ASSETS.get(ctx.pathParam("name"));
        if (type == null) {
            ctx.status(HttpStatus.NOT_FOUND);
            return;
        }
        ctx.contentType(type + "; charset=utf-8").result(resource(ASSETS + ctx.pathParam("name")));
    }

    private void uplot(Context ctx) {
        String name = ctx.pathParam("name");
        String type =
                name.equals("uPlot.iife.min.js") ? "text/javascript" : name.equals("uPlot.min.css") ? "text/css" : null;
        if (type == null) {
            ctx.status(HttpStatus.NOT_FOUND);
            return;
        }
        ctx.contentType(type + "; charset=utf-8").result(resource(String.format(UPLOT, uplotVersion, name)));
    }

    private void patient(Context ctx) {
        var page = broadcaster.patient(patientKey(ctx));
        if (page.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND).json(Map.of("message", "no scores of this patient yet"));
            return;
        }
        json(ctx, page.get());
    }

    /** The patient a request is about: {@code ?id=}; absent means the windows that named no patient. */
    private static String patientKey(Context ctx) {
        String id = ctx.queryParam("id");
        return id == null ? "" : id;
    }

    private static void json(Context ctx, Object value) {
        ctx.contentType("application/json")
                .result(Broadcaster.frame("json", value).data());
    }

    private static byte[] resource(String path) {
        try (InputStream in = WardServer.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing from the class path: " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** uPlot's version, from its WebJar's own Maven metadata: the pom names it once. */
    private static String uplotVersion() throws IOException {
        try (InputStream in = WardServer.class.getClassLoader().getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("uPlot's WebJar is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    private static String readSecret(java.nio.file.Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void warnAboutExposure(WebSettings settings, boolean login) {
        if (settings.loopbackOnly()) {
            return;
        }
        if (!login) {
            log.warn(
                    "The ward view listens on {} without a login: anyone who reaches it sees patient data;"
                            + " give it --users FILE (and TLS)",
                    settings.host());
        } else if (!settings.tls()) {
            log.warn(
                    "The ward view listens on {} with logins over plain HTTP: passwords and patient data cross"
                            + " the network readable; give it --tls-keystore",
                    settings.host());
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
