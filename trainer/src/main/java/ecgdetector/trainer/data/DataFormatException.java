package ecgdetector.trainer.data;

/** A data file that is not ECG5000 in {@code ecg.csv} form; the message names the line and the problem. */
public class DataFormatException extends Exception {

    public DataFormatException(String message) {
        super(message);
    }
}
