package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.bench.ScoreTimeline.Seen;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FailoverFiguresTest {

    // Window, partition, produced, scored, readable (ms).
    private static final List<Seen> SEEN = List.of(
            new Seen("a", 0, 900, 950, 1_000),
            new Seen("b", 0, 1_100, 4_000, 4_200),
            new Seen("c", 1, 1_200, 5_000, 6_500),
            new Seen("d", 0, 1_050, 3_900, 4_300),
            new Seen("e", 1, 1_300, 5_100, 6_400));

    @Test
    void theFirstScoreOfEachPartitionIsTheEarliestReadableOfTheWindowsProducedFromThen() {
        assertThat(FailoverFigures.firstAfter(SEEN, 1_000))
                .containsOnlyKeys(0, 1)
                .satisfies(first -> {
                    assertThat(first.get(0).windowId()).isEqualTo("b");
                    assertThat(first.get(1).windowId()).isEqualTo("e");
                });
    }

    @Test
    void readableAgainIsTheSlowestPartitionsFirstScoreAndUnknownWhileAPartitionHasNone() {
        assertThat(FailoverFigures.readableAgainSeconds(SEEN, Set.of(0, 1), 1_000, 2_000))
                .isEqualTo(4.4);
        assertThat(FailoverFigures.readableAgainSeconds(SEEN, Set.of(0, 1, 2), 1_000, 2_000))
                .isNull();
    }
}
