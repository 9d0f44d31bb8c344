package ecgdetector.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.trainer.data.EcgCsv;
import ecgdetector.trainer.data.EcgDataset;
import ecgdetector.trainer.model.EpochListener;
import ecgdetector.trainer.testing.TestReleases;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance figures on the real ECG5000 file; skipped where the file is absent. */
class FullDataIT {

    @TempDir
    Path out;

    @Test
    void theDefaultRecipeMeetsTheBar() throws Exception {
        TrainingReport report = TestReleases.fullDefault().report();
        System.out.printf(
                "default recipe: accuracy %.4f, ROC-AUC %.4f, trainSeconds %.2f%n",
                report.test().accuracy(),
                report.test().rocAuc(),
                report.timings().trainSeconds());

        assertThat(report.model().recipe()).isEqualTo("improved");
        assertThat(report.data().rows()).isEqualTo(4998);
        assertThat(report.data().test()).isEqualTo(1000);
        assertThat(report.test().accuracy()).isGreaterThanOrEqualTo(0.97);
        assertThat(report.test().rocAuc()).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void theNotebookRecipeIsReproduced() throws Exception {
        EcgDataset data = EcgCsv.read(TestReleases.requireFullData());
        TrainingReport report = new TrainingJob(new PrintStream(PrintStream.nullOutputStream()), EpochListener.SILENT)
                .run(TrainingOptions.of(Recipe.NOTEBOOK, Optional.empty(), out), data)
                .report();
        System.out.printf(
                "notebook recipe: accuracy %.4f, ROC-AUC %.4f, trainSeconds %.2f%n",
                report.test().accuracy(),
                report.test().rocAuc(),
                report.timings().trainSeconds());

        // The notebooks report 0.94-0.96 on their own splits; on ours it lands within that band's
        // reach, and its loss curve falls as theirs does.
        assertThat(report.test().accuracy()).isGreaterThan(0.92);
        assertThat(report.test().rocAuc()).isGreaterThan(0.93);
        assertThat(report.curves().trainLoss().get(19))
                .isLessThan(report.curves().trainLoss().get(0) / 2);
        assertThat(report.rule().thresholdPolicy()).isEqualTo("mean+1std");
    }
}
