package ecgdetector.trainer;

import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.evaluation.Plots;
import ecgdetector.trainer.evaluation.RocCurve;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The plots of a training run, drawn into one folder under the names report.json lists them by. */
final class TrainingPlots {

    private TrainingPlots() {}

    /**
     * @param test the test beats, in the order of {@code detail}
     * @param detail the release's score and reconstruction of each test beat
     * @return report.json's {@code files} entries for the plots: what each is, its file name
     */
    static Map<String, String> draw(
            Path dir,
            TrainingReport.LearningCurves curves,
            Heartbeats test,
            BeatScore[] detail,
            double threshold,
            RocCurve roc,
            MinMaxScaler scaler)
            throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        Plots.lossCurve(curves.trainLoss(), curves.valLoss(), dir.resolve("loss.png"));
        files.put("loss", "loss.png");
        errorHistogram(test, detail, threshold, dir.resolve("error-histogram.png"));
        files.put("errorHistogram", "error-histogram.png");
        Plots.roc(roc, dir.resolve("roc.png"));
        files.put("roc", "roc.png");
        Path normal = dir.resolve("reconstruction-normal.png");
        reconstruction("Normal", firstWhere(test, true), test, detail, threshold, scaler, normal);
        files.put("reconstructionNormal", "reconstruction-normal.png");
        Path abnormal = dir.resolve("reconstruction-anomaly.png");
        reconstruction("Abnormal", firstWhere(test, false), test, detail, threshold, scaler, abnormal);
        files.put("reconstructionAnomaly", "reconstruction-anomaly.png");
        return files;
    }

    private static void errorHistogram(Heartbeats test, BeatScore[] detail, double threshold, Path file)
            throws IOException {
        int normals = test.countNormal();
        float[] normalErrors = new float[normals];
        float[] anomalyErrors = new float[test.size() - normals];
        for (int i = 0, n = 0, a = 0; i < test.size(); i++) {
            if (test.normal()[i]) {
                normalErrors[n++] = detail[i].error();
            } else {
                anomalyErrors[a++] = detail[i].error();
            }
        }
        Plots.errorHistogram(normalErrors, anomalyErrors, threshold, file);
    }

    /** One test beat against its reconstruction, in the scaled units the model sees. */
    private static void reconstruction(
            String kind, int row, Heartbeats test, BeatScore[] detail, double threshold, MinMaxScaler scaler, Path file)
            throws IOException {
        Plots.reconstruction(
                scaler.transform(test.beats()[row]),
                detail[row].reconstruction(),
                String.format(
                        Locale.ROOT, "%s test beat: error %.5f (threshold %.5f)", kind, detail[row].error(), threshold),
                file);
    }

    private static int firstWhere(Heartbeats test, boolean normal) {
        for (int i = 0; i < test.size(); i++) {
            if (test.normal()[i] == normal) {
                return i;
            }
        }
        throw new IllegalArgumentException("no " + (normal ? "normal" : "abnormal") + " beat among " + test);
    }
}
