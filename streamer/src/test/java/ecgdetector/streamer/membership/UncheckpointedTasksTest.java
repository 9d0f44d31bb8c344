package ecgdetector.streamer.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncheckpointedTasksTest {

    @Test
    void taskStateWithoutACheckpointIsRemovedAndEverythingElseKept(@TempDir Path app) throws Exception {
        // What a SIGKILLed run leaves: two tasks that were processing (stores, no checkpoint) ...
        write(app.resolve("0_0/rocksdb/batch-buffer-store/000004.log"));
        write(app.resolve("0_0/rocksdb/alarm-patients-store/CURRENT"));
        write(app.resolve("0_3/rocksdb/batch-buffer-store/MANIFEST-000005"));
        write(app.resolve("0_3/.lock"));
        // ... one closed cleanly (checkpointed), one never given state, and the application's own files.
        write(app.resolve("0_1/rocksdb/batch-buffer-store/000004.log"));
        write(app.resolve("0_1/.checkpoint"));
        write(app.resolve("0_2/.lock"));
        Files.createDirectories(app.resolve("0_4"));
        write(app.resolve("global/.checkpoint"));
        write(app.resolve("kafka-streams-process-metadata"));
        write(app.resolve("1_x/store"));

        assertThat(UncheckpointedTasks.discard(app)).containsExactly("0_0", "0_3");

        assertThat(app.resolve("0_0")).doesNotExist();
        assertThat(app.resolve("0_3")).doesNotExist();
        assertThat(app.resolve("0_1/rocksdb/batch-buffer-store/000004.log")).exists();
        assertThat(app.resolve("0_2/.lock")).exists();
        assertThat(app.resolve("0_4")).isDirectory();
        assertThat(app.resolve("global/.checkpoint")).exists();
        assertThat(app.resolve("kafka-streams-process-metadata")).exists();
        assertThat(app.resolve("1_x/store")).exists();
        assertThat(UncheckpointedTasks.discard(app))
                .as("nothing left to remove")
                .isEmpty();
    }

    @Test
    void aFirstStartHasNothingToRemove(@TempDir Path state) {
        assertThat(UncheckpointedTasks.discard(state.resolve("ecg-streamer"))).isEmpty();
    }

    private static void write(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
    }
}
