package ecgdetector.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a model release says about itself: everything the streamer needs besides the SavedModel's bytes to
 * score a beat exactly as the trainer did, and where the release came from. JSON Schema:
 * {@code schemas/json/release-manifest.schema.json}.
 *
 * @param formatVersion   version of this manifest format; readers refuse a format they do not know
 * @param modelName       the Kafka record key on the models topic; one name, many versions
 * @param version         sortable, unique version of this release
 * @param createdAt       ISO-8601 UTC instant
 * @param inputLength     samples per beat the model takes
 * @param serving         how to call the SavedModel
 * @param scaler          the MinMax scaling fitted on the normal training beats
 * @param scoring         how a beat's error is computed from its reconstruction, and the threshold it is held against
 * @param thresholdPolicy how the threshold was chosen, e.g. {@code mean+1std}
 * @param provenance      data, seed, recipe and metrics of the training run
 * @param files           every SavedModel file with its size and SHA-256
 * @param digest          {@code sha256:<hex>} over the canonical JSON of this manifest without the digest
 */
public record ReleaseManifest(
        int formatVersion,
        String modelName,
        String version,
        String createdAt,
        int inputLength,
        Serving serving,
        Scaler scaler,
        Scoring scoring,
        String thresholdPolicy,
        Provenance provenance,
        List<FileEntry> files,
        String digest) {

    /**
     * The format this code writes and reads. Format 2 (the {@link Scoring} object; one record per release on the
     * models topic, signed with Ed25519 over its bytes) replaced format 1 (top-level {@code errorMetric} and
     * {@code threshold}; one record per model, HMAC-signed), which is refused with the reason.
     */
    public static final int FORMAT_VERSION = 2;

    public ReleaseManifest {
        files = files == null ? List.of() : List.copyOf(files);
    }

    public ReleaseManifest withDigest(String newDigest) {
        return new ReleaseManifest(
                formatVersion,
                modelName,
                version,
                createdAt,
                inputLength,
                serving,
                scaler,
                scoring,
                thresholdPolicy,
                provenance,
                files,
                newDigest);
    }

    /** The same manifest listing {@code newFiles}, without a digest (it would no longer match). */
    public ReleaseManifest withFiles(List<FileEntry> newFiles) {
        return new ReleaseManifest(
                formatVersion,
                modelName,
                version,
                createdAt,
                inputLength,
                serving,
                scaler,
                scoring,
                thresholdPolicy,
                provenance,
                newFiles,
                null);
    }

    /** The threshold a beat's error is held against: shorthand for {@code scoring().threshold()}. */
    public double threshold() {
        return scoring.threshold();
    }

    /**
     * How a beat is scored: the error metric by id, any parameters it takes, and the threshold. A beat is anomalous
     * iff its error is strictly greater than the threshold. A new metric brings its own parameters (per-position
     * weights, say) without another format change; a reader refuses a metric, or a parameter, it does not know
     * rather than score differently from the trainer.
     *
     * @param metric     the error metric's id, e.g. {@code msle}
     * @param threshold  a beat is anomalous iff its error is strictly greater than this
     * @param parameters the metric's parameters by name; none for {@code msle}, {@code mse} and {@code mae}, and then
     *                   left out of the JSON
     */
    public record Scoring(
            String metric,
            double threshold,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> parameters) {
        public Scoring {
            parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(parameters));
        }

        /** A metric that takes no parameters. */
        public static Scoring of(String metric, double threshold) {
            return new Scoring(metric, threshold, Map.of());
        }

        /** The same rule with another threshold. */
        public Scoring withThreshold(double newThreshold) {
            return new Scoring(metric, newThreshold, parameters);
        }
    }

    /** The SavedModel signature to call. */
    public record Serving(String tag, String signature, String input, String output) {
        public static Serving standard() {
            return new Serving("serve", "serving_default", "input", "reconstruction");
        }
    }

    /**
     * MinMax scaling per sample position: {@code (x - min[i]) / (max[i] - min[i])}. A global scaler has the
     * same min and max at every position.
     *
     * @param kind {@code per-position} or {@code global}
     */
    public record Scaler(String kind, float[] min, float[] max) {
        public Scaler {
            Objects.requireNonNull(kind, "scaler kind");
            Objects.requireNonNull(min, "scaler min");
            Objects.requireNonNull(max, "scaler max");
            min = min.clone();
            max = max.clone();
        }

        @Override
        public float[] min() {
            return min.clone();
        }

        @Override
        public float[] max() {
            return max.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Scaler s
                    && kind.equals(s.kind)
                    && java.util.Arrays.equals(min, s.min)
                    && java.util.Arrays.equals(max, s.max);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, java.util.Arrays.hashCode(min), java.util.Arrays.hashCode(max));
        }

        @Override
        public String toString() {
            return "Scaler[" + kind + ", " + min.length + " positions]";
        }
    }

    /**
     * Where a release came from, so anyone holding it can tell whether it was trained on the same data with
     * the same settings.
     */
    public record Provenance(
            String dataSha256,
            String dataSource,
            int dataRows,
            long seed,
            Map<String, Object> recipe,
            Map<String, Double> metrics,
            String trainerVersion) {
        public Provenance {
            // Sorted, so the same provenance always serializes to the same bytes.
            recipe = recipe == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(recipe));
            metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(metrics));
        }
    }

    /** One file of the SavedModel, path relative to the SavedModel folder, with '/' separators. */
    public record FileEntry(String path, long size, String sha256) {}
}
