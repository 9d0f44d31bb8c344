package ecgdetector.trainer.model;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * Prints training progress the way Keras' {@code fit} does:
 *
 * <pre>
 * Epoch 3/20
 * 5/5 ━━━━━━━━━━━━━━━━━━━━ 0s 12ms/step - loss: 0.0123 - mse: 0.0040 - val_loss: 0.0110 - val_mse: 0.0031
 * </pre>
 *
 * <p>On a terminal the bar is redrawn in place as batches finish. Anywhere else (CI logs, files)
 * only the finished line is printed, so a long run adds two lines per epoch rather than one per
 * batch.
 */
public final class KerasStyleProgress implements EpochListener {

    private static final int BAR_WIDTH = 20;

    /** Redrawing more often than this only costs time; Keras uses the same interval. */
    private static final long REDRAW_NANOS = 50_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private int batches;
    private long epochStart;
    private long lastDraw;
    private int lastLineLength;

    /**
     * @param out where to print
     * @param interactive whether {@code out} is a terminal that understands {@code \r}
     */
    public KerasStyleProgress(PrintStream out, boolean interactive) {
        this.out = Objects.requireNonNull(out, "out");
        this.interactive = interactive;
    }

    /** Prints to standard output, redrawing the bar only when it is a terminal. */
    public static KerasStyleProgress toStandardOutput() {
        return new KerasStyleProgress(System.out, System.console() != null);
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        this.batches = batches;
        this.epochStart = System.nanoTime();
        // The first batch is always drawn.
        this.lastDraw = epochStart - REDRAW_NANOS;
        this.lastLineLength = 0;
        out.println("Epoch " + epoch + "/" + epochs);
    }

    @Override
    public void batchFinished(int batch, double runningLoss) {
        if (!interactive || batch == batches) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double perStep = (now - epochStart) / 1e9 / batch;
        long eta = Math.round(perStep * (batches - batch));
        redraw(steps(batch) + " " + eta + "s " + perStep(perStep) + " - loss: " + metric(runningLoss));
    }

    @Override
    public void epochFinished(EpochStats stats) {
        StringBuilder line = new StringBuilder(steps(batches))
                .append(' ')
                .append((long) stats.seconds())
                .append("s ")
                .append(perStep(stats.seconds() / Math.max(1, batches)))
                .append(" - loss: ")
                .append(metric(stats.loss()))
                .append(" - mse: ")
                .append(metric(stats.mse()));
        if (stats.hasValidation()) {
            line.append(" - val_loss: ")
                    .append(metric(stats.valLoss()))
                    .append(" - val_mse: ")
                    .append(metric(stats.valMse()));
        }
        if (interactive) {
            redraw(line.toString());
            out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void redraw(String line) {
        // Blanks out the tail of a longer previous line.
        String padding = " ".repeat(Math.max(0, lastLineLength - line.length()));
        out.print("\r" + line + padding);
        out.flush();
        lastLineLength = line.length();
    }

    /** " 3/33 ━━━━━━────────" with the count right-aligned as Keras does. */
    private String steps(int batch) {
        String total = String.valueOf(batches);
        int done = batches == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * batch / batches);
        return String.format(Locale.ROOT, "%" + total.length() + "d/%s ", batch, total)
                + "━".repeat(done)
                + "─".repeat(BAR_WIDTH - done);
    }

    /** Keras' unit choice: whole seconds, else milliseconds, else microseconds per step. */
    static String perStep(double seconds) {
        if (seconds >= 1 || seconds == 0) {
            return String.format(Locale.ROOT, "%.0fs/step", seconds);
        }
        if (seconds >= 1e-3) {
            return String.format(Locale.ROOT, "%.0fms/step", seconds * 1e3);
        }
        return String.format(Locale.ROOT, "%.0fus/step", seconds * 1e6);
    }

    /** Keras' number format: four decimals, or scientific once that would hide the value. */
    static String metric(double value) {
        return String.format(Locale.ROOT, Math.abs(value) > 1e-3 ? "%.4f" : "%.4e", value);
    }
}
