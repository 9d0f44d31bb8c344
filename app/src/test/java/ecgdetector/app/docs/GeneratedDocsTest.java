package ecgdetector.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.BrokerSetting;
import ecgdetector.schemas.EcgTopic;
import ecgdetector.streamer.StreamerTopology;
import ecgdetector.streamer.config.KafkaDefault;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import ecgdetector.trainer.Recipe;
import ecgdetector.trainer.SelectionRecord;
import ecgdetector.trainer.TrainingOptions;
import ecgdetector.trainer.TrainingSetting;
import ecgdetector.trainer.TrainingSettings;
import ecgdetector.trainer.assessment.EvaluationRecord;
import ecgdetector.trainer.assessment.EvaluationTable;
import ecgdetector.trainer.selection.SelectionTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tables in the docs that are generated from a definition in the code: each sits between
 * {@code <!-- generated:NAME -->} and {@code <!-- /generated:NAME -->} and must equal what the definition gives
 * today. To rewrite them all after changing a definition:
 *
 * <pre>./mvnw -B -pl app -am test -Dtest=GeneratedDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Decg.docs.update=true</pre>
 */
class GeneratedDocsTest {

    private static final Path ROOT = projectRoot();

    /** Every generated section: file, section name, the generator. */
    static Stream<Section> sections() {
        return Stream.of(
                new Section("README.md", "topics", GeneratedDocsTest::topicsTable),
                new Section("streamer/README.md", "streamer-settings", GeneratedDocsTest::streamerSettingsTable),
                new Section("streamer/README.md", "streamer-kafka-defaults", GeneratedDocsTest::kafkaDefaultsTable),
                new Section("docs/training.md", "train-options", GeneratedDocsTest::trainOptionsTable),
                new Section("docs/reliability.md", "broker-settings", GeneratedDocsTest::brokerSettingsTable),
                new Section("docs/reliability.md", "store-changelogs", GeneratedDocsTest::changelogTable),
                new Section(
                        "docs/alarms.md",
                        "alarm-transitions",
                        () -> ecgdetector.model.alarm.AlarmRules.transitionsMarkdown(
                                ecgdetector.model.alarm.AlarmRule.DEFAULT)),
                new Section(
                        "docs/alarms.md", "alarm-priorities", ecgdetector.model.alarm.AlarmRules::prioritiesMarkdown),
                new Section(
                        "docs/model-selection.md",
                        "selection-grid",
                        () -> SelectionTable.gridMarkdown(
                                SelectionRecord.committed().grid())),
                new Section(
                        "docs/model-selection.md",
                        "selection-table",
                        () -> SelectionTable.markdown(SelectionRecord.committed())),
                new Section(
                        "docs/model-selection.md",
                        "selection-choice",
                        () -> SelectionTable.choiceMarkdown(SelectionRecord.committed())),
                new Section(
                        "docs/model-selection.md",
                        "evaluation-improved",
                        () -> EvaluationTable.markdownSplits(evaluation(IMPROVED_EVALUATION))),
                new Section(
                        "docs/model-selection.md",
                        "evaluation-improved-classes",
                        () -> EvaluationTable.markdownClasses(evaluation(IMPROVED_EVALUATION))),
                new Section(
                        "docs/model-selection.md",
                        "evaluation-former-default",
                        () -> EvaluationTable.markdownSplits(evaluation(FORMER_DEFAULT_EVALUATION))),
                new Section(
                        "docs/model-selection.md",
                        "evaluation-former-default-classes",
                        () -> EvaluationTable.markdownClasses(evaluation(FORMER_DEFAULT_EVALUATION))),
                new Section(
                        "docs/model-selection.md",
                        "evaluation-notebook",
                        () -> EvaluationTable.markdownSplits(evaluation(NOTEBOOK_EVALUATION))));
    }

    /** ./ecg evaluate's records of the recipes' figures, committed beside the docs that show them. */
    static final String IMPROVED_EVALUATION = "docs/model-selection/evaluation-improved.json";

    static final String NOTEBOOK_EVALUATION = "docs/model-selection/evaluation-notebook.json";

    static final String FORMER_DEFAULT_EVALUATION = "docs/model-selection/evaluation-former-default.json";

    static EvaluationRecord evaluation(String file) {
        try {
            return EvaluationRecord.read(ROOT.resolve(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The figures the docs show for a recipe come from that recipe as it is now: a new selection makes
     * the improved recipe's evaluation stale, and this says so.
     */
    @Test
    void theEvaluationsShownAreOfTheRecipesAsTheyAre() throws IOException {
        assertThat(canonical(evaluation(IMPROVED_EVALUATION).settings()))
                .as("%s was made with the default recipe's settings; rerun ./ecg evaluate", IMPROVED_EVALUATION)
                .isEqualTo(canonical(recordedWithoutSeed(Recipe.IMPROVED)));
        assertThat(canonical(evaluation(NOTEBOOK_EVALUATION).settings()))
                .as("%s was made with the notebook recipe's settings", NOTEBOOK_EVALUATION)
                .isEqualTo(canonical(recordedWithoutSeed(Recipe.NOTEBOOK)));
    }

    /** As an evaluation records a recipe's settings: those a release records, but no seed. */
    private static Map<String, Object> recordedWithoutSeed(Recipe recipe) {
        Map<String, Object> settings =
                TrainingSettings.recorded(TrainingOptions.of(recipe, java.util.Optional.empty(), Path.of("x")));
        settings.remove("seed");
        return settings;
    }

    /** Compared as canonical JSON: a number read back may be another Java type than the one written. */
    private static String canonical(Map<String, Object> settings) throws IOException {
        return ecgdetector.schemas.Json.canonical().writeValueAsString(settings);
    }

    record Section(String file, String name, Supplier<String> generator) {
        @Override
        public String toString() {
            return file + "#" + name;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sections")
    void theDocsHoldWhatTheCodeDefines(Section section) throws IOException {
        Path file = ROOT.resolve(section.file());
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Pattern block = Pattern.compile(
                "(<!-- generated:" + Pattern.quote(section.name()) + " -->\\n)(.*?)(<!-- /generated:"
                        + Pattern.quote(section.name()) + " -->)",
                Pattern.DOTALL);
        Matcher m = block.matcher(text);
        assertThat(m.find())
                .as("%s has a generated:%s section", section.file(), section.name())
                .isTrue();
        String expected = section.generator().get();
        if (Boolean.getBoolean("ecg.docs.update")) {
            Files.writeString(
                    file,
                    m.replaceFirst(Matcher.quoteReplacement(m.group(1) + expected + m.group(3))),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(m.group(2))
                .as(
                        "%s#%s is generated from the code; rerun this test with -Decg.docs.update=true",
                        section.file(), section.name())
                .isEqualTo(expected);
    }

    /** README's topic table, from {@link EcgTopic}. */
    static String topicsTable() {
        StringBuilder out = new StringBuilder("| topic | key | value | schema |\n|---|---|---|---|\n");
        for (EcgTopic topic : EcgTopic.values()) {
            Map<String, String> configs = topic.configs();
            String compacted = "compact".equals(configs.get("cleanup.policy")) ? " (compacted)" : "";
            String schema = topic.schemaFile()
                    .map(f -> "[" + f.replace(".schema.json", "") + "](schemas/json/" + f + ")")
                    .orElse("-");
            out.append("| `")
                    .append(topic.defaultName())
                    .append('`')
                    .append(compacted)
                    .append(" | ")
                    .append(topic.keyFormat())
                    .append(" | ")
                    .append(topic.valueFormat())
                    .append(" | ")
                    .append(schema)
                    .append(" |\n");
        }
        return out.toString();
    }

    /** streamer/README.md's settings table, from {@link Setting}. */
    static String streamerSettingsTable() {
        StringBuilder out =
                new StringBuilder("| key | flag | env | default | allowed | meaning |\n|---|---|---|---|---|---|\n");
        for (Setting setting : Setting.values()) {
            String flag = setting.flag()
                    .map(f -> switch (setting.type()) {
                        case BOOLEAN -> "`--[no-]" + f.substring(2) + "`";
                        case LIST -> "`" + f + "` (repeatable)";
                        default -> "`" + f + "`";
                    })
                    .orElse("-");
            out.append("| `")
                    .append(setting.key())
                    .append("` | ")
                    .append(flag)
                    .append(" | `")
                    .append(setting.envName())
                    .append("` | ")
                    .append(setting.defaultValue().isEmpty() ? "(none)" : "`" + setting.defaultText() + "`")
                    .append(" | ")
                    .append(setting.allowed().isEmpty() ? "-" : setting.allowed())
                    .append(" | ")
                    .append(setting.description())
                    .append(" |\n");
        }
        return out.toString();
    }

    /** streamer/README.md's table of the Kafka properties the streamer sets unless given, from {@link KafkaDefault}. */
    static String kafkaDefaultsTable() {
        StringBuilder out = new StringBuilder("| key | env | default | why |\n|---|---|---|---|\n");
        for (KafkaDefault d : KafkaDefault.values()) {
            out.append("| `")
                    .append(d.key())
                    .append("` | `")
                    .append(d.envName())
                    .append("` | ")
                    .append(d.valueText())
                    .append(" | ")
                    .append(d.why())
                    .append(" |\n");
        }
        return out.toString();
    }

    /** docs/reliability.md's table of the broker settings the failover figures need, from {@link BrokerSetting}. */
    static String brokerSettingsTable() {
        StringBuilder out =
                new StringBuilder("| setting | value | Kafka's default | where | why |\n|---|---|---|---|---|\n");
        for (BrokerSetting s : BrokerSetting.values()) {
            out.append("| `")
                    .append(s.key())
                    .append("` | `")
                    .append(s.value())
                    .append("` | `")
                    .append(s.kafkaDefault())
                    .append("` | ")
                    .append(s.scope() == BrokerSetting.Scope.ANY ? "any cluster" : "3+ brokers")
                    .append(" | ")
                    .append(s.why())
                    .append(" |\n");
        }
        return out.toString();
    }

    /** docs/reliability.md's table of the stores' changelog configs, from {@link StreamerTopology}. */
    static String changelogTable() {
        StringBuilder out = new StringBuilder("| topic config | value |\n|---|---|\n");
        new java.util.TreeMap<>(StreamerTopology.CHANGELOG_CONFIGS)
                .forEach((key, value) -> out.append("| `")
                        .append(key)
                        .append("` | `")
                        .append(value)
                        .append("` |\n"));
        return out.toString();
    }

    /** docs/training.md's table of {@code ./ecg train}'s settings, from {@link TrainingSettings}. */
    static String trainOptionsTable() {
        StringBuilder out = new StringBuilder("| option | default | accepts | what it sets |\n|---|---|---|---|\n");
        for (TrainingSetting<?> setting : TrainingSettings.ALL) {
            String value = setting.label() + (setting.isList() ? "[,...]" : "");
            out.append("| `")
                    .append(setting.flag())
                    .append(' ')
                    .append(value.replace("|", "\\|"))
                    .append("` | ")
                    .append(markdownText(setting.defaults()))
                    .append(" | ")
                    .append(markdownText(setting.accepts()))
                    .append(" | ")
                    .append(markdownText(setting.doc()))
                    .append(" |\n");
        }
        return out.toString();
    }

    /** Text for a table cell: a pipe would end the cell, an angle bracket would start an HTML tag. */
    private static String markdownText(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "not inside the project: no mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
