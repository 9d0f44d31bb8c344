package ecgdetector.model.release;

import ecgdetector.schemas.ReleaseSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secret shared by the trainer, which signs releases with it, and the streamer, which serves only releases
 * it verifies. The signature is HMAC-SHA256 over {@value #CONTEXT} followed by the release's digest: the
 * digest covers the manifest and, through each file's SHA-256, every model file, so the MAC covers the
 * whole release.
 *
 * <p>The key file holds the secret as text (for example {@code openssl rand -base64 32 > release.key});
 * surrounding whitespace, such as the final newline, is not part of it. Its id is derived from the secret,
 * so the same file gives the same id everywhere and no id can be configured wrongly; it reveals nothing
 * about the secret. Keys come from files, never from command-line values, which other users can read in
 * the process list.
 */
public final class ReleaseSigningKey {

    private static final Logger log = LoggerFactory.getLogger(ReleaseSigningKey.class);

    /** Shorter secrets are refused: an HMAC is only as strong as a key an attacker cannot guess. */
    public static final int MIN_SECRET_BYTES = 32;
    /** Domain separation: this key's MAC over a digest means "this release may serve", nothing else. */
    static final String CONTEXT = "ecg-detector release v1\n";

    private static final String MAC_ALGORITHM = "HmacSHA256";

    private final byte[] secret;
    private final String keyId;
    private final String source;

    private ReleaseSigningKey(byte[] secret, String source) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("release signing key " + source + " has " + secret.length
                    + " bytes, at least " + MIN_SECRET_BYTES + " are needed (e.g. openssl rand -base64 32)");
        }
        this.secret = secret.clone();
        this.source = source;
        this.keyId = "hmac-"
                + HexFormat.of()
                        .formatHex(mac("ecg-detector key id".getBytes(StandardCharsets.UTF_8)))
                        .substring(0, 16);
    }

    /**
     * Reads a key file.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds too short a secret
     */
    public static ReleaseSigningKey fromFile(Path file) {
        exposure(file).ifPresent(log::warn);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read release signing key file " + file + ": " + e, e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        Arrays.fill(bytes, (byte) 0);
        return new ReleaseSigningKey(text.getBytes(StandardCharsets.UTF_8), file.toString());
    }

    /**
     * A warning if others than the file's owner may read it (as ssh warns of a private key): anyone who can
     * read the key can sign releases that every streamer trusting it will serve. Empty where the file system
     * has no POSIX permissions.
     */
    static Optional<String> exposure(Path file) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
        List<String> readers = new ArrayList<>();
        if (permissions.contains(PosixFilePermission.GROUP_READ)) {
            readers.add("its group");
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            readers.add("every user");
        }
        return readers.isEmpty()
                ? Optional.empty()
                : Optional.of("Release signing key file " + file
                        + " is readable by " + String.join(" and ", readers) + " ("
                        + PosixFilePermissions.toString(permissions)
                        + "): whoever reads it can sign releases the streamers serve; chmod 600 it");
    }

    /** A key from secret bytes held in memory (tests, and callers with their own secret store). */
    public static ReleaseSigningKey of(byte[] secret, String source) {
        return new ReleaseSigningKey(secret, source);
    }

    /** {@code hmac-} and 16 hex digits, the same for the same secret everywhere. */
    public String keyId() {
        return keyId;
    }

    /** The signature of the release whose digest this is. */
    public ReleaseSignature sign(String digest) {
        return new ReleaseSignature(
                ReleaseSignature.HMAC_SHA256, keyId, Base64.getEncoder().encodeToString(mac(signedBytes(digest))));
    }

    /**
     * Whether {@code signature} is this key's over {@code digest}. The comparison takes the same time
     * wherever the first wrong byte is, so timing reveals nothing about the right MAC.
     */
    public boolean verifies(ReleaseSignature signature, String digest) {
        if (!ReleaseSignature.HMAC_SHA256.equals(signature.algorithm()) || !keyId.equals(signature.keyId())) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.value());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(signedBytes(digest)), given);
    }

    private static byte[] signedBytes(String digest) {
        return (CONTEXT + digest).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] mac(byte[] message) {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(new SecretKeySpec(secret, MAC_ALGORITHM));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JVM has " + MAC_ALGORITHM, e);
        }
    }

    /** Names the key by id and file, never by its secret. */
    @Override
    public String toString() {
        return keyId + " (" + source + ")";
    }
}
