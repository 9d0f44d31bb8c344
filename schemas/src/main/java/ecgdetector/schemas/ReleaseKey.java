package ecgdetector.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The record key of a release on {@link EcgTopic#MODELS}: {@code modelName/version}, UTF-8. One key per release,
 * not per model: compaction keeps the newest record of each key, so a later record (a rejected release, junk) can
 * remove only a record of its own key, never an accepted release of another version.
 *
 * @param modelName the model ({@link ModelName})
 * @param version   the release's version, unique per model: 1-100 letters, digits, '.', '_' or '-'
 */
public record ReleaseKey(String modelName, String version) {

    /** Between the model name and the version; neither may hold it. */
    public static final char SEPARATOR = '/';

    /** What a version may hold, in words. */
    public static final String VERSION_RULE = "1-100 letters, digits, '.', '_' or '-'";

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public ReleaseKey {
        ModelName.require(modelName);
        if (!isValidVersion(version)) {
            throw new IllegalArgumentException("release version '" + version + "' must be " + VERSION_RULE);
        }
    }

    public static boolean isValidVersion(String version) {
        return version != null && VERSION.matcher(version).matches();
    }

    /** The key of a record, if it is one of a release: {@code modelName/version} with both valid. */
    public static Optional<ReleaseKey> parse(String key) {
        if (key == null) {
            return Optional.empty();
        }
        int at = key.indexOf(SEPARATOR);
        if (at < 0) {
            return Optional.empty();
        }
        String name = key.substring(0, at);
        String version = key.substring(at + 1);
        return ModelName.isValid(name) && isValidVersion(version)
                ? Optional.of(new ReleaseKey(name, version))
                : Optional.empty();
    }

    /** The model a record key names, if any: the part before the separator, or the whole key without one. */
    public static String modelNameOf(String key) {
        int at = key.indexOf(SEPARATOR);
        return at < 0 ? key : key.substring(0, at);
    }

    @Override
    public String toString() {
        return modelName + SEPARATOR + version;
    }

    public byte[] bytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }
}
