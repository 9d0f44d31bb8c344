package ecgdetector.model.release;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which releases a reader of the models topic (a streamer, the ward view) trusts, decided once at startup: those
 * signed by one of the public keys it was given, else by the default key pair's public key if there is one on this
 * machine; with neither, it refuses to start, unless it was explicitly told to take unsigned releases, which it
 * then says at WARN on every start. Both readers take the same options, so one rule decides what either loads.
 */
public final class ReleaseTrust {

    private static final Logger log = LoggerFactory.getLogger(ReleaseTrust.class);

    private ReleaseTrust() {}

    /**
     * @param publicKeys    the public key files given; empty for the default
     * @param defaultKey    the default key pair's public key file, used when none is given and it exists
     * @param allowUnsigned serve unsigned releases and check no signature
     * @param maxBytes      the size cap of a release record
     * @param modelsTopic   for the log
     * @throws IllegalArgumentException one line saying how to configure a key, or to opt out, if there is none
     */
    public static ReleaseVerifier verifier(
            List<Path> publicKeys, Path defaultKey, boolean allowUnsigned, int maxBytes, String modelsTopic) {
        if (allowUnsigned) {
            log.warn(
                    "Unsigned releases are allowed (ecg.release.allow.unsigned, --allow-unsigned-releases): any "
                            + "valid release on {} serves and no signature is checked, so whoever may write to that "
                            + "topic decides the alarms; give the trainer's public key instead "
                            + "(ecg.release.public.keys) to serve only what it signed",
                    modelsTopic);
            return ReleaseVerifier.unsigned(maxBytes);
        }
        List<Path> files = publicKeys;
        if (files.isEmpty() && Files.isRegularFile(defaultKey)) {
            log.info("No release public key given; using the default key pair's, {}", defaultKey);
            files = List.of(defaultKey);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no public key to verify releases with: give the trainer's with "
                    + "--release-public-key FILE (ecg.release.public.keys, ECG_RELEASE_PUBLIC_KEYS), or create the "
                    + "default pair " + defaultKey + " with ./ecg keys (./ecg train does on first use); or, not for "
                    + "production, start with --allow-unsigned-releases");
        }
        TrustedReleaseKeys trusted = TrustedReleaseKeys.fromFiles(files);
        log.info("Releases serve only if signed with one of the keys {} (from {})", trusted.keyIds(), files);
        return ReleaseVerifier.signedBy(trusted, maxBytes);
    }
}
