package ecgdetector.model.release;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The public keys a streamer accepts releases from, by key id. Several keys let a new key be rolled out to every
 * streamer before the trainer switches to it, and the old one be dropped afterwards.
 */
public final class TrustedReleaseKeys {

    private static final TrustedReleaseKeys NONE = new TrustedReleaseKeys(List.of());

    private final Map<String, ReleasePublicKey> byId = new LinkedHashMap<>();

    private TrustedReleaseKeys(List<ReleasePublicKey> keys) {
        for (ReleasePublicKey key : keys) {
            byId.put(key.keyId(), key);
        }
    }

    /** No keys: only a streamer that explicitly accepts unsigned releases runs without any. */
    public static TrustedReleaseKeys none() {
        return NONE;
    }

    public static TrustedReleaseKeys of(List<ReleasePublicKey> keys) {
        return keys.isEmpty() ? NONE : new TrustedReleaseKeys(keys);
    }

    /**
     * Reads every public key file.
     *
     * @throws IllegalArgumentException naming the file, if one cannot be read or holds no Ed25519 public key
     */
    public static TrustedReleaseKeys fromFiles(List<Path> files) {
        return of(files.stream().map(ReleaseKeyFiles::readPublicKey).toList());
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The ids of the trusted keys, for logs. */
    public List<String> keyIds() {
        return List.copyOf(byId.keySet());
    }

    public Optional<ReleasePublicKey> byId(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    @Override
    public String toString() {
        return isEmpty() ? "no keys" : "keys " + keyIds();
    }
}
