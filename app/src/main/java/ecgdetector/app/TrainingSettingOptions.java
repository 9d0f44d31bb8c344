package ecgdetector.app;

import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Command-line options made from {@link TrainingSettings}, the one definition of each training setting, for
 * every command that takes one: {@code ./ecg train} all of them, the commands that train or reuse a release
 * ({@code demo}, {@code bench}) {@code --data} and {@code --recipe}. Help, defaults and parsing are the
 * setting's own, so no command restates them.
 */
public final class TrainingSettingOptions {

    /** The option that asks for a fresh release even when a matching one exists. */
    public static final String RETRAIN = "--retrain";

    private TrainingSettingOptions() {}

    /**
     * What a command that reuses a matching release or trains one was told.
     *
     * @param data path or URL of ecg.csv; empty = {@code $ECG_DATA}, then the cache or download
     * @param retrain train even if a release from the same data and settings exists
     */
    public record ReleaseSource(Optional<String> data, Recipe recipe, boolean retrain) {}

    /** Puts an option for each of {@code settings} first in {@code command}, before its own options. */
    public static CommandSpec addFirst(CommandSpec command, List<TrainingSetting<?>> settings) {
        insertFirst(
                command, settings.stream().map(TrainingSettingOptions::option).toList());
        return command;
    }

    /** {@code --data}, {@code --recipe} and {@code --retrain}, first in {@code command}. */
    public static void addReleaseSource(CommandSpec command) {
        OptionSpec retrain = OptionSpec.builder(RETRAIN)
                .type(boolean.class)
                .arity("0")
                .description("Train even if a release trained from the same data and settings exists.")
                .build();
        insertFirst(command, List.of(option(TrainingSettings.DATA), option(TrainingSettings.RECIPE), retrain));
    }

    private static void insertFirst(CommandSpec command, List<OptionSpec> first) {
        List<OptionSpec> declared = new ArrayList<>(command.options());
        declared.forEach(command::remove);
        first.forEach(command::addOption);
        declared.forEach(command::addOption);
    }

    /** The release source {@link #addReleaseSource} options gave on the parsed command line. */
    public static ReleaseSource releaseSource(CommandSpec command) {
        TrainingSettings.Given given = given(command, List.of(TrainingSettings.DATA, TrainingSettings.RECIPE));
        Recipe recipe = given.valueOf(TrainingSettings.RECIPE, Recipe.DEFAULT);
        Boolean retrain = command.findOption(RETRAIN).getValue();
        return new ReleaseSource(given.valueOf(TrainingSettings.DATA, recipe), recipe, Boolean.TRUE.equals(retrain));
    }

    /**
     * Each of {@code settings} given on the parsed command line, parsed by the setting. A value a setting does
     * not accept is a usage error, as any other bad option is.
     */
    public static TrainingSettings.Given given(CommandSpec command, List<TrainingSetting<?>> settings) {
        ParseResult parsed = command.commandLine().getParseResult();
        TrainingSettings.Given given = new TrainingSettings.Given();
        try {
            for (TrainingSetting<?> setting : settings) {
                OptionSpec option = command.findOption(setting.flag());
                if (parsed.hasMatchedOption(option)) {
                    Object value = option.getValue();
                    given.parse(setting, value instanceof List<?> list ? joined(list) : (String) value);
                }
            }
            return given;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    /** Resolves values into a run, a refusal being a usage error. */
    public static TrainingOptions resolve(CommandSpec command, TrainingSettings.Given given) {
        try {
            return TrainingSettings.resolve(given);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    private static OptionSpec option(TrainingSetting<?> setting) {
        OptionSpec.Builder option =
                OptionSpec.builder(setting.flag()).paramLabel(setting.label()).description(setting.help());
        if (setting.isList()) {
            option.type(List.class).auxiliaryTypes(String.class).splitRegex(",");
        } else {
            option.type(String.class);
        }
        return option.build();
    }

    private static String joined(List<?> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
