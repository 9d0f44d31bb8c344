package ecgdetector.trainer.data;

/**
 * The five classes of the UCR archive's ECG5000 files. {@code ecg.csv} keeps only normal (class 1) versus
 * the rest; the UCR files say which kind of abnormal beat each one is.
 */
public enum UcrClass {
    NORMAL(1, "normal"),
    R_ON_T_PVC(2, "R-on-T PVC"),
    PVC(3, "PVC"),
    SP_EB(4, "SP/EB"),
    UNCLASSIFIED(5, "unclassified beat");

    private final int label;
    private final String description;

    UcrClass(int label, String description) {
        this.label = label;
        this.description = description;
    }

    /** The number in the file's first column. */
    public int label() {
        return label;
    }

    /** The name the archive gives the class. */
    public String description() {
        return description;
    }

    /**
     * @throws IllegalArgumentException for a number that is not one of the five labels
     */
    public static UcrClass ofLabel(int label) {
        for (UcrClass c : values()) {
            if (c.label == label) {
                return c;
            }
        }
        throw new IllegalArgumentException("UCR class " + label + " is not one of 1 to " + values().length);
    }
}
