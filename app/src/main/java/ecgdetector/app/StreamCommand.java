package ecgdetector.app;

import ecgdetector.streamer.StreamerApp;
import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./ecg stream}: scores the heartbeat windows on the heartbeats topic with the latest model release,
 * exactly once, until SIGTERM. Every flag maps to one {@link StreamerConfig} setting; the flags of the
 * {@code ecg.*} settings, and their help, come from the settings' declarations ({@link SettingFlags}). See
 * {@link StreamerConfig} for the order of precedence (flags, then environment, then properties files, then
 * defaults).
 */
@Command(
        name = "stream",
        header = "Score live heartbeat windows from Kafka and emit alerts, exactly once.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = StreamCommand.SettingFlags.class,
        description = {
            "Scores heartbeat windows (CSV lines or JSON) from the heartbeats topic with",
            "the latest release on the models topic, in batches on DJL/TensorFlow, exactly",
            "once: an alert per anomalous window, optionally every window's score, and",
            "unreadable records to the dead-letter topic. Serves /metrics (Prometheus),",
            "/health/live and /health/ready. Stops cleanly on SIGTERM.",
            ""
        },
        footer = {
            "",
            "Settings come from, first wins:",
            "  1. flags;",
            "  2. the environment: ECG_* for the settings above (ECG_BATCH_SIZE,",
            "     ECG_BOOTSTRAP_SERVERS, ...), KAFKA_* for Kafka properties",
            "     (KAFKA_SASL_MECHANISM -> sasl.mechanism);",
            "  3. the --config file: ecg.* keys (ecg.batch.size, ecg.topic.alerts, ...)",
            "     and any Kafka client or Kafka Streams property;",
            "  4. the --kafka-config file;",
            "  5. defaults.",
            "",
            "Example:",
            "  ./ecg stream --bootstrap-servers localhost:9092 --batch-size 512 \\",
            "      -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN \\",
            "      --config streamer.properties"
        })
public final class StreamCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Properties file: ecg.* settings and Kafka client/Streams properties.")
    Path config;

    @Option(
            names = "--application-id",
            paramLabel = "ID",
            description = "Kafka Streams application id = consumer group (default "
                    + StreamerConfig.DEFAULT_APPLICATION_ID + "; env ECG_APPLICATION_ID).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state folder: the batch buffer.")
    Path stateDir;

    /** The HMAC key flag of release format 1, kept only to say what replaced it. */
    @Option(names = "--release-key-file", hidden = true, paramLabel = "FILE")
    List<Path> removedReleaseKeyFiles;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (removedReleaseKeyFiles != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--release-key-file is gone: " + StreamerConfig.removedSetting("ecg.release.key.files"));
        }
        return StreamerApp.run(config());
    }

    /** The configuration these flags, the environment and the files give. */
    StreamerConfig config() {
        Map<String, String> files = new LinkedHashMap<>();
        if (kafka.configFile != null) {
            files.putAll(StreamerConfig.readProperties(kafka.configFile));
        }
        if (config != null) {
            files.putAll(StreamerConfig.readProperties(config));
        }
        return StreamerConfig.load(flags(), System.getenv(), files);
    }

    /** The settings given as flags, by key. */
    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>(kafka.overrides);
        put(flags, "bootstrap.servers", kafka.bootstrapServers);
        put(flags, "application.id", applicationId);
        put(flags, "state.dir", stateDir);
        for (Setting setting : Setting.values()) {
            setting.flag().ifPresent(flag -> {
                Object value = spec.findOption(flag).getValue();
                put(flags, setting.key(), value instanceof List<?> list ? joined(list) : value);
            });
        }
        return flags;
    }

    private static String joined(List<?> values) {
        return values.stream().map(Object::toString).collect(Collectors.joining(","));
    }

    private static void put(Map<String, String> flags, String key, Object value) {
        if (value != null && !value.toString().isBlank()) {
            flags.put(key, value.toString());
        }
    }

    /**
     * Adds a flag for every {@link Setting} that has one, typed and described from its declaration: its
     * meaning, default, allowed values and environment variable. A boolean's flag is negatable
     * ({@code --no-scores}), a list's repeatable. Values stay text; {@link StreamerConfig} parses and
     * validates them as it does the environment's and the files'.
     */
    public static final class SettingFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            List<String> withoutFlag =
                    new ArrayList<>(List.of("", "Settings without a flag (environment or --config file):"));
            for (Setting setting : Setting.values()) {
                setting.flag()
                        .ifPresentOrElse(
                                flag -> command.addOption(option(setting, flag)),
                                () -> withoutFlag.add("  " + setting.key() + ", env " + setting.envName() + " (default "
                                        + setting.defaultText() + ")"));
            }
            List<String> footer = new ArrayList<>(withoutFlag);
            footer.addAll(List.of(command.usageMessage().footer()));
            command.usageMessage().footer(footer.toArray(String[]::new));
            return command;
        }

        static OptionSpec option(Setting setting, String flag) {
            OptionSpec.Builder option = OptionSpec.builder(flag).description(help(setting));
            return switch (setting.type()) {
                case BOOLEAN -> option.negatable(true).type(Boolean.class).build();
                case LIST ->
                    option.type(List.class)
                            .auxiliaryTypes(String.class)
                            .splitRegex(",")
                            .paramLabel(setting.paramLabel())
                            .build();
                default ->
                    option.type(String.class).paramLabel(setting.paramLabel()).build();
            };
        }

        /** {@code Windows per inference call at most (default 256; 1 to 100000; env ECG_BATCH_SIZE).} */
        static String help(Setting setting) {
            String meaning = setting.description();
            List<String> facts = new ArrayList<>(List.of("default " + setting.defaultText()));
            if (setting.type() != Type.BOOLEAN
                    && setting.type() != Type.LIST
                    && !setting.allowed().isEmpty()) {
                facts.add(setting.allowed());
            }
            facts.add("env " + setting.envName());
            return Character.toUpperCase(meaning.charAt(0))
                    + meaning.substring(1)
                    + (setting.type() == Type.LIST ? "; repeatable" : "")
                    + " (" + String.join("; ", facts) + ").";
        }
    }
}
