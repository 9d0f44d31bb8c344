package ecgdetector.model.testing;

import ecgdetector.schemas.ReleaseManifest;
import java.util.Arrays;
import java.util.Map;

/** Manifest drafts for tests: a release's description with whatever a test varies, the rest fixed. */
public final class TestManifests {

    private TestManifests() {}

    /**
     * A draft (no files, no digest: {@code ReleaseBundle.seal} adds them) of release format 2.
     *
     * @param scaler    the scaling the model expects; its length is the input length
     * @param createdAt ISO-8601 instant
     */
    public static ReleaseManifest draft(
            String modelName,
            String version,
            String createdAt,
            ReleaseManifest.Scaler scaler,
            ReleaseManifest.Scoring scoring) {
        return new ReleaseManifest(
                ReleaseManifest.FORMAT_VERSION,
                modelName,
                version,
                createdAt,
                scaler.min().length,
                ReleaseManifest.Serving.standard(),
                scaler,
                scoring,
                "fixed",
                new ReleaseManifest.Provenance(
                        "0".repeat(64), "synthetic", 10, 1L, Map.of("epochs", 1), Map.of(), "test"),
                null,
                null);
    }

    /** A global scaler over [{@code min}, {@code max}] at each of {@code length} positions. */
    public static ReleaseManifest.Scaler globalScaler(int length, float min, float max) {
        float[] lows = new float[length];
        float[] highs = new float[length];
        Arrays.fill(lows, min);
        Arrays.fill(highs, max);
        return new ReleaseManifest.Scaler("global", lows, highs);
    }

    /** {@code m} with another version and creation time, the rest as it is (files and digest dropped). */
    public static ReleaseManifest withVersion(ReleaseManifest m, String version, String createdAt) {
        return new ReleaseManifest(
                m.formatVersion(),
                m.modelName(),
                version,
                createdAt,
                m.inputLength(),
                m.serving(),
                m.scaler(),
                m.scoring(),
                m.thresholdPolicy(),
                m.provenance(),
                null,
                null);
    }

    /**
     * {@code m} as a later release (a second after it) with another scaler (and so input length) and scoring rule,
     * files and digest dropped.
     */
    public static ReleaseManifest withScaling(
            ReleaseManifest m, String version, ReleaseManifest.Scaler scaler, ReleaseManifest.Scoring scoring) {
        return new ReleaseManifest(
                m.formatVersion(),
                m.modelName(),
                version,
                java.time.Instant.parse(m.createdAt()).plusSeconds(1).toString(),
                scaler.min().length,
                m.serving(),
                scaler,
                scoring,
                m.thresholdPolicy(),
                m.provenance(),
                null,
                null);
    }
}
