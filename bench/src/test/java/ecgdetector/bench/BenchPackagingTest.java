package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.app.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench joins {@code ./ecg} from its own jar, and the production image is built without it. */
class BenchPackagingTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void ecgFindsTheBenchCommandOnTheClassPathAndListsItBeforeHelp() {
        List<String> commands =
                new ArrayList<>(Main.commandLine().getSubcommands().keySet());

        assertThat(commands).endsWith("bench", "help");
        Object bench = Main.commandLine().getSubcommands().get("bench").getCommand();
        assertThat(bench).isInstanceOf(BenchCommand.class);
    }

    @Test
    void theImageIsBuiltWithoutTheBenchAndCarriesNothingOfIt() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));

        List<String> benchCopies = lines.stream()
                .filter(l -> l.startsWith("COPY") && l.contains("bench"))
                .toList();
        assertThat(benchCopies)
                .as("only the bench's pom, for the reactor to read")
                .containsExactly("COPY bench/pom.xml bench/pom.xml");
        assertThat(lines).anyMatch(l -> l.startsWith("RUN mvn") && l.contains("-pl app -am"));
        assertThat(lines.stream().filter(l -> l.startsWith("COPY --from=build")))
                .isNotEmpty()
                .allMatch(l -> l.contains("/src/app/target/"));
    }
}
