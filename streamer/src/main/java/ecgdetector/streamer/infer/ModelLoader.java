package ecgdetector.streamer.infer;

import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;

/** Turns a release bundle into a servable model, or says why it must not be served. */
@FunctionalInterface
public interface ModelLoader {

    /**
     * Loads and checks {@code bundle} (its digest is already verified): the model must load and give finite
     * output on a canary batch.
     */
    ScoringModel load(ReleaseBundle bundle) throws InvalidReleaseException;
}
