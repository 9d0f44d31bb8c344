package ecgdetector.streamer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The build's copy of the launcher's heap, which the in-process fault tests run at, is the launcher's. */
class LauncherHeapTest {

    @Test
    void theInProcessFaultTestsRunAtTheHeapTheLauncherGivesEveryCommand() {
        assertThat(System.getProperty("ecg.test.launcher.heap"))
                .as("launcher.heap in pom.xml against default_heap in ./ecg")
                .isEqualTo(ChildStreamer.productionHeap());
    }
}
