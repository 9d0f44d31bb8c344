package ecgdetector.view;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.TopicSetup;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.TopicNames;
import ecgdetector.schemas.WindowSource;
import ecgdetector.view.feed.FeedTopics;
import ecgdetector.view.feed.TopicCounts;
import ecgdetector.view.web.WebSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ward view against a real broker, fed score records directly (no model needed): unreadable records are
 * skipped and counted while the page goes on; a browser that never reads costs the reader of Kafka and the other
 * browsers nothing; logins and TLS hold.
 */
@ExtendWith(KafkaBrokerExtension.class)
class WardViewIT {

    private static final long SCORES_PER_SECOND = 2_000;

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aScoreRecordItCannotReadIsSkippedAndCountedAndThePageGoesOn(EmbeddedKafkaBroker broker) throws Exception {
        TopicNames topics = topics(broker);
        try (WardView view = WardView.start(settings(broker, topics, WebSettings.local(0)));
                KafkaProducer<String, byte[]> producer = producer(broker)) {
            send(producer, topics, score(topics, "bed-1", 0));
            for (byte[] junk : List.of(
                    "not json".getBytes(StandardCharsets.UTF_8),
                    "{\"score\": 1}".getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xff, 0, 1},
                    "[]".getBytes(StandardCharsets.UTF_8))) {
                producer.send(new ProducerRecord<>(topics.scores(), "bed-2", junk));
            }
            send(producer, topics, score(topics, "bed-3", 1));
            producer.flush();

            KafkaTestUtils.waitForCondition(
                    () -> scores(view).records() == 6,
                    TIMEOUT,
                    () -> "records read: " + scores(view).records());
            assertThat(scores(view).skipped()).isEqualTo(4);
            JsonNode ward = Json.mapper().readTree(get(view.url() + "api/ward").body());
            assertThat(ward.path("tiles").findValuesAsText("patientId")).containsExactlyInAnyOrder("bed-1", "bed-3");
            JsonNode status = ward.path("status").path("topics").get(0);
            assertThat(status.path("role").asText()).isEqualTo("scores");
            assertThat(status.path("skipped").asLong()).isEqualTo(4);
            assertThat(get(view.url() + "metrics").body())
                    .contains("ecg_view_records_skipped_total{role=\"scores\"} 4.0");
            // The alarms topic does not exist: the view says so and reads the rest.
            assertThat(ward.path("status").path("topics").findValuesAsText("note"))
                    .anyMatch(note -> note.contains("does not exist"));
        }
    }

    @Test
    void aBrowserThatNeverReadsDoesNotSlowTheReaderOrTheOtherBrowsers(EmbeddedKafkaBroker broker) throws Exception {
        TopicNames topics = topics(broker);
        try (WardView view = WardView.start(
                        settings(broker, topics, WebSettings.local(0).withClientQueue(4)));
                KafkaProducer<String, byte[]> producer = producer(broker);
                Socket stuck = neverReads(view.port());
                Reader reader = new Reader(http, view.url() + "api/ward/events")) {
            AtomicLong sent = new AtomicLong();
            AtomicBoolean feeding = new AtomicBoolean(true);
            // A fixed rate (300 monitors at about 7 beats a second), as a ward sends: how long the stuck browser
            // takes to fill its socket and queue depends on the machine, so an unpaced feed would pile up more
            // scores than a loaded machine reads back within the wait below.
            long start = System.nanoTime();
            Thread monitors = new Thread(() -> {
                while (feeding.get()) {
                    long n = sent.getAndIncrement();
                    send(producer, topics, score(topics, "bed-" + (n % 300), n));
                    if (n % 100 == 99) {
                        long due = start + (n + 1) * 1_000_000_000L / SCORES_PER_SECOND;
                        java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                    }
                }
            });
            monitors.start();
            try {
                KafkaTestUtils.waitForCondition(
                        () -> view.droppedUpdates() > 0,
                        TIMEOUT,
                        () -> "no update was dropped for the browser that never reads");
            } finally {
                feeding.set(false);
                monitors.join();
            }
            producer.flush();
            String lastBeat = eventTime(sent.get() - 1).toString();
            // The reader keeps up with everything sent, and the browser that reads sees the newest score.
            KafkaTestUtils.waitForCondition(
                    () -> scores(view).records() == sent.get(),
                    TIMEOUT,
                    () -> scores(view).records() + " of " + sent.get() + " scores read");
            KafkaTestUtils.waitForCondition(
                    () -> reader.seen(lastBeat),
                    TIMEOUT,
                    () -> "the reading browser never saw the beat of " + lastBeat + "; last frame: " + reader.last());
        }
    }

    @Test
    void withUsersAndTlsEveryPageAsksForALoginOverHttps(EmbeddedKafkaBroker broker, @TempDir Path tmp)
            throws Exception {
        Path users = tmp.resolve("users");
        Files.writeString(users, "# ward staff\nnurse:correct horse battery staple\n");
        Path keystore = tmp.resolve("view.p12");
        Path password = tmp.resolve("keystore-password");
        Files.writeString(password, "keystore-secret\n");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "view",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "2",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "san=ip:127.0.0.1",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        "keystore-secret")
                .redirectErrorStream(true)
                .start();
        assertThat(keytool.waitFor()).isZero();
        TopicNames topics = topics(broker);
        WebSettings web = WebSettings.local(0).withUsers(users).withTls(keystore, password);
        try (WardView view = WardView.start(settings(broker, topics, web))) {
            assertThat(view.url()).startsWith("https://127.0.0.1:");
            HttpClient https = HttpClient.newBuilder()
                    .sslContext(trusting(keystore, "keystore-secret"))
                    .build();
            HttpResponse<String> anonymous = https.send(
                    HttpRequest.newBuilder(URI.create(view.url())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            for (String path : List.of("", "api/ward", "metrics", "assets/ward.js")) {
                HttpResponse<String> wrong =
                        https.send(login(view.url() + path, "nurse:wrong"), HttpResponse.BodyHandlers.ofString());
                assertThat(wrong.statusCode()).as(path).isEqualTo(401);
                HttpResponse<String> right = https.send(
                        login(view.url() + path, "nurse:correct horse battery staple"),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(right.statusCode()).as(path).isEqualTo(200);
                assertThat(right.headers().firstValue("Content-Security-Policy"))
                        .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
            }
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest login(String url, String credentials) {
        return HttpRequest.newBuilder(URI.create(url))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    private static SSLContext trusting(Path keystore, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("view", (X509Certificate) ks.getCertificate("view"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** An event stream whose bytes are never read, on a socket with a tiny receive buffer. */
    private static Socket neverReads(int port) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/ward/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** A browser that reads its event stream, remembering every frame's data. */
    private static final class Reader implements AutoCloseable {
        private final AtomicReference<String> last = new AtomicReference<>("");
        /** The latest beat's time of every tile received. */
        private final java.util.Set<String> beatsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();

        private final Thread thread;
        private volatile java.io.InputStream body;

        Reader(HttpClient http, String url) {
            thread = new Thread(() -> {
                try {
                    HttpResponse<java.io.InputStream> r = http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Accept", "text/event-stream")
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    body = r.body();
                    BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.startsWith("data: ")) {
                            last.set(line);
                            for (JsonNode tile :
                                    Json.mapper().readTree(line.substring(6)).path("tiles")) {
                                beatsSeen.add(tile.path("lastBeatAt").asText());
                            }
                        }
                    }
                } catch (Exception e) {
                    last.set("stream ended: " + e);
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        boolean seen(String lastBeatAt) {
            return beatsSeen.contains(lastBeatAt);
        }

        String last() {
            String l = last.get();
            return l.length() > 300 ? l.substring(0, 300) + "..." : l;
        }

        @Override
        public void close() throws Exception {
            if (body != null) {
                body.close();
            }
            thread.interrupt();
        }
    }

    private static TopicCounts scores(WardView view) {
        return view.counts().stream()
                .filter(t -> t.role().equals("scores"))
                .findFirst()
                .orElseThrow();
    }

    private static Score score(TopicNames topics, String patient, long n) {
        return new Score(
                topics.heartbeats() + "/0/" + n,
                new WindowSource(topics.heartbeats(), 0, n),
                patient,
                "beat-" + n,
                eventTime(n).toString(),
                Instant.now().toString(),
                0.001f * (n % 7),
                0.005,
                false,
                new ModelRef("ecg-autoencoder", "v1"),
                null);
    }

    private static Instant eventTime(long n) {
        return Instant.ofEpochMilli(1_700_000_000_000L + n);
    }

    private static void send(KafkaProducer<String, byte[]> producer, TopicNames topics, Score s) {
        try {
            producer.send(new ProducerRecord<>(
                    topics.scores(), s.patientId(), Json.mapper().writeValueAsBytes(s)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TopicNames topics(EmbeddedKafkaBroker broker) {
        TopicNames topics = TopicNames.defaults().withPrefix(KafkaTestUtils.uniqueTopic("viewit") + ".");
        TopicSetup.createAll(broker, topics, 1);
        return topics;
    }

    private static ViewSettings settings(EmbeddedKafkaBroker broker, TopicNames topics, WebSettings web) {
        FeedTopics feed = new FeedTopics(topics.scores(), topics.alerts(), topics.scores() + ".alarms", null, null);
        return new ViewSettings(
                broker.clientProperties(),
                feed,
                web,
                ViewSettings.DEFAULT_SILENT_AFTER,
                ViewSettings.DEFAULT_LOOKBACK,
                TestKeys.trainer().verifier());
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker broker) {
        Properties props = new Properties();
        props.putAll(broker.clientProperties());
        props.put("linger.ms", "5");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
