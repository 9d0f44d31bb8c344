package ecgdetector.schemas;

import java.util.Objects;

/**
 * Who vouches for a model release: a MAC over its digest with a key the streamer holds too. It sits beside
 * the manifest, not inside it, because the manifest's digest is what is signed. JSON Schema: the
 * {@code signature} property of {@code schemas/json/model-release.schema.json}.
 *
 * @param algorithm {@code HMAC-SHA256}
 * @param keyId     which key signed, so that a streamer holding several keys (during a rotation) knows which
 *                  one to check with; derived from the key, never the key itself
 * @param value     the MAC, base64
 */
public record ReleaseSignature(String algorithm, String keyId, String value) {

    public static final String HMAC_SHA256 = "HMAC-SHA256";

    public ReleaseSignature {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(value, "value");
    }
}
