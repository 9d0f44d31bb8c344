package ecgdetector.app;

import ecgdetector.app.demo.Demo;
import ecgdetector.app.demo.DemoSummary;
import ecgdetector.view.web.WebSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        header = "The whole detector on this machine: train, publish, stream, replay, summarise.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = DemoCommand.ReleaseSourceOptions.class,
        description = {
            "The whole detector on this machine: starts an embedded Kafka broker, trains",
            "the model (or reuses one trained from the same data and settings), publishes",
            "the release, starts the streamer, replays the held-out test beats as live",
            "monitors, shows alerts as they come, and ends with a summary held against the",
            "trainer's offline evaluation. The ward view shows it live in a browser",
            "(its address is printed; --keep-open keeps it up after the summary).",
            "",
            "Writes DIR/train/ (report, plots, release) and DIR/summary.json."
        })
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "out/demo",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--rate",
            paramLabel = "WINDOWS/S",
            defaultValue = "250",
            description = "Windows per second to replay; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--patients",
            defaultValue = "20",
            description = "Monitored patients the beats are spread over (default ${DEFAULT-VALUE}).")
    int patients;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description = "How long to wait for the last windows to be scored (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(
            names = "--view-port",
            paramLabel = "PORT",
            defaultValue = "" + WebSettings.DEFAULT_PORT,
            description = "Port of the ward view on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free port).")
    int viewPort;

    @Option(names = "--no-view", description = "Do not start the ward view.")
    boolean noView;

    @Option(
            names = "--keep-open",
            description = "After the summary, keep the broker, the streamer and the ward view running until"
                    + " Ctrl-C, to look at the ward.")
    boolean keepOpen;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        if (patients < 1) {
            throw new IllegalArgumentException("--patients must be at least 1, got " + patients);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be >= 0, got " + rate);
        }
        TrainingSettingOptions.ReleaseSource source = TrainingSettingOptions.releaseSource(spec);
        Demo.Settings settings = new Demo.Settings(
                source.data(),
                out,
                source.recipe(),
                rate,
                patients,
                Optional.ofNullable(kafka.bootstrapServers()),
                kafka.clientProperties(),
                source.retrain(),
                Duration.ofSeconds(timeoutSeconds),
                noView ? OptionalInt.empty() : OptionalInt.of(viewPort),
                keepOpen);
        DemoSummary summary = new Demo(settings, System.out).run();
        if (!keepOpen) {
            System.out.println(summary.describe());
        }
        // A demo whose live scores drift from the offline evaluation has found a bug: say so.
        return summary.parityMismatches() == 0 && summary.windowsScored() == summary.windowsSent() ? 0 : 2;
    }

    /** {@code --data}, {@code --recipe} as {@code ./ecg train} declares them, and {@code --retrain}. */
    static final class ReleaseSourceOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            TrainingSettingOptions.addReleaseSource(command);
            return command;
        }
    }
}
