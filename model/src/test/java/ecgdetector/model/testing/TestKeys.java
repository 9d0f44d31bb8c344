package ecgdetector.model.testing;

import ecgdetector.model.release.ReleaseKeyFiles;
import ecgdetector.model.release.ReleaseSigningKey;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.model.release.TrustedReleaseKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Release key pairs for tests, made once per JVM and name: "trainer" is the key the tests' streamers trust,
 * "attacker" one they do not. Each pair is also on disk, as {@code ./ecg keys} writes it, for what takes files.
 */
public final class TestKeys {

    private static final Map<String, Pair> PAIRS = new ConcurrentHashMap<>();

    /** A key pair and its two files. */
    public record Pair(ReleaseSigningKey key, Path privateKey, Path publicKey) {
        /** A verifier that trusts this pair's public key alone, with the default size cap. */
        public ReleaseVerifier verifier() {
            return ReleaseVerifier.signedBy(
                    TrustedReleaseKeys.of(List.of(key.publicKey())), ReleaseVerifier.DEFAULT_MAX_BYTES);
        }
    }

    private TestKeys() {}

    /** The key the tests' trainer signs with and their streamers trust. */
    public static Pair trainer() {
        return named("trainer");
    }

    /** A key nobody trusts. */
    public static Pair attacker() {
        return named("attacker");
    }

    /** The pair of this name, made on first use. */
    public static Pair named(String name) {
        return PAIRS.computeIfAbsent(name, n -> {
            try {
                Path dir = Files.createTempDirectory("ecg-test-keys-" + n + "-");
                dir.toFile().deleteOnExit();
                ReleaseKeyFiles.Pair pair = ReleaseKeyFiles.loadOrCreate(
                        dir.resolve(ReleaseKeyFiles.PRIVATE_KEY_FILE),
                        dir.resolve(ReleaseKeyFiles.PUBLIC_KEY_FILE),
                        false);
                pair.privateKey().toFile().deleteOnExit();
                pair.publicKey().toFile().deleteOnExit();
                return new Pair(pair.key(), pair.privateKey(), pair.publicKey());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
