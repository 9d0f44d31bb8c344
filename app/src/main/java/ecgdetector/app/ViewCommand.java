package ecgdetector.app;

import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseTrust;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.view.ViewSettings;
import ecgdetector.view.WardView;
import ecgdetector.view.feed.FeedTopics;
import ecgdetector.view.web.WebSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "view",
        header = "A live ward view in the browser: one tile per patient, alarms first.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serves a web page of the ward, fed by a read_committed reader of the",
            "streamer's scores, alerts and (once it exists) alarms topics, pushed to the",
            "browser as they become readable: one tile per patient, sorted by alarm",
            "priority, with its latest beat against the reconstruction of the release that",
            "scored it, score and threshold, beats a minute, the alarm state and a",
            "FEED_SILENT badge; a page per patient with the last minute of beats, the",
            "score over time, the alarm history and the model version. Beats are drawn",
            "from the input topic and the models topic, through the same model code as",
            "the streamer. Also serves /metrics (Prometheus) and /health. It shows patient",
            "data: it listens on 127.0.0.1 unless told otherwise; on a ward network give",
            "it --users and --tls-keystore. Runs until Ctrl-C (or SIGTERM).",
            ""
        })
final class ViewCommand implements Callable<Integer> {

    /** A topic option's value that turns the topic off. */
    static final String NONE = "none";

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            defaultValue = WebSettings.DEFAULT_HOST,
            description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "" + WebSettings.DEFAULT_PORT,
            description = "Port to listen on (default ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(
            names = "--users",
            paramLabel = "FILE",
            description = "File of user:password lines: every page asks for a login (HTTP basic auth)."
                    + " Keep it readable by the service's user only.")
    Path users;

    @Option(
            names = "--tls-keystore",
            paramLabel = "FILE",
            description = "PKCS#12 keystore with the server's key and certificate: serve HTTPS.")
    Path tlsKeystore;

    @Option(
            names = "--tls-password-file",
            paramLabel = "FILE",
            description = "File holding the keystore's password (with --tls-keystore).")
    Path tlsPasswordFile;

    @Option(
            names = "--silent-after",
            paramLabel = "SECONDS",
            description = "A patient with no score read for this long shows FEED_SILENT (default ${DEFAULT-VALUE}).")
    long silentAfterSeconds = ViewSettings.DEFAULT_SILENT_AFTER.toSeconds();

    @Option(names = "--scores-topic", paramLabel = "TOPIC", description = "Scores topic (default ${DEFAULT-VALUE}).")
    String scoresTopic = FeedTopics.defaults().scores();

    @Option(
            names = "--alerts-topic",
            paramLabel = "TOPIC",
            description = "Alerts topic, for the alert history (default ${DEFAULT-VALUE}; " + NONE + " = not read).")
    String alertsTopic = FeedTopics.defaults().alerts();

    @Option(
            names = "--alarms-topic",
            paramLabel = "TOPIC",
            description = "Alarms topic, read once it exists (default ${DEFAULT-VALUE}; " + NONE + " = not read).")
    String alarmsTopic = FeedTopics.defaults().alarms();

    @Option(
            names = "--heartbeats-topic",
            paramLabel = "TOPIC",
            description = "Input topic, for the samples of the beats drawn (default ${DEFAULT-VALUE}; " + NONE
                    + " = no beat drawn).")
    String heartbeatsTopic = FeedTopics.defaults().heartbeats();

    @Option(
            names = "--models-topic",
            paramLabel = "TOPIC",
            description = "Models topic, for the releases that draw the beats (default ${DEFAULT-VALUE}; " + NONE
                    + " = no beat drawn).")
    String modelsTopic = FeedTopics.defaults().models();

    @Option(
            names = "--release-public-key",
            paramLabel = "FILE",
            split = ",",
            description = "Public key file (PEM, Ed25519) of a key a release must be signed with to draw beats,"
                    + " as for ./ecg stream; repeat for several (env: ECG_RELEASE_PUBLIC_KEYS, comma-separated);"
                    + " none: the default key pair's public key, if it exists.")
    List<Path> releasePublicKeys = new ArrayList<>();

    @Option(
            names = "--allow-unsigned-releases",
            description = "Draw beats with unsigned releases too, checking no signature (not for production): the"
                    + " view runs a release's graph as the streamer does.")
    boolean allowUnsignedReleases;

    @Option(
            names = "--max-clients",
            paramLabel = "N",
            description = "Browsers served at once (default ${DEFAULT-VALUE}).")
    int maxClients = WebSettings.DEFAULT_MAX_CLIENTS;

    @Option(
            names = "--client-queue",
            paramLabel = "N",
            description = "Updates a browser may fall behind before they are dropped and it is sent the state"
                    + " whole (default ${DEFAULT-VALUE}).")
    int clientQueue = WebSettings.DEFAULT_CLIENT_QUEUE;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ViewSettings settings = settings();
        CountDownLatch stopped = new CountDownLatch(1);
        try (WardView view = WardView.start(settings)) {
            Thread hook = new Thread(stopped::countDown, "ecg-view-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine()
                    .getOut()
                    .println("Ward view: " + view.url() + " (reading "
                            + settings.client().getProperty("bootstrap.servers") + "; Ctrl-C stops)");
            spec.commandLine().getOut().flush();
            stopped.await();
        }
        return 0;
    }

    ViewSettings settings() throws java.io.IOException {
        Properties client = kafka.clientProperties();
        if (client.getProperty("bootstrap.servers") == null) {
            throw new IllegalArgumentException("--bootstrap-servers (or ECG_BOOTSTRAP_SERVERS) is required");
        }
        FeedTopics topics = new FeedTopics(
                scoresTopic, topic(alertsTopic), topic(alarmsTopic), topic(heartbeatsTopic), topic(modelsTopic));
        WebSettings web = new WebSettings(
                host,
                port,
                Optional.ofNullable(users),
                Optional.ofNullable(tlsKeystore),
                Optional.ofNullable(tlsPasswordFile),
                maxClients,
                clientQueue);
        return new ViewSettings(
                client,
                topics,
                web,
                Duration.ofSeconds(silentAfterSeconds),
                ViewSettings.DEFAULT_LOOKBACK,
                releaseVerifier(topics));
    }

    /** The streamer's rule for which releases to trust; with no models topic read, there is nothing to trust. */
    private ReleaseVerifier releaseVerifier(FeedTopics topics) {
        if (topics.models() == null) {
            return ReleaseVerifier.unsigned(ReleaseVerifier.DEFAULT_MAX_BYTES);
        }
        List<Path> keys = releasePublicKeys;
        String env = System.getenv("ECG_RELEASE_PUBLIC_KEYS");
        if (keys.isEmpty() && env != null && !env.isBlank()) {
            keys = Arrays.stream(env.split(",")).map(String::trim).map(Path::of).toList();
        }
        return ReleaseTrust.verifier(
                keys,
                ReleaseKeyFiles.defaultPublicKey(System.getenv()),
                allowUnsignedReleases,
                ReleaseVerifier.DEFAULT_MAX_BYTES,
                topics.models());
    }

    private static String topic(String name) {
        return name == null || name.isBlank() || name.equals(NONE) ? null : name;
    }
}
