package ecgdetector.model.release;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;

/**
 * The private key a trainer signs releases with (Ed25519, the JDK's own EdDSA), and its public half. Only the
 * trainer holds it; streamers hold {@link ReleasePublicKey}s. The signature covers the release record's value
 * exactly as it travels, so a reader checks it before it reads anything of the value.
 */
public final class ReleaseSigningKey {

    /** Length of an Ed25519 signature, in bytes. */
    public static final int SIGNATURE_BYTES = 64;

    private static final int SEED_BYTES = 32;

    private final PrivateKey key;
    private final ReleasePublicKey publicKey;

    private ReleaseSigningKey(PrivateKey key, ReleasePublicKey publicKey) {
        this.key = key;
        this.publicKey = publicKey;
    }

    /** A new key pair from the system's strong random source. */
    public static ReleaseSigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ReleasePublicKey.ALGORITHM);
            KeyPair pair = generator.generateKeyPair();
            return new ReleaseSigningKey(pair.getPrivate(), ReleasePublicKey.of(pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM since 15 has Ed25519", e);
        }
    }

    /**
     * The key in its PKCS#8 (DER) encoding, as a PEM {@code PRIVATE KEY} holds it (what {@code openssl genpkey
     * -algorithm ed25519} writes, too).
     *
     * @throws IllegalArgumentException if it is not an Ed25519 private key
     */
    public static ReleaseSigningKey fromEncoded(byte[] pkcs8) {
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(ReleasePublicKey.ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        }
        return new ReleaseSigningKey(key, publicKeyOf(key));
    }

    /**
     * The public half of {@code key}. The JDK has no call for it, but its key pair generator derives the public key
     * from 32 random bytes, the private key itself: fed exactly those bytes, it gives back this key's pair. The pair
     * is proven by a signature before it is used.
     */
    private static ReleasePublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key");
        }
        byte[] seed = ed.getBytes().get();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ReleasePublicKey.ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new Replay(seed));
            KeyPair pair = generator.generateKeyPair();
            ReleasePublicKey publicKey = ReleasePublicKey.of(pair.getPublic());
            byte[] probe = "ecg-detector key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (!publicKey.verifies(probe, sign(key, probe))) {
                throw new IllegalStateException("could not derive the public key of an Ed25519 private key");
            }
            return publicKey;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM since 15 has Ed25519", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    public ReleasePublicKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return publicKey.keyId();
    }

    /** PKCS#8, DER: the content of the private key file. */
    byte[] encoded() {
        return key.getEncoded();
    }

    /** The Ed25519 signature of exactly {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            return sign(key, message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with Ed25519 failed", e);
        }
    }

    private static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature signer = Signature.getInstance(ReleasePublicKey.ALGORITHM);
        signer.initSign(key);
        signer.update(message);
        return signer.sign();
    }

    /** Names the key by its id, never by its content. */
    @Override
    public String toString() {
        return keyId();
    }

    /** A "random" source that gives out one given seed: the private key the pair is derived from. */
    private static final class Replay extends SecureRandom {
        private final byte[] seed;

        Replay(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != SEED_BYTES) {
                throw new IllegalStateException("expected a request for the 32-byte seed, got " + bytes.length);
            }
            System.arraycopy(seed, 0, bytes, 0, SEED_BYTES);
            Arrays.fill(seed, (byte) 0);
        }
    }
}
