package ecgdetector.app;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./ecg <command> [options]}: the one entry point for people. The commands of this module, then any
 * {@link ExtensionCommand} on the class path (the bench, from a checkout), then {@code help}.
 */
@Command(
        name = "ecg",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Real-time heartbeat anomaly detection on Apache Kafka.",
        subcommands = {
            DemoCommand.class,
            AlarmsCommand.class,
            TrainCommand.class,
            SelectCommand.class,
            EvaluateCommand.class,
            StreamCommand.class,
            KeysCommand.class,
            BrokerCommand.class,
            ReplayCommand.class,
            ViewCommand.class,
            ClassDataRecordCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every command, extensions included; {@link #main} runs it. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // Before the settings below, which apply to the subcommands there are when they are set.
        for (ExtensionCommand command : ServiceLoader.load(ExtensionCommand.class)) {
            // A CommandLine of its own, so that its model transformer runs: picocli applies those only to the
            // commands a CommandLine is constructed with, not to ones added later as plain objects.
            cli.addSubcommand(new CommandLine(command));
        }
        cli.addSubcommand(new CommandLine.HelpCommand());
        return cli.setCaseInsensitiveEnumValuesAllowed(true).setExecutionExceptionHandler(new Errors());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ecg-detector " + (v != null ? v : "dev")};
        }
    }

    /**
     * Expected failures (bad data, a broker that is not there, an invalid release) print one clear
     * line instead of a stack trace; a stack trace is for bugs, or for anyone who sets {@code
     * ECG_VERBOSE}.
     */
    static final class Errors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
            boolean verbose = System.getenv("ECG_VERBOSE") != null;
            cmd.getErr().println(cmd.getColorScheme().errorText("ecg " + cmd.getCommandName() + ": " + describe(e)));
            if (verbose
                    || e instanceof RuntimeException
                            && !(e instanceof IllegalArgumentException)
                            && !(e instanceof IllegalStateException)) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        }

        private static String describe(Throwable e) {
            String message = e.getMessage();
            Throwable cause = e.getCause();
            if (e instanceof java.util.concurrent.ExecutionException && cause != null) {
                return describe(cause);
            }
            return message != null ? message : e.getClass().getSimpleName();
        }
    }
}
