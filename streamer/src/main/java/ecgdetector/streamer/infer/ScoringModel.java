package ecgdetector.streamer.infer;

import ecgdetector.schemas.ReleaseManifest;

/**
 * A verified, loaded model release that can score raw windows. Thread-safe; the {@link Scorer}s it hands out
 * are not. The streamer's one implementation is {@link DjlModelLoader}'s (DJL on TensorFlow); tests plug in
 * fakes through {@link ModelLoader}.
 */
public interface ScoringModel extends AutoCloseable {

    ReleaseManifest manifest();

    /** A scorer for the calling thread only. */
    Scorer newScorer();

    /** Whether a score is an anomaly under this release: strictly above its threshold. */
    default boolean isAnomaly(float score) {
        return ecgdetector.model.scoring.AnomalyRule.isAnomaly(score, manifest().threshold());
    }

    /** Frees the model's native memory; no scorer of it may be used afterwards. */
    @Override
    void close();
}
