package ecgdetector.app;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The package rules the build keeps, over the main classes of every module (all of them are on this module's
 * test class path): no package cycle anywhere, and the stream stages side by side, none importing another. A
 * stage knows the records it takes and gives ({@code ecgdetector.streamer.window}, {@code ecgdetector.schemas}),
 * never the stage on the other side; the topology is the one place that wires them.
 */
@AnalyzeClasses(packages = "ecgdetector", importOptions = ArchitectureTest.MainClassesOnly.class)
class ArchitectureTest {

    /** The stream stages, in the order of the data path. */
    static final List<String> STAGES = List.of("decode", "batch", "infer", "alert", "alarm");

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES =
            slices().matching("ecgdetector.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule NO_STAGE_IMPORTS_ANOTHER = slices().matching("ecgdetector.streamer.(*)..")
            .namingSlices("stage $1")
            .that(DescribedPredicate.describe(
                    "are stream stages " + STAGES, slice -> STAGES.contains(slice.getNamePart(1))))
            .should()
            .notDependOnEachOther()
            .because("a stage uses the window and schema types, never another stage");

    /** The rules would pass on nothing: they must see every module's main classes, and no test class. */
    @ArchTest
    static void theRulesSeeEveryModuleAndNoTests(JavaClasses classes) {
        assertThat(classes.contain("ecgdetector.schemas.EcgTopic")).isTrue();
        assertThat(classes.contain("ecgdetector.model.inference.ReleaseModel")).isTrue();
        assertThat(classes.contain("ecgdetector.broker.EmbeddedKafkaBroker")).isTrue();
        assertThat(classes.contain("ecgdetector.trainer.TrainingJob")).isTrue();
        assertThat(classes.contain("ecgdetector.streamer.StreamerTopology")).isTrue();
        assertThat(classes.contain("ecgdetector.view.WardView")).isTrue();
        assertThat(classes.contain("ecgdetector.app.Main")).isTrue();
        assertThat(classes.contain(ArchitectureTest.class)).isFalse();
        for (String stage : STAGES) {
            assertThat(classes.containPackage("ecgdetector.streamer." + stage))
                    .as(stage)
                    .isTrue();
        }
    }

    /** Main classes only: neither a module's test classes nor the test-jars that share test support. */
    static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }
}
