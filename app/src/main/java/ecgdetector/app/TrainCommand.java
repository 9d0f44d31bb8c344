package ecgdetector.app;

import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseSigningKey;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.trainer.TrainingJob;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingReport;
import ecgdetector.trainer.TrainingResult;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.model.KerasStyleProgress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        header = "Train the autoencoder, evaluate it, write (and optionally publish) a release.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = TrainCommand.SettingOptions.class,
        description = {
            "Fits the heartbeat autoencoder on the normal beats of ECG5000, picks the",
            "anomaly threshold, evaluates on the held-out test beats, draws the plots and",
            "writes a versioned release (SavedModel + scaler + threshold). With",
            "--bootstrap-servers it also publishes it to the compacted models topic.",
            "",
            "Writes DIR/report.json, DIR/*.png and DIR/release/. Where a default depends",
            "on --recipe, each recipe's is shown."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--models-topic",
            paramLabel = "TOPIC",
            description = "Compacted topic for releases (default ${DEFAULT-VALUE}).")
    String modelsTopic = EcgTopic.MODELS.defaultName();

    @Option(
            names = "--signing-key-file",
            paramLabel = "FILE",
            description = "Private key (Ed25519, PEM: ./ecg keys) the published release is signed with;"
                    + " streamers given its public key serve only what it signed (env:"
                    + " ECG_RELEASE_SIGNING_KEY_FILE; default: the config folder's release.key, made with its"
                    + " release.pub on first use).")
    Path signingKeyFile;

    @Option(
            names = "--allow-readable-signing-key",
            description = "Sign even if the key file is readable by its group or other users (refused"
                    + " otherwise: whoever reads it can sign releases).")
    boolean allowReadableSigningKey;

    @Mixin
    KafkaOptions kafka;

    /** Where the default key pair and ECG_RELEASE_SIGNING_KEY_FILE are looked up: the process environment. */
    Map<String, String> environment = System.getenv();

    /** Where and how a release is published: the cluster's client settings and the models topic. */
    private record Publishing(Properties client, String bootstrapServers, String topic) {
        ReleaseTopic topicClient() {
            return new ReleaseTopic(client, topic);
        }
    }

    @Override
    public Integer call() throws Exception {
        TrainingOptions options = options();
        PrintStream console = System.out;
        Optional<Publishing> publishing = publishing();
        ReleaseSigningKey signingKey = null;
        if (publishing.isPresent()) {
            // Before anything slow, so a missing or exposed key, or a cluster that refuses us, fails at once.
            signingKey = signingKey(console);
            publishing.get().topicClient().checkReachable(java.time.Duration.ofSeconds(15));
            console.println("Will publish to " + publishing.get().topic() + " on " + kafka.bootstrapServers()
                    + ", signed with key " + signingKey.keyId());
        }
        TrainingResult result = new TrainingJob(console, KerasStyleProgress.toStandardOutput()).run(options);
        TrainingReport report = result.report();
        if (publishing.isPresent()) {
            report = publish(
                    ReleaseRecord.signed(result.release(), signingKey), report, publishing.get(), options.out());
        }
        console.println(summary(report, options.out()));
        return 0;
    }

    /** Publishes {@code release} and records where in report.json. */
    private static TrainingReport publish(ReleaseRecord release, TrainingReport report, Publishing to, Path out)
            throws Exception {
        ReleaseTopic.Published published = to.topicClient().publish(release);
        TrainingReport withWhere = report.withPublished(new TrainingReport.Published(
                to.bootstrapServers(), published.topic(), published.partition(), published.offset()));
        Files.write(
                out.resolve("report.json"),
                ecgdetector.schemas.Json.mapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(withWhere));
        return withWhere;
    }

    /**
     * The key from --signing-key-file, else the file $ECG_RELEASE_SIGNING_KEY_FILE names, else the default pair in
     * the config folder, made now if there is none (a key file that is named must exist).
     */
    ReleaseSigningKey signingKey(PrintStream console) throws java.io.IOException {
        Path file = signingKeyFile;
        if (file == null) {
            String env = environment.get("ECG_RELEASE_SIGNING_KEY_FILE");
            file = env != null && !env.isBlank() ? Path.of(env) : null;
        }
        if (file != null) {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("release signing key file " + file + " does not exist; make a"
                        + " pair with ./ecg keys --private-key " + file + " --public-key PUBLIC_FILE");
            }
            return ReleaseKeyFiles.readSigningKey(file, allowReadableSigningKey);
        }
        ReleaseKeyFiles.Pair pair = ReleaseKeyFiles.loadOrCreate(
                ReleaseKeyFiles.defaultPrivateKey(environment),
                ReleaseKeyFiles.defaultPublicKey(environment),
                allowReadableSigningKey);
        if (pair.created()) {
            console.println(
                    "Created a release signing key pair, key " + pair.key().keyId() + ": private "
                            + pair.privateKey() + ", public " + pair.publicKey() + " (streamers on this machine use it;"
                            + " give others a copy of the public key: --release-public-key)");
        }
        return pair.key();
    }

    /** Publishing is asked for by naming a cluster (--bootstrap-servers or its environment variable). */
    private Optional<Publishing> publishing() throws java.io.IOException {
        if (kafka.bootstrapServers() == null) {
            return Optional.empty();
        }
        return Optional.of(new Publishing(kafka.clientProperties(), kafka.bootstrapServers(), modelsTopic));
    }

    /**
     * The run the command line asks for: each {@link TrainingSettings} option given, the recipe's value for
     * the rest.
     */
    TrainingOptions options() {
        return TrainingSettingOptions.resolve(spec, TrainingSettingOptions.given(spec, TrainingSettings.ALL));
    }

    /** Adds an option for each {@link TrainingSettings} setting, before the publishing options. */
    static final class SettingOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            return TrainingSettingOptions.addFirst(command, TrainingSettings.ALL);
        }
    }

    static String summary(TrainingReport r, Path out) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "%nModel %s %s (recipe %s)%n",
                r.model().modelName(),
                r.model().modelVersion(),
                r.model().recipe()));
        s.append(figures(r));
        s.append(String.format(
                Locale.ROOT,
                "  %.2f s for training, evaluation and plots%n",
                r.timings().trainSeconds()));
        s.append("  report ")
                .append(out.resolve("report.json"))
                .append(", plots ")
                .append(out.resolve("*.png"))
                .append(", release ")
                .append(out.resolve("release"))
                .append(System.lineSeparator());
        if (r.published() != null) {
            s.append(String.format(
                    Locale.ROOT,
                    "  published version %s to %s (partition %d, offset %d) on %s%n",
                    r.model().modelVersion(),
                    r.published().topic(),
                    r.published().partition(),
                    r.published().offset(),
                    r.published().bootstrapServers()));
        }
        return s.toString();
    }

    /** The test and validation figures, the confusion matrix and the threshold, a line each. */
    private static String figures(TrainingReport r) {
        TrainingReport.Figures test = r.test();
        return String.format(
                        Locale.ROOT,
                        "  test beats %d (%d normal): accuracy %.4f  precision %.4f  recall %.4f  F1 %.4f  ROC-AUC %.4f%n",
                        r.data().test(),
                        r.data().testNormal(),
                        test.accuracy(),
                        test.precision(),
                        test.recall(),
                        test.f1(),
                        test.rocAuc())
                + String.format(
                        Locale.ROOT,
                        "  validation beats %d: accuracy %.4f  F1 %.4f  ROC-AUC %.4f (what recipe choices are made on)%n",
                        r.data().validation(),
                        r.validation().accuracy(),
                        r.validation().f1(),
                        r.validation().rocAuc())
                + String.format(
                        Locale.ROOT,
                        "  confusion (anomaly = positive): tp %d  fp %d  tn %d  fn %d%n",
                        r.confusion().tp(),
                        r.confusion().fp(),
                        r.confusion().tn(),
                        r.confusion().fn())
                + String.format(
                        Locale.ROOT,
                        "  threshold %.6f %s (%s)%n",
                        r.rule().threshold(),
                        r.rule().errorMetric(),
                        r.rule().thresholdPolicy());
    }
}
