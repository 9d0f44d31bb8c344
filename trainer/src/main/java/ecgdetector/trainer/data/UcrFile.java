package ecgdetector.trainer.data;

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
 * Reads ECG5000 as the UCR archive ships it ({@code ECG5000_TRAIN.txt}, {@code ECG5000_TEST.txt}): on every
 * line the class (1 to 5) then the samples, separated by blanks. Class 1 is normal, the rest abnormal. As
 * strict as {@link EcgCsv}, with the same number grammar.
 */
public final class UcrFile {

    private UcrFile() {}

    /**
     * @param data the beats, normal meaning class 1, with the file's digest and path
     * @param classes each beat's UCR class, in file order
     */
    public record Labelled(EcgDataset data, List<UcrClass> classes) {
        public Labelled {
            classes = List.copyOf(classes);
            if (classes.size() != data.beats().size()) {
                throw new IllegalArgumentException(data.beats().size() + " beats but " + classes.size() + " classes");
            }
        }
    }

    public static Labelled read(Path file) throws IOException, DataFormatException {
        byte[] bytes = Files.readAllBytes(file);
        return parse(bytes, EcgCsv.SAMPLES, file.toString(), Sha256.hex(bytes));
    }

    static Labelled parse(byte[] bytes, int samples, String name, String sha256)
            throws IOException, DataFormatException {
        List<float[]> beats = new ArrayList<>();
        List<UcrClass> classes = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.strip().split("\\s+");
                if (fields.length != samples + 1) {
                    throw new DataFormatException(name + " line " + lineNo + ": " + fields.length
                            + " columns, expected " + (samples + 1) + " (a class and " + samples + " samples)");
                }
                classes.add(ucrClass(EcgCsv.number(fields[0], name, lineNo, 1), fields[0], name, lineNo));
                float[] beat = new float[samples];
                for (int i = 0; i < samples; i++) {
                    beat[i] = EcgCsv.number(fields[i + 1], name, lineNo, i + 2);
                }
                beats.add(beat);
            }
        }
        if (beats.isEmpty()) {
            throw new DataFormatException(name + ": no heartbeats in the file");
        }
        boolean[] normal = new boolean[classes.size()];
        for (int i = 0; i < normal.length; i++) {
            normal[i] = classes.get(i) == UcrClass.NORMAL;
        }
        return new Labelled(
                new EcgDataset(new Heartbeats(beats.toArray(float[][]::new), normal), sha256, name), classes);
    }

    private static UcrClass ucrClass(float value, String text, String name, int line) throws DataFormatException {
        int label = (int) value;
        if (label != value || label < 1 || label > UcrClass.values().length) {
            throw new DataFormatException(name + " line " + line + ": class '" + text.strip() + "' is not one of 1 to "
                    + UcrClass.values().length);
        }
        return UcrClass.ofLabel(label);
    }
}
