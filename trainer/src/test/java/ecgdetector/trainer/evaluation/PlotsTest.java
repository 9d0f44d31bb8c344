package ecgdetector.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    // Series colours as Plots draws them, and its fills blended over the white background.
    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color ORANGE = new Color(255, 127, 14);
    private static final Color NORMAL_FILL = overWhite(BLUE, 90);
    private static final Color ABNORMAL_FILL = overWhite(new Color(214, 39, 40), 90);
    private static final Color ERROR_FILL = overWhite(new Color(214, 39, 40), 60);

    @TempDir
    Path dir;

    @Test
    void lossCurve() throws IOException {
        Path png = dir.resolve("loss.png");
        Plots.lossCurve(Data.loss(20, 0), Data.loss(20, 0.005), png);

        BufferedImage image = readValidPng(png);
        assertThat(countNear(image, BLUE, 10)).as("training loss pixels").isGreaterThan(300);
        assertThat(countNear(image, ORANGE, 10)).as("validation loss pixels").isGreaterThan(300);
    }

    @Test
    void lossCurveWithoutValidationAndManyEpochs() throws IOException {
        Path png = dir.resolve("nested/dir/loss.png");
        Plots.lossCurve(Data.loss(150, 0), List.of(), png);

        BufferedImage image = readValidPng(png);
        assertThat(countNear(image, BLUE, 10)).isGreaterThan(300);
        assertThat(countNear(image, ORANGE, 10)).isZero();
    }

    @Test
    void lossCurveTreatsAllNaNValidationAsNoneAndGapsDivergedEpochs() throws IOException {
        // What the trainer hands over without a validation split: val_loss NaN for every epoch.
        List<Double> loss = new ArrayList<>(Data.loss(30, 0));
        loss.set(12, Double.NaN);
        loss.set(13, Double.POSITIVE_INFINITY);
        List<Double> noValidation = java.util.Collections.nCopies(30, Double.NaN);
        Path png = dir.resolve("loss.png");
        Plots.lossCurve(loss, noValidation, png);

        BufferedImage image = readValidPng(png);
        assertThat(countNear(image, BLUE, 10)).isGreaterThan(300);
        assertThat(countNear(image, ORANGE, 10)).isZero();
    }

    @Test
    void errorHistogram() throws IOException {
        Path png = dir.resolve("hist.png");
        Plots.errorHistogram(Data.normalErrors(), Data.anomalyErrors(), 0.03, png);

        BufferedImage image = readValidPng(png);
        assertThat(countNear(image, NORMAL_FILL, 6)).as("normal fill").isGreaterThan(2_000);
        assertThat(countNear(image, ABNORMAL_FILL, 6)).as("abnormal fill").isGreaterThan(2_000);
    }

    @Test
    void errorHistogramOfOneClassAndOneValue() throws IOException {
        Path png = dir.resolve("hist.png");
        Plots.errorHistogram(new float[] {0.02f, 0.02f}, new float[0], 0.02, png);

        readValidPng(png);
    }

    @Test
    void roc() throws IOException {
        Path png = dir.resolve("roc.png");
        Plots.roc(RocCurve.of(Data.scores(), Data.isAnomaly()), png);

        BufferedImage image = readValidPng(png);
        assertThat(countNear(image, BLUE, 10)).as("curve pixels").isGreaterThan(500);
        assertThat(countNear(image, Color.GRAY, 10)).as("diagonal pixels").isGreaterThan(300);
    }

    @Test
    void rocPolylineDropsStraightRunsAndSubPixelSteps() {
        // Up the left edge in three steps, then along the top in two: only the corner is needed.
        double[][] straight = Plots.thinned(new double[] {0, 0, 0, 0, 0.5, 1}, new double[] {0, 0.25, 0.5, 1, 1, 1});
        assertThat(straight[0]).containsExactly(0, 0, 1);
        assertThat(straight[1]).containsExactly(0, 1, 1);

        // A 0.0004 wiggle is below a pixel; the end points always stay.
        double[][] wiggle = Plots.thinned(new double[] {0, 0.0004, 0.0004, 1}, new double[] {0, 0, 0.0004, 1});
        assertThat(wiggle[0]).containsExactly(0, 1);
        assertThat(wiggle[1]).containsExactly(0, 1);
    }

    @Test
    void reconstructionShadesTheErrorArea() throws IOException {
        Path png = dir.resolve("reconstruction.png");
        Plots.reconstruction(Data.beat(), Data.reconstruction(), "Abnormal beat #17", png);

        BufferedImage image = readValidPng(png);
        assertThat(countNear(image, BLUE, 10)).as("input pixels").isGreaterThan(300);
        assertThat(countNear(image, ERROR_FILL, 6)).as("error area pixels").isGreaterThan(1_500);
    }

    @Test
    void rendersHeadless() throws IOException {
        // Speed is reported by the trainer's report.json (stageSeconds.plots), not asserted here.
        Plots.lossCurve(Data.loss(50, 0), Data.loss(50, 0.005), dir.resolve("a.png"));
        assertThat(GraphicsEnvironment.isHeadless()).isTrue();
    }

    @Test
    void rejectsInconsistentInput() {
        Path png = dir.resolve("x.png");
        assertThatThrownBy(() -> Plots.lossCurve(List.of(), List.of(), png))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no epochs");
        assertThatThrownBy(() -> Plots.lossCurve(List.of(1.0, 0.5), List.of(1.0), png))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("val_loss has 1");
        assertThatThrownBy(() -> Plots.lossCurve(List.of(Double.NaN, Double.NaN), List.of(), png))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no finite value");
        assertThatThrownBy(() -> Plots.errorHistogram(new float[0], new float[0], 0.1, png))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no errors");
        assertThatThrownBy(() -> Plots.reconstruction(new float[140], new float[139], "beat", png))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("140 and 139");
        assertThat(png).doesNotExist();
    }

    private static BufferedImage readValidPng(Path png) throws IOException {
        assertThat(png).isRegularFile();
        // A blank or axes-only chart compresses to far less.
        assertThat(Files.size(png)).isGreaterThan(10_000);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("decodable PNG").isNotNull();
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH);
        assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT);
        return image;
    }

    private static int countNear(BufferedImage image, Color color, int tolerance) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 0xff) - color.getRed()) <= tolerance
                        && Math.abs(((rgb >> 8) & 0xff) - color.getGreen()) <= tolerance
                        && Math.abs((rgb & 0xff) - color.getBlue()) <= tolerance) {
                    count++;
                }
            }
        }
        return count;
    }

    private static Color overWhite(Color color, int alpha) {
        double a = alpha / 255.0;
        return new Color(
                (int) Math.round(255 + (color.getRed() - 255) * a),
                (int) Math.round(255 + (color.getGreen() - 255) * a),
                (int) Math.round(255 + (color.getBlue() - 255) * a));
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    /** Deterministic stand-ins shaped like the ECG5000 run's numbers. */
    private static final class Data {

        static List<Double> loss(int epochs, double offset) {
            Random random = new Random(1);
            List<Double> loss = new ArrayList<>();
            for (int e = 0; e < epochs; e++) {
                loss.add(0.02 + offset + 0.05 * Math.exp(-e / 3.0) + 0.001 * random.nextGaussian());
            }
            return loss;
        }

        static float[] normalErrors() {
            return gaussianErrors(2_900, 0.02, 0.008, 2);
        }

        static float[] anomalyErrors() {
            return gaussianErrors(2_100, 0.06, 0.02, 3);
        }

        static float[] scores() {
            float[] normal = normalErrors();
            float[] anomaly = anomalyErrors();
            float[] scores = new float[normal.length + anomaly.length];
            System.arraycopy(normal, 0, scores, 0, normal.length);
            System.arraycopy(anomaly, 0, scores, normal.length, anomaly.length);
            return scores;
        }

        static boolean[] isAnomaly() {
            boolean[] isAnomaly = new boolean[normalErrors().length + anomalyErrors().length];
            for (int i = normalErrors().length; i < isAnomaly.length; i++) {
                isAnomaly[i] = true;
            }
            return isAnomaly;
        }

        static float[] beat() {
            Random random = new Random(4);
            float[] beat = new float[140];
            for (int i = 0; i < beat.length; i++) {
                double t = i / 140.0;
                beat[i] = (float) (-3 * bump(t, 0.2, 0.02)
                        + 2 * bump(t, 0.25, 0.03)
                        + 0.5 * Math.sin(6 * t)
                        + 0.1 * random.nextGaussian());
            }
            return beat;
        }

        static float[] reconstruction() {
            float[] beat = new float[140];
            for (int i = 0; i < beat.length; i++) {
                double t = i / 140.0;
                beat[i] = (float) (-2.2 * bump(t, 0.21, 0.03) + 1.5 * bump(t, 0.26, 0.04) + 0.45 * Math.sin(6 * t));
            }
            return beat;
        }

        private static double bump(double t, double centre, double width) {
            return Math.exp(-Math.pow((t - centre) / width, 2));
        }

        private static float[] gaussianErrors(int n, double mean, double std, long seed) {
            Random random = new Random(seed);
            float[] errors = new float[n];
            for (int i = 0; i < n; i++) {
                errors[i] = (float) Math.abs(mean + std * random.nextGaussian());
            }
            return errors;
        }
    }
}
