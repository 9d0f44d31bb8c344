package ecgdetector.view.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP basic authentication against a file of {@code user:password} lines ({@code #} comments and blank lines
 * skipped), read once. Passwords come from a file, never from a command-line value, which {@code ps} shows to
 * everyone; they are compared in constant time, as digests, so neither their length nor their content leaks
 * through timing.
 */
final class BasicAuth {

    private static final Logger log = LoggerFactory.getLogger(BasicAuth.class);
    static final String CHALLENGE = "Basic realm=\"ecg ward view\", charset=\"UTF-8\"";

    private final List<byte[]> accepted;

    private BasicAuth(List<byte[]> accepted) {
        this.accepted = accepted;
    }

    static BasicAuth fromFile(Path file) throws IOException {
        List<byte[]> accepted = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon < 1 || colon == l.length() - 1) {
                throw new IllegalArgumentException(file + ": each line must be user:password");
            }
            accepted.add(digest(l));
        }
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException(file + " names no user (user:password lines)");
        }
        warnIfShared(file);
        return new BasicAuth(accepted);
    }

    /** Whether an {@code Authorization} header logs in as one of the users. */
    boolean allows(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String credentials;
        try {
            credentials = new String(
                    Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] given = digest(credentials);
        boolean ok = false;
        for (byte[] a : accepted) {
            ok |= MessageDigest.isEqual(a, given);
        }
        return ok;
    }

    private static byte[] digest(String credentials) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(credentials.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void warnIfShared(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("{} holds passwords and is readable by other users: chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
    }
}
