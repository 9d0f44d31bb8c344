package ecgdetector.trainer.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training report's figures, written as PNG files with XChart. Rendering needs no display: the
 * first use switches AWT to headless mode unless {@code java.awt.headless} was set explicitly.
 */
public final class Plots {

    static {
        // Must happen before anything touches the AWT toolkit: on a server without an X display the
        // first font or image operation would otherwise fail trying to connect to one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Size of every figure, in pixels. */
    public static final int WIDTH = 900;

    public static final int HEIGHT = 500;

    /** Bins of {@link #errorHistogram}, shared by both classes so their bars line up. */
    public static final int HISTOGRAM_BINS = 50;

    // matplotlib's default blue and red, so the figures read like the reference notebooks'.
    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color RED = new Color(214, 39, 40);
    private static final Color ORANGE = new Color(255, 127, 14);
    private static final Color GRID = new Color(225, 225, 225);

    private static final BasicStroke LINE = new BasicStroke(2f);
    private static final BasicStroke THIN = new BasicStroke(1f);
    private static final BasicStroke DASHED =
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f);

    /**
     * Tick labels for small numbers such as losses and errors: XChart's default drops the leading
     * zero (".075"). A fixed decimal pattern is no fix: XChart retries wider tick spacings until
     * all labels differ, so a pattern too coarse for the data's scale never satisfies it and the
     * render loops forever. Ten significant digits keep distinct tick values distinct at any scale,
     * and XChart's ticks are clean decimals, so this prints "0.075", not "0.07500000000000001".
     */
    private static final Function<Double, String> PLAIN_NUMBER = v -> BigDecimal.valueOf(v)
            .round(new MathContext(10))
            .stripTrailingZeros()
            .toPlainString();

    /** Markers stop helping once epochs are this dense. */
    private static final int MAX_EPOCHS_WITH_MARKERS = 40;

    /** Below a pixel on the ROC figure; see {@link #thinned}. */
    private static final double MIN_ROC_STEP = 1e-3;

    /** Up to here a label on every epoch still reads well. */
    private static final int MAX_EPOCHS_LABELLED_EACH = 25;

    private Plots() {}

    /**
     * Training and validation loss per epoch, x running 1..n. A NaN or infinite epoch (a diverging
     * run) leaves a gap rather than failing the run that wants its plots.
     *
     * @param valLoss empty, or all NaN, when training had no validation split; otherwise as long as
     *     {@code loss}
     * @throws IllegalArgumentException if {@code loss} has no finite value or the lengths differ
     */
    public static void lossCurve(List<Double> loss, List<Double> valLoss, Path png) throws IOException {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(valLoss, "valLoss");
        if (loss.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        double[] trainY = gapsForNonFinite(loss, "loss");
        if (!hasFinite(trainY)) {
            throw new IllegalArgumentException("loss has no finite value to plot");
        }
        double[] validationY = gapsForNonFinite(valLoss, "val_loss");
        if (validationY.length > 0 && validationY.length != trainY.length) {
            throw new IllegalArgumentException(
                    "loss has " + loss.size() + " epochs but val_loss has " + valLoss.size());
        }
        double[] epochs = new double[loss.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }

        XYChart chart = newChart("Training history", "epoch", "loss");
        chart.getStyler().setyAxisTickLabelsFormattingFunction(PLAIN_NUMBER);
        boolean markers = loss.size() <= MAX_EPOCHS_WITH_MARKERS;
        addLine(chart, "loss (training)", epochs, trainY, BLUE, markers);
        if (hasFinite(validationY)) {
            addLine(chart, "val_loss (validation)", epochs, validationY, ORANGE, markers);
        }
        // Up to MAX_EPOCHS_LABELLED_EACH epochs XChart labels every epoch (equally spaced x
        // values), beyond that round-number ticks, which are whole numbers at these spans.
        if (loss.size() > MAX_EPOCHS_LABELLED_EACH) {
            useRoundNumberTicks(chart, 1.5, firstFinite(trainY));
        }
        chart.getStyler().setXAxisMin(1.0);
        chart.getStyler().setXAxisMax((double) Math.max(2, loss.size()));
        chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
        write(chart, png);
    }

    /**
     * Overlaid histograms of the reconstruction errors of normal and abnormal beats, over the same
     * {@value #HISTOGRAM_BINS} bins, with the threshold as a vertical line.
     *
     * @param normalErrors errors of normal (test) beats; may be empty
     * @param anomalyErrors errors of abnormal (test) beats; may be empty, but not both
     */
    public static void errorHistogram(float[] normalErrors, float[] anomalyErrors, double threshold, Path png)
            throws IOException {
        Checks.finite(normalErrors, "normalErrors");
        Checks.finite(anomalyErrors, "anomalyErrors");
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, got " + threshold);
        }
        if (normalErrors.length == 0 && anomalyErrors.length == 0) {
            throw new IllegalArgumentException("no errors to plot");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float[] errors : List.of(normalErrors, anomalyErrors)) {
            for (float e : errors) {
                min = Math.min(min, e);
                max = Math.max(max, e);
            }
        }
        if (max == min) {
            // One value only: give the single bin a visible width.
            double half = min == 0 ? 0.5 : Math.abs(min) / 2;
            min -= half;
            max += half;
        }

        XYChart chart = newChart("Reconstruction error of test beats", "reconstruction error", "beats");
        chart.getStyler().setxAxisTickLabelsFormattingFunction(PLAIN_NUMBER);
        int tallest = 0;
        if (normalErrors.length > 0) {
            String name = "normal (n=" + normalErrors.length + ")";
            tallest = Math.max(tallest, addHistogram(chart, name, normalErrors, min, max, BLUE));
        }
        if (anomalyErrors.length > 0) {
            String name = "abnormal (n=" + anomalyErrors.length + ")";
            tallest = Math.max(tallest, addHistogram(chart, name, anomalyErrors, min, max, RED));
        }
        XYSeries line = chart.addSeries(
                "threshold = " + format(threshold), new double[] {threshold, threshold}, new double[] {0, tallest * 1.05
                });
        line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        line.setLineColor(Color.BLACK);
        line.setLineStyle(DASHED);
        line.setMarker(SeriesMarkers.NONE);
        chart.getStyler().setYAxisMin(0.0);
        legendBelow(chart);
        write(chart, png);
    }

    /** The ROC curve with its AUC, against the chance diagonal. */
    public static void roc(RocCurve curve, Path png) throws IOException {
        Objects.requireNonNull(curve, "curve");
        String auc = String.format(Locale.ROOT, "%.4f", curve.auc());
        XYChart chart = newChart(
                "ROC curve (AUC = "
                        + auc
                        + ", "
                        + curve.positives()
                        + " abnormal, "
                        + curve.negatives()
                        + " normal beats)",
                "false positive rate (normal beats flagged)",
                "true positive rate (abnormal beats caught)");
        double[][] polyline = thinned(curve.fpr(), curve.tpr());
        addLine(chart, "autoencoder (AUC = " + auc + ")", polyline[0], polyline[1], BLUE, false);
        XYSeries chance = chart.addSeries("chance (AUC = 0.5)", new double[] {0, 1}, new double[] {0, 1});
        chance.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        chance.setLineColor(Color.GRAY);
        chance.setLineStyle(DASHED);
        chance.setMarker(SeriesMarkers.NONE);
        XYStyler styler = chart.getStyler();
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(1.0);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(1.0);
        styler.setxAxisTickLabelsFormattingFunction(PLAIN_NUMBER);
        styler.setyAxisTickLabelsFormattingFunction(PLAIN_NUMBER);
        styler.setLegendPosition(LegendPosition.InsideSE);
        write(chart, png);
    }

    /**
     * One beat and its reconstruction over sample index 0..n-1, the area between them shaded, as
     * the TensorFlow tutorial draws it with {@code fill_between}: where the reconstruction misses,
     * which the beat's reconstruction error sums up.
     *
     * @throws IllegalArgumentException if the beats are empty, differ in length or hold a
     *     non-finite value
     */
    public static void reconstruction(float[] input, float[] reconstruction, String title, Path png)
            throws IOException {
        Checks.finite(input, "input");
        Checks.finite(reconstruction, "reconstruction");
        Objects.requireNonNull(title, "title");
        int n = input.length;
        if (n == 0 || reconstruction.length != n) {
            throw new IllegalArgumentException("input and reconstruction must be non-empty and equally long, got "
                    + n
                    + " and "
                    + reconstruction.length);
        }
        double[] x = new double[n];
        double[] in = new double[n];
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            in[i] = input[i];
            out[i] = reconstruction[i];
        }

        // A closed polygon along the input and back along the reconstruction fills exactly the area
        // between the curves, wherever they cross; XChart's Area style could only fill down to
        // zero.
        double[] polygonX = new double[2 * n];
        double[] polygonY = new double[2 * n];
        for (int i = 0; i < n; i++) {
            polygonX[i] = x[i];
            polygonY[i] = in[i];
            polygonX[2 * n - 1 - i] = x[i];
            polygonY[2 * n - 1 - i] = out[i];
        }

        XYChart chart = newChart(title, "sample index", "amplitude (scaled)");
        // The legend lists series in insertion order, the plot paints them in it: the lines go in
        // first for the legend, the fill next, and the lines again, unlisted, to sit on top of the
        // fill instead of under its tint.
        addLine(chart, "input", x, in, BLUE, false);
        addLine(chart, "reconstruction", x, out, RED, false);
        XYSeries error = chart.addSeries("difference |input - reconstruction|", polygonX, polygonY);
        error.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
        error.setFillColor(new Color(RED.getRed(), RED.getGreen(), RED.getBlue(), 60));
        // Not drawn along the outline (no stroke), but it borders the legend swatch.
        error.setLineColor(RED);
        error.setLineStyle(SeriesLines.NONE);
        error.setMarker(SeriesMarkers.NONE);
        addLine(chart, "input ", x, in, BLUE, false).setShowInLegend(false);
        addLine(chart, "reconstruction ", x, out, RED, false).setShowInLegend(false);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) (n - 1));
        if (n > 2) {
            useRoundNumberTicks(chart, 0.5, in[0]);
        }
        legendBelow(chart);
        write(chart, png);
    }

    /**
     * The ROC polyline without the points a {@value #WIDTH}-pixel figure cannot show: middles of
     * straight runs, and points within {@code 1/1000} of the last one kept in both coordinates. A
     * test set of thousands of beats otherwise costs XChart about half a second per figure, for the
     * same picture.
     *
     * @return {x, y}, keeping the first and last point
     */
    static double[][] thinned(double[] x, double[] y) {
        int n = x.length;
        double[] keptX = new double[n];
        double[] keptY = new double[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean interior = i > 0 && i < n - 1;
            if (interior && kept > 0) {
                double dx = x[i] - keptX[kept - 1];
                double dy = y[i] - keptY[kept - 1];
                boolean straightOn = dx * (y[i + 1] - y[i]) == dy * (x[i + 1] - x[i]);
                boolean subPixel = Math.abs(dx) < MIN_ROC_STEP && Math.abs(dy) < MIN_ROC_STEP;
                if (straightOn || subPixel) {
                    continue;
                }
            }
            keptX[kept] = x[i];
            keptY[kept] = y[i];
            kept++;
        }
        return new double[][] {Arrays.copyOf(keptX, kept), Arrays.copyOf(keptY, kept)};
    }

    /**
     * Points in groups, one colour each, and one point ringed and named, e.g. every candidate of a model
     * selection by its ROC-AUC and accuracy, grouped by threshold policy, with the chosen one marked.
     *
     * @param groups name to the points' x values and y values, in the legend's order
     * @param marked the point to ring, {x, y}
     */
    public static void scatter(
            String title,
            String xTitle,
            String yTitle,
            Map<String, double[][]> groups,
            double[] marked,
            String markedName,
            Path png)
            throws IOException {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("no points to plot");
        }
        XYChart chart = newChart(title, xTitle, yTitle);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(PLAIN_NUMBER);
        chart.getStyler().setyAxisTickLabelsFormattingFunction(PLAIN_NUMBER);
        Color[] palette = {BLUE, ORANGE, RED, new Color(44, 160, 44), new Color(148, 103, 189), Color.GRAY};
        int i = 0;
        for (Map.Entry<String, double[][]> group : groups.entrySet()) {
            XYSeries series = chart.addSeries(group.getKey(), group.getValue()[0], group.getValue()[1]);
            series.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(palette[i++ % palette.length]);
        }
        XYSeries ring = chart.addSeries(markedName, new double[] {marked[0]}, new double[] {marked[1]});
        ring.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        ring.setMarker(SeriesMarkers.DIAMOND);
        ring.setMarkerColor(Color.BLACK);
        legendBelow(chart);
        write(chart, png);
    }

    private static XYChart newChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xTitle);
        chart.setYAxisTitle(yTitle);
        XYStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Color.GRAY);
        styler.setPlotGridLinesColor(GRID);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        styler.setChartTitleBoxVisible(false);
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        styler.setMarkerSize(6);
        styler.setToolTipsEnabled(false);
        styler.setAntiAlias(true);
        return chart;
    }

    /**
     * When all x values are equally spaced, XChart labels every k-th one and packs those labels far
     * tighter than its tick spacing hint (140 samples get a label every 5). One extra x value off
     * that grid, drawn as nothing, makes it fall back to round-number ticks that honour the hint.
     *
     * @param x inside the x range and off the data's grid
     * @param y inside the y range, so the axes do not grow
     */
    private static void useRoundNumberTicks(XYChart chart, double x, double y) {
        XYSeries anchor = chart.addSeries(" tick anchor", new double[] {x}, new double[] {y});
        anchor.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
        anchor.setMarker(SeriesMarkers.NONE);
        anchor.setShowInLegend(false);
    }

    /** For figures whose data can reach any corner, such as a beat's end or a long error tail. */
    private static void legendBelow(XYChart chart) {
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(LegendLayout.Horizontal);
    }

    private static XYSeries addLine(XYChart chart, String name, double[] x, double[] y, Color color, boolean markers) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
        series.setLineColor(color);
        series.setLineStyle(LINE);
        series.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        series.setMarkerColor(color);
        return series;
    }

    /**
     * Draws the histogram as one closed outline along the bar tops, which XChart fills
     * semi-transparently so both classes stay visible where they overlap.
     *
     * @return the tallest bar
     */
    private static int addHistogram(XYChart chart, String name, float[] values, double min, double max, Color color) {
        int[] counts = new int[HISTOGRAM_BINS];
        double width = (max - min) / HISTOGRAM_BINS;
        for (float v : values) {
            // numpy's convention: bins are half-open except the last, which also takes the maximum.
            int bin = (int) ((v - min) / width);
            counts[Math.min(Math.max(bin, 0), HISTOGRAM_BINS - 1)]++;
        }
        double[] x = new double[2 * HISTOGRAM_BINS + 2];
        double[] y = new double[2 * HISTOGRAM_BINS + 2];
        int tallest = 0;
        int k = 0;
        x[k] = min;
        y[k++] = 0;
        for (int b = 0; b < HISTOGRAM_BINS; b++) {
            x[k] = min + b * width;
            y[k++] = counts[b];
            x[k] = b + 1 == HISTOGRAM_BINS ? max : min + (b + 1) * width;
            y[k++] = counts[b];
            tallest = Math.max(tallest, counts[b]);
        }
        x[k] = max;
        y[k] = 0;
        XYSeries series = chart.addSeries(name, x, y);
        series.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
        series.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 90));
        series.setLineColor(color);
        series.setLineStyle(THIN);
        series.setMarker(SeriesMarkers.NONE);
        return tallest;
    }

    /** XChart breaks a line at NaN; an infinity would stretch the axis to nothing. */
    private static double[] gapsForNonFinite(List<Double> values, String what) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            Double v = values.get(i);
            if (v == null) {
                throw new NullPointerException(what + "[" + i + "] is null");
            }
            out[i] = Double.isFinite(v) ? v : Double.NaN;
        }
        return out;
    }

    private static boolean hasFinite(double[] values) {
        return !Double.isNaN(firstFinite(values));
    }

    private static double firstFinite(double[] values) {
        for (double v : values) {
            if (!Double.isNaN(v)) {
                return v;
            }
        }
        return Double.NaN;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4g", value);
    }

    private static void write(XYChart chart, Path png) throws IOException {
        Objects.requireNonNull(png, "png");
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(png))) {
            BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
        }
    }
}
