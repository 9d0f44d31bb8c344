package ecgdetector.streamer.topics;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.streamer.StreamerTopology;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangelogConfigsTest {

    private static final Map<String, String> WANTED = StreamerTopology.CHANGELOG_CONFIGS;
    private static final String TOPIC = "ecg-streamer-alarm-patients-store-changelog";

    @Test
    void aChangelogCreatedByTheStreamerNeedsNoChange() {
        assertThat(ChangelogConfigs.problem(TOPIC, WANTED, withDefaults(WANTED)))
                .isEmpty();
    }

    @Test
    void kafkasDefaultsGetOneLineNamingEachSettingAndTheCommandThatSetsIt() {
        Map<String, String> kafka = withDefaults(Map.of(
                "segment.ms", "604800000",
                "segment.bytes", "1073741824",
                "delete.retention.ms", "86400000",
                "max.compaction.lag.ms", "9223372036854775807",
                "min.cleanable.dirty.ratio", "0.5"));

        assertThat(ChangelogConfigs.problem(TOPIC, WANTED, kafka))
                .hasValueSatisfying(line -> assertThat(line)
                        .contains("Store changelog " + TOPIC)
                        .contains("segment.ms=604800000 (the streamer creates it with 60000)")
                        .contains("delete.retention.ms=86400000")
                        .contains("kafka-configs.sh --alter --entity-type topics --entity-name " + TOPIC
                                + " --add-config delete.retention.ms=300000,max.compaction.lag.ms=120000,"
                                + "min.cleanable.dirty.ratio=0.1,segment.bytes=16777216,segment.ms=60000")
                        .doesNotContain("\n"));
    }

    @Test
    void tighterSettingsAreTheOperatorsChoiceButTheTombstoneRetentionMustMatch() {
        Map<String, String> tighter = withDefaults(
                Map.of("segment.ms", "10000", "min.cleanable.dirty.ratio", "0.01", "max.compaction.lag.ms", "60000"));
        assertThat(ChangelogConfigs.problem(TOPIC, WANTED, tighter)).isEmpty();

        Map<String, String> shortTombstones = withDefaults(Map.of("delete.retention.ms", "60000"));
        assertThat(ChangelogConfigs.problem(TOPIC, WANTED, shortTombstones))
                .hasValueSatisfying(line ->
                        assertThat(line).contains("delete.retention.ms=60000").doesNotContain("segment.ms="));
    }

    @Test
    void aValueThatIsNotANumberIsReportedNotThrown() {
        assertThat(ChangelogConfigs.problem(TOPIC, WANTED, withDefaults(Map.of("segment.ms", ""))))
                .hasValueSatisfying(line -> assertThat(line).contains("segment.ms= (the streamer creates it with"));
    }

    @Test
    void aConfigTheBrokerDidNotDescribeIsNotJudged() {
        assertThat(ChangelogConfigs.problem(TOPIC, WANTED, Map.of())).isEmpty();
    }

    private static Map<String, String> withDefaults(Map<String, String> overrides) {
        Map<String, String> configs = new HashMap<>(WANTED);
        configs.put("cleanup.policy", "compact");
        configs.putAll(overrides);
        return configs;
    }
}
