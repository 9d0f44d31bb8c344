package ecgdetector.model.release;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * The public half of a release signing key (Ed25519, the JDK's own EdDSA): what a streamer holds to check that a
 * release was signed by the trainer. It cannot sign, so a streamer that holds it cannot make a release others
 * would serve.
 *
 * <p>Its id is {@value #ID_PREFIX} followed by the first 16 hex digits of the SHA-256 of the key's SubjectPublicKeyInfo
 * (DER), so any tool can compute it: {@code openssl pkey -pubin -in release.pub -outform DER | sha256sum | cut -c1-16}.
 * The same key has the same id everywhere, and no id can be configured wrongly.
 */
public final class ReleasePublicKey {

    public static final String ALGORITHM = "Ed25519";
    public static final String ID_PREFIX = "ed25519-";

    private final PublicKey key;
    private final String keyId;

    private ReleasePublicKey(PublicKey key) {
        this.key = key;
        this.keyId = ID_PREFIX + Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    static ReleasePublicKey of(PublicKey key) {
        if (!ALGORITHM.equalsIgnoreCase(key.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            throw new IllegalArgumentException("a release key must be Ed25519, not " + key.getAlgorithm());
        }
        return new ReleasePublicKey(key);
    }

    /**
     * The key in its SubjectPublicKeyInfo (DER) encoding, as a PEM {@code PUBLIC KEY} holds it.
     *
     * @throws IllegalArgumentException if it is not an Ed25519 public key
     */
    public static ReleasePublicKey fromEncoded(byte[] subjectPublicKeyInfo) {
        try {
            return of(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** SubjectPublicKeyInfo, DER. */
    public byte[] encoded() {
        return key.getEncoded();
    }

    /** Whether {@code signature} (64 bytes) is this key's over exactly {@code message}. */
    public boolean verifies(byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A malformed signature is one that does not verify.
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReleasePublicKey other && Arrays.equals(encoded(), other.encoded());
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return keyId;
    }
}
