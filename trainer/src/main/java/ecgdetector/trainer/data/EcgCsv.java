package ecgdetector.trainer.data;

import ecgdetector.model.input.DecimalParser;
import ecgdetector.model.release.Sha256;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads ECG5000 in {@code ecg.csv} form: no header, {@code samples} comma-separated numbers then the label
 * (1 = normal, 0 = abnormal) on every line. Strict: the first problem fails the whole file, naming the line,
 * so a model is never trained on part of a file.
 */
public final class EcgCsv {

    public static final int SAMPLES = 140;

    private EcgCsv() {}

    public static EcgDataset read(Path file) throws IOException, DataFormatException {
        byte[] bytes = Files.readAllBytes(file);
        return new EcgDataset(parse(bytes, SAMPLES, file.toString()), Sha256.hex(bytes), file.toString());
    }

    public static Heartbeats parse(byte[] bytes, int samples, String name) throws IOException, DataFormatException {
        List<float[]> beats = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", -1);
                if (fields.length != samples + 1) {
                    throw new DataFormatException(name + " line " + lineNo + ": " + fields.length
                            + " columns, expected " + (samples + 1) + " (" + samples + " samples and a label)");
                }
                float[] beat = new float[samples];
                for (int i = 0; i < samples; i++) {
                    beat[i] = number(fields[i], name, lineNo, i + 1);
                }
                float label = number(fields[samples], name, lineNo, samples + 1);
                if (label != 0f && label != 1f) {
                    throw new DataFormatException(name + " line " + lineNo + ": label '" + fields[samples].trim()
                            + "' is neither 1 (normal) nor 0 (abnormal)");
                }
                beats.add(beat);
                labels.add(label == 1f);
            }
        }
        if (beats.isEmpty()) {
            throw new DataFormatException(name + ": no heartbeats in the file");
        }
        boolean[] normal = new boolean[labels.size()];
        for (int i = 0; i < normal.length; i++) {
            normal[i] = labels.get(i);
        }
        return new Heartbeats(beats.toArray(float[][]::new), normal);
    }

    /** One sample or label, by the same grammar the streamer decodes live windows with. */
    static float number(String field, String name, int line, int column) throws DataFormatException {
        String text = field.trim();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long parsed = DecimalParser.parse(bytes, 0, bytes.length);
        if (parsed == DecimalParser.NON_FINITE_WORD) {
            throw new DataFormatException(name + " line " + line + " column " + column + ": '" + abbreviate(text)
                    + "' is not a finite number");
        }
        if (DecimalParser.isError(parsed)) {
            throw new DataFormatException(
                    name + " line " + line + " column " + column + ": '" + abbreviate(text) + "' is not a number");
        }
        float value = DecimalParser.toFloat(parsed);
        if (!Float.isFinite(value)) {
            throw new DataFormatException(name + " line " + line + " column " + column + ": '" + abbreviate(text)
                    + "' is not a finite number");
        }
        return value;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
