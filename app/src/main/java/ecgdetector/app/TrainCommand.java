package ecgdetector.app;

import ecgdetector.model.release.ReleaseBundle;
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
            description = "Sign the release with this key (HMAC-SHA256; the file holds the secret, e.g."
                    + " openssl rand -base64 32); streamers given the same key serve only"
                    + " releases it signed (env: ECG_RELEASE_SIGNING_KEY_FILE).")
    Path signingKeyFile;

    @Mixin
    KafkaOptions kafka;

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
        // Read before anything slow, so a missing or weak key fails at once.
        Optional<ReleaseSigningKey> signingKey = signingKey();
        signingKey.ifPresent(k -> console.println("Will sign the release with key " + k));
        Optional<Publishing> publishing = publishing();
        if (publishing.isPresent()) {
            publishing.get().topicClient().checkReachable(java.time.Duration.ofSeconds(15));
            console.println("Will publish to " + publishing.get().topic() + " on " + kafka.bootstrapServers());
        }
        TrainingResult result = new TrainingJob(console, KerasStyleProgress.toStandardOutput()).run(options);
        ReleaseBundle release = result.release();
        if (signingKey.isPresent()) {
            release = sign(release, signingKey.get(), options.out().resolve("release"), console);
        }
        TrainingReport report = result.report();
        if (publishing.isPresent()) {
            report = publish(release, report, publishing.get(), options.out());
        }
        console.println(summary(report, options.out()));
        return 0;
    }

    private static ReleaseBundle sign(ReleaseBundle release, ReleaseSigningKey key, Path dir, PrintStream console)
            throws java.io.IOException {
        ReleaseBundle signed = release.signedWith(key);
        signed.writeTo(dir);
        console.println("Signed release "
                + signed.version()
                + " with key "
                + key.keyId()
                + " ("
                + dir.resolve(ReleaseBundle.SIGNATURE_FILE)
                + ")");
        return signed;
    }

    /** Publishes {@code release} and records where in report.json. */
    private static TrainingReport publish(ReleaseBundle release, TrainingReport report, Publishing to, Path out)
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

    /** The key from --signing-key-file, else the file $ECG_RELEASE_SIGNING_KEY_FILE names. */
    Optional<ReleaseSigningKey> signingKey() {
        Path file = signingKeyFile;
        if (file == null) {
            String env = System.getenv("ECG_RELEASE_SIGNING_KEY_FILE");
            file = env != null && !env.isBlank() ? Path.of(env) : null;
        }
        return file == null ? Optional.empty() : Optional.of(ReleaseSigningKey.fromFile(file));
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
