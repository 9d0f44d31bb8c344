package ecgdetector.model.release;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Release keys on disk, as PEM: the private key as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, readable by its
 * owner only), the public key as SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). Both are what
 * {@code openssl genpkey -algorithm ed25519} and {@code openssl pkey -pubout} write, so keys can be made and
 * checked with openssl too.
 *
 * <p>By default the pair lives in the user's config folder, {@code $XDG_CONFIG_HOME/ecg-detector/} or else
 * {@code ~/.config/ecg-detector/}, as {@value #PRIVATE_KEY_FILE} and {@value #PUBLIC_KEY_FILE}: {@code ./ecg keys}
 * writes it there, the trainer makes it there on first use, and a streamer on the same machine finds the public key
 * there, so {@code ./ecg train} and {@code ./ecg stream} work together with no option.
 */
public final class ReleaseKeyFiles {

    public static final String PRIVATE_KEY_FILE = "release.key";
    public static final String PUBLIC_KEY_FILE = "release.pub";
    public static final String APP_FOLDER = "ecg-detector";

    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final String PUBLIC_PEM = "PUBLIC KEY";
    private static final int MAX_PEM_BYTES = 16 * 1024;

    private ReleaseKeyFiles() {}

    /** The default folder of the key pair in this environment (see the class comment). */
    public static Path defaultFolder(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config =
                xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve(APP_FOLDER);
    }

    public static Path defaultPrivateKey(Map<String, String> env) {
        return defaultFolder(env).resolve(PRIVATE_KEY_FILE);
    }

    public static Path defaultPublicKey(Map<String, String> env) {
        return defaultFolder(env).resolve(PUBLIC_KEY_FILE);
    }

    /**
     * Writes a new key pair: the private key readable by its owner only (0600, created so, never widened later),
     * the public key readable by all. Refuses to replace an existing file: a lost private key cannot be undone.
     *
     * @throws IOException naming the file, if either exists or cannot be written
     */
    public static void write(ReleaseSigningKey key, Path privateKey, Path publicKey) throws IOException {
        for (Path file : List.of(privateKey, publicKey)) {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString(), null, "a release key file is never replaced");
            }
        }
        createParent(privateKey, true);
        createParent(publicKey, false);
        byte[] encoded = key.encoded();
        try {
            writeNew(privateKey, pem(PRIVATE_PEM, encoded), "rw-------");
        } finally {
            java.util.Arrays.fill(encoded, (byte) 0);
        }
        writeNew(publicKey, pem(PUBLIC_PEM, key.publicKey().encoded()), "rw-r--r--");
    }

    /** What {@link #loadOrCreate} did. */
    public record Pair(ReleaseSigningKey key, Path privateKey, Path publicKey, boolean created) {}

    /**
     * The key pair in these two files, made first if neither exists. The public key file must hold the private
     * key's public half: a mismatched pair would sign releases that no streamer given that public key serves.
     *
     * @throws IOException              if a new pair cannot be written
     * @throws IllegalArgumentException naming the file: only one of the two exists, a key is unreadable or exposed,
     *                                  or the two do not belong together
     */
    public static Pair loadOrCreate(Path privateKey, Path publicKey, boolean allowReadableByOthers) throws IOException {
        boolean hasPrivate = Files.exists(privateKey);
        boolean hasPublic = Files.exists(publicKey);
        if (!hasPrivate && !hasPublic) {
            ReleaseSigningKey key = ReleaseSigningKey.generate();
            write(key, privateKey, publicKey);
            return new Pair(key, privateKey, publicKey, true);
        }
        if (!hasPrivate || !hasPublic) {
            throw new IllegalArgumentException("release key pair incomplete: " + (hasPrivate ? publicKey : privateKey)
                    + " is missing beside " + (hasPrivate ? privateKey : publicKey)
                    + "; restore it, or make a new pair elsewhere (./ecg keys --dir DIR)");
        }
        ReleaseSigningKey key = readSigningKey(privateKey, allowReadableByOthers);
        ReleasePublicKey expected = readPublicKey(publicKey);
        if (!expected.equals(key.publicKey())) {
            throw new IllegalArgumentException("release public key " + publicKey + " (" + expected.keyId()
                    + ") is not the public half of " + privateKey + " (" + key.keyId() + ")");
        }
        return new Pair(key, privateKey, publicKey, false);
    }

    /**
     * The signing key in {@code file}.
     *
     * @param allowReadableByOthers read it even if its group or other users may read it; without, such a key is
     *                              refused: whoever reads it can sign releases every streamer trusting it serves
     * @throws IllegalArgumentException naming the file: unreadable, readable by others, or no Ed25519 private key
     */
    public static ReleaseSigningKey readSigningKey(Path file, boolean allowReadableByOthers) {
        if (!allowReadableByOthers) {
            exposure(file).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
        }
        byte[] der = readPem(file, PRIVATE_PEM);
        try {
            return ReleaseSigningKey.fromEncoded(der);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("release signing key file " + file + ": " + e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(der, (byte) 0);
        }
    }

    /**
     * The public key in {@code file}.
     *
     * @throws IllegalArgumentException naming the file: unreadable or no Ed25519 public key
     */
    public static ReleasePublicKey readPublicKey(Path file) {
        byte[] der = readPem(file, PUBLIC_PEM);
        try {
            return ReleasePublicKey.fromEncoded(der);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("release public key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why others than the file's owner may read it, if they may (as ssh refuses such a private key); empty where
     * the file system has no POSIX permissions.
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
                : Optional.of("release signing key file " + file + " is readable by " + String.join(" and ", readers)
                        + " (" + PosixFilePermissions.toString(permissions) + "): whoever reads it can sign releases"
                        + " the streamers serve; chmod 600 it (or, knowingly, allow it: --allow-readable-signing-key)");
    }

    private static byte[] readPem(Path file, String type) {
        String text;
        try {
            if (Files.size(file) > MAX_PEM_BYTES) {
                throw new IllegalArgumentException(file + " is too large for a PEM key file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read release key file " + file + ": " + e, e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("release key file " + file + " holds no PEM '" + type + "'"
                    + (type.equals(PRIVATE_PEM) && !text.contains("-----BEGIN")
                            ? " (an HMAC secret from before release format 2? make a key pair with ./ecg keys)"
                            : ""));
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("release key file " + file + " is not valid PEM: " + e.getMessage(), e);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void createParent(Path file, boolean ownerOnly) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || Files.isDirectory(parent)) {
            return;
        }
        if (ownerOnly && posix(parent)) {
            Files.createDirectories(
                    parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(parent);
        }
    }

    private static void writeNew(Path file, byte[] content, String permissions) throws IOException {
        FileAttribute<?>[] attributes = posix(file.toAbsolutePath().getParent())
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
                }
                : new FileAttribute<?>[0];
        Files.write(Files.createFile(file, attributes), content, StandardOpenOption.WRITE);
        if (attributes.length > 0) {
            // The umask may have narrowed the public key's permissions: set exactly what was asked.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        }
    }

    private static boolean posix(Path anyPath) {
        Path probe = anyPath;
        while (probe != null && !Files.exists(probe)) {
            probe = probe.getParent();
        }
        return probe != null
                && probe.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
