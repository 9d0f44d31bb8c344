package ecgdetector.streamer.infer;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.schemas.ReleaseManifest;

/**
 * Loads releases into DJL's TensorFlow engine through {@link ReleaseModel}, the same code the trainer
 * evaluates with: the release's scaler, its error metric and the SavedModel, checked with a canary batch.
 * Each {@link Scorer} wraps one DJL {@link Predictor}; the streamer keeps one per stream thread.
 */
public final class DjlModelLoader implements ModelLoader {

    @Override
    public ScoringModel load(ReleaseBundle bundle) throws InvalidReleaseException {
        return new DjlModel(ReleaseModel.load(bundle));
    }

    private record DjlModel(ReleaseModel model) implements ScoringModel {

        @Override
        public ReleaseManifest manifest() {
            return model.manifest();
        }

        @Override
        public Scorer newScorer() {
            return new DjlScorer(model.newPredictor(), model.manifest().version());
        }

        @Override
        public boolean isAnomaly(float score) {
            return model.isAnomaly(score);
        }

        @Override
        public void close() {
            model.close();
        }
    }

    private record DjlScorer(Predictor<float[][], BeatScore[]> predictor, String version) implements Scorer {

        @Override
        public BeatScore[] score(float[][] rawWindows) {
            try {
                return predictor.predict(rawWindows);
            } catch (TranslateException e) {
                throw new IllegalStateException(
                        "inference failed on model version " + version + " for a batch of " + rawWindows.length
                                + " windows",
                        e);
            }
        }

        @Override
        public void close() {
            predictor.close();
        }
    }
}
