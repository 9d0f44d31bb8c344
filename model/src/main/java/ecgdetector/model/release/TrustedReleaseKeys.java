package ecgdetector.model.release;

import ecgdetector.schemas.ReleaseSignature;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys a streamer accepts releases from. With none, every release that is otherwise valid may serve and
 * signatures are not looked at; with one or more, a release must carry a signature that one of them
 * verifies. Several keys let a new key be rolled out before the trainer switches to it, and the old one be
 * dropped afterwards.
 */
public final class TrustedReleaseKeys {

    private static final TrustedReleaseKeys NONE = new TrustedReleaseKeys(List.of());

    private final Map<String, ReleaseSigningKey> byId = new LinkedHashMap<>();

    private TrustedReleaseKeys(List<ReleaseSigningKey> keys) {
        for (ReleaseSigningKey key : keys) {
            byId.put(key.keyId(), key);
        }
    }

    /** No keys: signatures are not required. */
    public static TrustedReleaseKeys none() {
        return NONE;
    }

    public static TrustedReleaseKeys of(List<ReleaseSigningKey> keys) {
        return keys.isEmpty() ? NONE : new TrustedReleaseKeys(keys);
    }

    /**
     * Reads every key file.
     *
     * @throws IllegalArgumentException naming the file, if one cannot be read or holds too short a secret
     */
    public static TrustedReleaseKeys fromFiles(List<Path> files) {
        return of(files.stream().map(ReleaseSigningKey::fromFile).toList());
    }

    public boolean required() {
        return !byId.isEmpty();
    }

    /** The ids of the trusted keys, for logs. */
    public List<String> keyIds() {
        return List.copyOf(byId.keySet());
    }

    /**
     * Checks that the release may serve as far as its origin goes.
     *
     * @throws InvalidReleaseException saying what is wrong: unsigned, signed with an unknown key or another
     *                                 algorithm, or a signature that does not match
     */
    public void verify(ReleaseBundle release) throws InvalidReleaseException {
        if (!required()) {
            return;
        }
        Optional<ReleaseSignature> signature = release.signature();
        if (signature.isEmpty()) {
            throw new InvalidReleaseException("release is not signed; this streamer serves only releases signed with "
                    + "one of the keys " + keyIds());
        }
        ReleaseSignature s = signature.get();
        if (!ReleaseSignature.HMAC_SHA256.equals(s.algorithm())) {
            throw new InvalidReleaseException("release is signed with " + s.algorithm() + ", this streamer checks "
                    + ReleaseSignature.HMAC_SHA256 + " only");
        }
        ReleaseSigningKey key = byId.get(s.keyId());
        if (key == null) {
            throw new InvalidReleaseException("release is signed with key " + s.keyId()
                    + ", which this streamer does not trust (trusted: " + keyIds() + ")");
        }
        if (!key.verifies(s, release.manifest().digest())) {
            throw new InvalidReleaseException("signature of key " + s.keyId() + " does not match the release: it was "
                    + "not made with that key, or the release changed after signing");
        }
    }

    @Override
    public String toString() {
        return required() ? "signed releases only, keys " + keyIds() : "signatures not required";
    }
}
