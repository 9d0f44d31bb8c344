package ecgdetector.trainer;

import ecgdetector.trainer.settings.Range;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How the value of a {@link TrainingSetting} is written: parsed from text (with its validation), shown as
 * text (help, docs, defaults) and recorded in a release's provenance.
 *
 * @param label placeholder in the command line's help, e.g. {@code N} or {@code msle|mse|mae}
 * @param accepts what a value may be, in words: the help text and the docs' table show it
 * @param list comma-separated; the option may also be given more than once
 * @param parser (what, text) to a value; throws {@link IllegalArgumentException} saying why not
 * @param format a value as it is written on the command line
 * @param recorded a value as the release's provenance holds it: numbers and lists as JSON numbers and
 *     arrays, everything else as its command-line spelling
 */
public record SettingType<T>(
        String label,
        String accepts,
        boolean list,
        BiFunction<String, String, T> parser,
        Function<T, String> format,
        Function<T, Object> recorded) {

    /** A whole number in {@code range}. */
    static SettingType<Integer> count(Range range) {
        return new SettingType<>(
                "N",
                "a whole number " + range,
                false,
                (what, text) -> range.require(what, wholeNumber(what, text)),
                String::valueOf,
                n -> n);
    }

    /** Any 64-bit whole number. */
    static SettingType<Long> seed() {
        return new SettingType<>(
                "N",
                "a whole number",
                false,
                (what, text) -> number(what, text, "a whole number", Long::parseLong),
                String::valueOf,
                n -> n);
    }

    /** A decimal number in {@code range}. */
    static SettingType<Double> decimal(String label, Range range) {
        return new SettingType<>(
                label,
                "a number " + (range.max() == Double.POSITIVE_INFINITY ? "" : "in ") + range,
                false,
                (what, text) -> range.require(what, number(what, text, "a number", Double::parseDouble)),
                SettingType::plain,
                n -> n);
    }

    /** Layer widths: whole numbers in {@code range}, comma-separated; none if blank. */
    static SettingType<List<Integer>> units(Range range) {
        return new SettingType<>(
                "UNITS",
                "whole numbers " + range + ", comma-separated",
                true,
                (what, text) -> text.isBlank()
                        ? List.of()
                        : Arrays.stream(text.split(",", -1))
                                .map(unit -> range.require(what, wholeNumber(what, unit)))
                                .toList(),
                units -> units.stream().map(String::valueOf).collect(Collectors.joining(",")),
                units -> units);
    }

    /** One of {@code values}, by its {@code id} (case does not matter). */
    static <V> SettingType<V> choice(List<V> values, Function<V, String> id) {
        List<String> ids = values.stream().map(id).toList();
        String accepts = String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
        return new SettingType<>(
                String.join("|", ids),
                accepts,
                false,
                (what, text) -> values.stream()
                        .filter(v -> id.apply(v).equals(text.strip().toLowerCase(Locale.ROOT)))
                        .findFirst()
                        .orElseThrow(() ->
                                new IllegalArgumentException(what + " must be " + accepts + ", got '" + text + "'")),
                id,
                id::apply);
    }

    /** Free-form text that {@code parse} turns into a value, or refuses with a reason. */
    static <V> SettingType<V> text(
            String label, String accepts, Function<String, V> parse, Function<V, String> format) {
        return new SettingType<>(
                label,
                accepts,
                false,
                (what, text) -> {
                    try {
                        return parse.apply(text);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
                    }
                },
                format,
                format::apply);
    }

    private static int wholeNumber(String what, String text) {
        return number(what, text, "a whole number", Integer::parseInt);
    }

    private static <N> N number(String what, String text, String kind, Function<String, N> parse) {
        try {
            return parse.apply(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be " + kind + ", got '" + text + "'", e);
        }
    }

    /** Shortest plain decimal: 0.10 -> "0.1", never scientific notation. */
    private static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
