package ecgdetector.schemas;

import java.util.regex.Pattern;

/**
 * A model's name: the record key of its releases on {@link EcgTopic#MODELS}, one name for many versions.
 * The trainer names releases with it, the streamer serves the one it is configured with.
 */
public final class ModelName {

    /** The model the trainer publishes and the streamer serves unless told otherwise. */
    public static final String DEFAULT = "ecg-autoencoder";

    /** What a model name may hold, in words: {@link #isValid} in the docs and in error messages. */
    public static final String RULE = "1-100 letters, digits, '.', '_' or '-'";

    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private ModelName() {}

    public static boolean isValid(String name) {
        return name != null && LEGAL.matcher(name).matches();
    }

    /**
     * @return {@code name}
     * @throws IllegalArgumentException saying what a model name may hold, if it is not one
     */
    public static String require(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("model name '" + name + "' must be " + RULE);
        }
        return name;
    }
}
