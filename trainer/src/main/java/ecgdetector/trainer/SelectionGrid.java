package ecgdetector.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import ecgdetector.schemas.Json;
import ecgdetector.trainer.data.StratifiedFolds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The candidates a model selection compares: training variants (settings over a base, each trained once
 * per fold) times the scoring settings' values (each error metric and threshold policy tried on the same
 * trained models). Settings are named and written as on the command line ({@link TrainingSettings}), over
 * the notebook recipe's values; a grid may vary only {@link TrainingSettings#SELECTABLE} settings.
 *
 * <p>Read from JSON, e.g. {@code {"folds": 5, "base": {"epochs": "150"}, "variants": [{"name": "as base",
 * "settings": {}}, {"name": "mse loss", "settings": {"loss": "mse"}}], "errorMetrics": ["msle", "mse"],
 * "thresholds": ["best-f1", "recall>=0.99"]}}.
 *
 * @param description what the grid asks, for the record
 * @param folds cross-validation folds of the training part
 * @param base settings every variant starts from
 * @param variants training variants, each trained on every fold
 * @param errorMetrics the {@code --error-metric} values tried on each variant
 * @param thresholds the {@code --threshold} values tried on each variant and metric
 */
public record SelectionGrid(
        String description,
        int folds,
        Map<String, String> base,
        List<Variant> variants,
        List<String> errorMetrics,
        List<String> thresholds) {

    /** The grid the committed selection was run with. */
    public static final String STANDARD_RESOURCE = "/ecgdetector/trainer/selection-grid.json";

    /**
     * One training variant.
     *
     * @param name how tables and plots call it
     * @param settings settings that differ from the grid's base
     */
    public record Variant(String name, Map<String, String> settings) {
        public Variant {
            Objects.requireNonNull(name, "variant name");
            settings = ordered(settings);
        }
    }

    /**
     * @throws IllegalArgumentException naming the problem: no variants, two of the same name, a setting
     *     that is unknown, not selectable or given a value it does not accept
     */
    public SelectionGrid {
        description = description == null ? "" : description;
        StratifiedFolds.FOLDS.require("folds", folds);
        base = ordered(base);
        variants = List.copyOf(Objects.requireNonNull(variants, "variants"));
        errorMetrics = List.copyOf(Objects.requireNonNull(errorMetrics, "errorMetrics"));
        thresholds = List.copyOf(Objects.requireNonNull(thresholds, "thresholds"));
        require(!variants.isEmpty(), "a grid needs at least one variant");
        require(!errorMetrics.isEmpty(), "a grid needs at least one error metric");
        require(!thresholds.isEmpty(), "a grid needs at least one threshold policy");
        Set<String> names = new HashSet<>();
        for (Variant v : variants) {
            require(names.add(v.name()), "two variants are called '" + v.name() + "'");
        }
        checkTraining("base", base);
        variants.forEach(v -> checkTraining("variant '" + v.name() + "'", v.settings()));
        errorMetrics.forEach(m -> TrainingSettings.ERROR_METRIC.parse(m));
        thresholds.forEach(t -> TrainingSettings.THRESHOLD.parse(t));
    }

    /**
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    public static SelectionGrid read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + rootMessage(e), e);
        }
    }

    private static SelectionGrid read(InputStream in) throws IOException {
        return Json.mapper()
                .readerFor(SelectionGrid.class)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(in);
    }

    /** The grid in the trainer's resources that the committed {@code selection.json} came from. */
    public static SelectionGrid standard() {
        try (InputStream in = SelectionGrid.class.getResourceAsStream(STANDARD_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the standard grid " + STANDARD_RESOURCE + " is missing");
            }
            return read(in);
        } catch (IOException e) {
            throw new IllegalStateException("the standard grid " + STANDARD_RESOURCE + " does not read", e);
        }
    }

    /** The same candidates, compared over another number of folds. */
    public SelectionGrid withFolds(int newFolds) {
        return new SelectionGrid(description, newFolds, base, variants, errorMetrics, thresholds);
    }

    /** Training variants times error metrics times threshold policies. */
    public int candidates() {
        return variants.size() * errorMetrics.size() * thresholds.size();
    }

    /**
     * The settings of one candidate, over the notebook recipe: the base, the variant's, the metric and the
     * policy, in that order, each later one overriding.
     */
    public Map<String, String> settings(Variant variant, String errorMetric, String threshold) {
        Map<String, String> settings = new LinkedHashMap<>(base);
        settings.putAll(variant.settings());
        settings.put(TrainingSettings.ERROR_METRIC.name(), errorMetric);
        settings.put(TrainingSettings.THRESHOLD.name(), threshold);
        return Collections.unmodifiableMap(settings);
    }

    /**
     * The run a variant trains, on top of the notebook recipe; scored with the grid's first metric and
     * policy (the others are applied to the same reconstructions).
     */
    public TrainingSettings.Given given(Variant variant) {
        return given(settings(variant, errorMetrics.get(0), thresholds.get(0)));
    }

    /** A run from settings named as a grid names them, over the notebook recipe. */
    public static TrainingSettings.Given given(Map<String, String> settings) {
        TrainingSettings.Given given = new TrainingSettings.Given().set(TrainingSettings.RECIPE, Recipe.NOTEBOOK);
        settings.forEach((name, value) -> given.parse(TrainingSettings.named(name), value));
        return given;
    }

    private static void checkTraining(String where, Map<String, String> settings) {
        for (Map.Entry<String, String> e : settings.entrySet()) {
            TrainingSetting<?> setting;
            try {
                setting = TrainingSettings.named(e.getKey());
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException(where + ": " + unknown.getMessage(), unknown);
            }
            require(
                    TrainingSettings.SELECTABLE.contains(setting),
                    where + ": " + setting.flag() + " is not a setting a grid may vary");
            require(
                    !TrainingSettings.SCORING.contains(setting),
                    where + ": " + setting.flag() + " goes in the grid's " + scoringList(setting)
                            + ", which every variant is scored with");
            try {
                setting.parse(e.getValue());
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(where + ": " + bad.getMessage(), bad);
            }
        }
    }

    private static String scoringList(TrainingSetting<?> setting) {
        return setting == TrainingSettings.ERROR_METRIC ? "errorMetrics" : "thresholds";
    }

    private static Map<String, String> ordered(Map<String, String> settings) {
        return settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
