package ecgdetector.trainer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One setting of a training run, declared once in {@link TrainingSettings}: its name, the type (parsing,
 * validation, spelling), what it means, its default under each {@link Recipe}, where a run holds it and
 * under which key a release records it. The command line's options and help, and the docs' settings
 * table, are made from these.
 */
public final class TrainingSetting<T> {

    private final String name;
    private final SettingType<T> type;
    private final String doc;
    private final Function<Recipe, T> defaults;
    private final Function<TrainingOptions, T> read;
    private final String recordedAs;
    private final T unrecorded;

    /**
     * @param name the option is {@code --name}
     * @param doc what it sets, one sentence without the final full stop
     * @param defaults the value a run from a recipe has unless told otherwise
     * @param read where a run holds the value
     * @param recordedAs key in the release's provenance and report.json's settings; null for settings that
     *     do not decide the model (where files are, what the release is called)
     */
    TrainingSetting(
            String name,
            SettingType<T> type,
            String doc,
            Function<Recipe, T> defaults,
            Function<TrainingOptions, T> read,
            String recordedAs) {
        this(name, type, doc, defaults, read, recordedAs, null);
    }

    /**
     * A setting added after releases existed: at {@code unrecorded}, the value every earlier release was
     * trained with, it is left out of the provenance, so those releases still match a run with the same
     * settings.
     */
    TrainingSetting(
            String name,
            SettingType<T> type,
            String doc,
            Function<Recipe, T> defaults,
            Function<TrainingOptions, T> read,
            String recordedAs,
            T unrecorded) {
        this.name = Objects.requireNonNull(name);
        this.type = Objects.requireNonNull(type);
        this.doc = Objects.requireNonNull(doc);
        this.defaults = Objects.requireNonNull(defaults);
        this.read = Objects.requireNonNull(read);
        this.recordedAs = recordedAs;
        this.unrecorded = unrecorded;
    }

    public String flag() {
        return "--" + name;
    }

    /** The option without its dashes, as a selection grid and record name the setting. */
    public String name() {
        return name;
    }

    /** A value as it is written on the command line, which {@link #parse} reads back. */
    public String format(T value) {
        return type.format().apply(value);
    }

    /** The value's placeholder in help, e.g. {@code N}. */
    public String label() {
        return type.label();
    }

    /** What a value may be, in words. */
    public String accepts() {
        return type.accepts();
    }

    /** Comma-separated values; the option may be given more than once, the values adding up. */
    public boolean isList() {
        return type.list();
    }

    public String doc() {
        return doc;
    }

    /**
     * @throws IllegalArgumentException naming the option and what it accepts
     */
    public T parse(String text) {
        return type.parser().apply(flag(), text);
    }

    public T defaultFor(Recipe recipe) {
        return defaults.apply(recipe);
    }

    /** The default as a person reads it: one value, or each recipe's, the default recipe's first. */
    public String defaults() {
        Map<Recipe, String> byRecipe = new LinkedHashMap<>();
        Stream.concat(Stream.of(Recipe.DEFAULT), Arrays.stream(Recipe.values()))
                .forEach(r -> byRecipe.putIfAbsent(r, type.format().apply(defaultFor(r))));
        List<String> distinct = byRecipe.values().stream().distinct().toList();
        if (distinct.size() == 1) {
            return distinct.get(0);
        }
        return byRecipe.entrySet().stream()
                .map(e -> e.getValue() + " (" + e.getKey().id() + ")")
                .collect(Collectors.joining(", "));
    }

    /** The command line's help for this option. */
    public String help() {
        return doc + "; " + accepts() + ". Default: " + defaults() + ".";
    }

    T read(TrainingOptions options) {
        return read.apply(options);
    }

    /** Puts this setting's value in a run's provenance, if it is one that decides the model. */
    void record(TrainingOptions options, Map<String, Object> provenance) {
        T value = read(options);
        if (recordedAs != null && !value.equals(unrecorded)) {
            provenance.put(recordedAs, type.recorded().apply(value));
        }
    }

    @Override
    public String toString() {
        return flag();
    }
}
