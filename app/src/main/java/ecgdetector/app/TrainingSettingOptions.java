package ecgdetector.app;

import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Command-line options made from {@link TrainingSettings}: one per setting, with the help the setting gives
 * (its range and its default under each recipe), and the values given read back through the settings'
 * own parsing. Every command that takes training settings declares them this way.
 */
final class TrainingSettingOptions {

    private TrainingSettingOptions() {}

    /** Adds an option for each setting, before the options the command declares itself. */
    static CommandSpec addFirst(CommandSpec command, List<TrainingSetting<?>> settings) {
        List<OptionSpec> declared = new ArrayList<>(command.options());
        declared.forEach(command::remove);
        for (TrainingSetting<?> setting : settings) {
            OptionSpec.Builder option = OptionSpec.builder(setting.flag())
                    .paramLabel(setting.label())
                    .description(setting.help());
            if (setting.isList()) {
                option.type(List.class).auxiliaryTypes(String.class).splitRegex(",");
            } else {
                option.type(String.class);
            }
            command.addOption(option.build());
        }
        declared.forEach(command::addOption);
        return command;
    }

    /**
     * The values given for {@code settings} on the command line. A value a setting does not accept is a
     * usage error, as any other bad option is.
     */
    static TrainingSettings.Given given(CommandSpec spec, List<TrainingSetting<?>> settings) {
        ParseResult parsed = spec.commandLine().getParseResult();
        TrainingSettings.Given given = new TrainingSettings.Given();
        try {
            for (TrainingSetting<?> setting : settings) {
                OptionSpec option = spec.findOption(setting.flag());
                if (parsed.hasMatchedOption(option)) {
                    Object value = option.getValue();
                    given.parse(setting, value instanceof List<?> list ? joined(list) : (String) value);
                }
            }
            return given;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** Resolves values into a run, a refusal being a usage error. */
    static ecgdetector.trainer.TrainingOptions resolve(CommandSpec spec, TrainingSettings.Given given) {
        try {
            return TrainingSettings.resolve(given);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static String joined(List<?> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
