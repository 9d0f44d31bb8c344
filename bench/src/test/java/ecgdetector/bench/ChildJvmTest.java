package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A bench child starts with the launcher's class-data archive, as {@code ./ecg stream} would, unless told otherwise. */
class ChildJvmTest {

    private static final List<String> LAUNCHED = List.of(
            "-Xmx384m",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:SharedArchiveFile=/repo/app/target/cds/ecg-1.jsa",
            "-Xlog:cds*=off",
            "-Xlog:class+path=off",
            "-Dai.djl.offline=true");

    @Test
    void aChildGetsTheArchiveThisJvmWasStartedWithAndItsQuietLogging() {
        assertThat(ChildJvm.classDataOf(LAUNCHED, List.of("-Xmx256m")))
                .containsExactly(
                        "-XX:SharedArchiveFile=/repo/app/target/cds/ecg-1.jsa",
                        "-Xlog:cds*=off",
                        "-Xlog:class+path=off");
    }

    @Test
    void aChildOfAJvmWithoutAnArchiveGetsNone() {
        assertThat(ChildJvm.classDataOf(List.of("-Xmx384m", "-Xlog:cds*=off"), List.of("-Xmx256m")))
                .isEmpty();
    }

    @Test
    void theChildsOwnArchiveOrSharingModeWins() {
        assertThat(ChildJvm.classDataOf(LAUNCHED, List.of("-XX:SharedArchiveFile=/other.jsa")))
                .isEmpty();
        assertThat(ChildJvm.classDataOf(LAUNCHED, List.of("-Xshare:off"))).isEmpty();
    }
}
