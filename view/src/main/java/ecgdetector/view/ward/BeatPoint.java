package ecgdetector.view.ward;

import ecgdetector.schemas.WindowSource;

/**
 * One scored window of a patient as the view holds it: the streamer's verdict and, once the view has read the
 * input record it came from, the window's raw samples.
 *
 * @param seq          the patient's own count of scored windows, so a browser can ask for what is new
 * @param windowId     the score's window id ({@code topic/partition/offset})
 * @param source       the input record the window came from
 * @param beatId       the input's beat id, or null
 * @param eventTimeMs  the window's event time
 * @param score        the streamer's score
 * @param threshold    the threshold it was held against
 * @param anomaly      the streamer's verdict
 * @param modelVersion the release that scored it
 * @param samples      the raw samples, once read; null before, or when they cannot be had
 * @param samplesNote  why there are no samples, when there will be none; null otherwise
 */
public record BeatPoint(
        long seq,
        String windowId,
        WindowSource source,
        String beatId,
        long eventTimeMs,
        float score,
        double threshold,
        boolean anomaly,
        String modelVersion,
        float[] samples,
        String samplesNote) {

    /** score / threshold, as the streamer's severity bands take it; infinite for a threshold of 0. */
    public double ratio() {
        return threshold > 0 ? score / threshold : Double.POSITIVE_INFINITY;
    }

    BeatPoint withSamples(float[] raw) {
        return new BeatPoint(
                seq, windowId, source, beatId, eventTimeMs, score, threshold, anomaly, modelVersion, raw, null);
    }

    BeatPoint withoutSamples(String note) {
        return new BeatPoint(
                seq, windowId, source, beatId, eventTimeMs, score, threshold, anomaly, modelVersion, null, note);
    }

    /** Whether the samples are settled: read, or known to be unavailable. */
    boolean resolved() {
        return samples != null || samplesNote != null;
    }
}
