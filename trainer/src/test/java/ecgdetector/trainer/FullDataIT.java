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

/**
 * Regression guards on the real ECG5000 file; skipped where the file is absent. The bars sit below the
 * worst test figures of each recipe over split seeds 1 to 5 (docs/model-selection.md, measured on an AMD EPYC
 * with AVX-512), with a margin for other processors: TensorFlow's kernels differ by instruction set, so the
 * same seed trains other weights elsewhere. They catch a broken detector, not a figure to tune towards.
 */
class FullDataIT {

    /** Worst of the five splits 0.979 (seed 2), less 0.009. */
    static final double DEFAULT_ACCURACY = 0.97;

    /** Worst of the five splits 0.9911 (seed 5), less 0.0111. */
    static final double DEFAULT_ROC_AUC = 0.98;

    /** Worst of the five splits 0.935 (seed 4), less 0.015. */
    static final double NOTEBOOK_ACCURACY = 0.92;

    /** Worst of the five splits 0.955 (seed 3), less 0.015. */
    static final double NOTEBOOK_ROC_AUC = 0.94;

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
        assertThat(report.test().accuracy()).isGreaterThanOrEqualTo(DEFAULT_ACCURACY);
        assertThat(report.test().rocAuc()).isGreaterThanOrEqualTo(DEFAULT_ROC_AUC);
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

        // The notebooks report 0.94-0.96 on their own splits; ours give 0.935-0.950, and the loss
        // curve falls as theirs does.
        assertThat(report.test().accuracy()).isGreaterThanOrEqualTo(NOTEBOOK_ACCURACY);
        assertThat(report.test().rocAuc()).isGreaterThanOrEqualTo(NOTEBOOK_ROC_AUC);
        assertThat(report.curves().trainLoss().get(19))
                .isLessThan(report.curves().trainLoss().get(0) / 2);
        assertThat(report.rule().thresholdPolicy()).isEqualTo("mean+1std");
    }
}
