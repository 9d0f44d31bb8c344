package ecgdetector.streamer.window;

import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.ReleaseManifest;
import java.util.List;

/**
 * The windows of one inference call that got a finite score, oldest first, their scores in the same order, and
 * the release that gave them all.
 */
public record ScoredBatch(ReleaseManifest model, List<BufferedWindow> windows, BeatScore[] scores) {

    public ScoredBatch {
        if (windows.size() != scores.length) {
            throw new IllegalArgumentException(windows.size() + " windows, " + scores.length + " scores");
        }
    }

    public int size() {
        return scores.length;
    }
}
