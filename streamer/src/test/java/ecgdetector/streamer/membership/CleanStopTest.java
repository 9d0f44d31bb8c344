package ecgdetector.streamer.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanStopTest {

    @Test
    void aCleanStopIsSeenByTheNextStartOnlyAndAFirstStartIsNotOne(@TempDir Path state) {
        Path app = state.resolve("ecg-streamer");
        assertThat(CleanStop.take(app)).as("a first start").isFalse();

        CleanStop.mark(app);
        assertThat(CleanStop.take(app)).as("the start after a clean stop").isTrue();
        assertThat(CleanStop.take(app))
                .as("the start after a run that crashed: the mark was taken when that run started")
                .isFalse();
    }
}
