package ecgdetector.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key pairs on disk: PEM as openssl writes it, owner-only private keys, ids any tool can compute. */
class ReleaseKeyFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aNewPairIsWrittenOnceAndReadBackAsTheSameKeys() throws Exception {
        Path privateKey = tmp.resolve("keys/release.key");
        Path publicKey = tmp.resolve("keys/release.pub");

        ReleaseKeyFiles.Pair made = ReleaseKeyFiles.loadOrCreate(privateKey, publicKey, false);
        ReleaseKeyFiles.Pair again = ReleaseKeyFiles.loadOrCreate(privateKey, publicKey, false);

        assertThat(made.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.key().keyId()).isEqualTo(made.key().keyId()).matches("ed25519-[0-9a-f]{16}");
        assertThat(ReleaseKeyFiles.readPublicKey(publicKey))
                .isEqualTo(made.key().publicKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(publicKey)))
                .isEqualTo("rw-r--r--");
        assertThat(Files.readString(privateKey)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(publicKey)).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThatThrownBy(() -> ReleaseKeyFiles.write(ReleaseSigningKey.generate(), privateKey, tmp.resolve("x.pub")))
                .hasMessageContaining("never replaced");
    }

    @Test
    void aPrivateKeyOthersMayReadIsRefusedUnlessAllowed() throws Exception {
        ReleaseKeyFiles.Pair pair =
                ReleaseKeyFiles.loadOrCreate(tmp.resolve("release.key"), tmp.resolve("release.pub"), false);
        Files.setPosixFilePermissions(pair.privateKey(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> ReleaseKeyFiles.readSigningKey(pair.privateKey(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readable by its group and every user (rw-r--r--)")
                .hasMessageContaining("chmod 600");
        assertThat(ReleaseKeyFiles.readSigningKey(pair.privateKey(), true).keyId())
                .isEqualTo(pair.key().keyId());
    }

    @Test
    void anIncompleteOrMismatchedPairAndAnOldHmacSecretAreRefusedWithTheReason() throws Exception {
        ReleaseKeyFiles.Pair one = ReleaseKeyFiles.loadOrCreate(tmp.resolve("a.key"), tmp.resolve("a.pub"), false);
        ReleaseKeyFiles.Pair two = ReleaseKeyFiles.loadOrCreate(tmp.resolve("b.key"), tmp.resolve("b.pub"), false);
        Path hmac = Files.writeString(tmp.resolve("old.key"), "q3PZ0m1Yc0k4m2V7d0sTn5b8yWq1L6xA9e2R4t7U0iE=\n");
        Files.setPosixFilePermissions(hmac, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> ReleaseKeyFiles.loadOrCreate(one.privateKey(), two.publicKey(), false))
                .hasMessageContaining("is not the public half of");
        assertThatThrownBy(() -> ReleaseKeyFiles.loadOrCreate(one.privateKey(), tmp.resolve("missing.pub"), false))
                .hasMessageContaining("incomplete");
        assertThatThrownBy(() -> ReleaseKeyFiles.readSigningKey(hmac, false))
                .hasMessageContaining("an HMAC secret from before release format 2");
    }

    @Test
    void theDefaultPairLivesInTheUsersConfigFolder() {
        assertThat(ReleaseKeyFiles.defaultPrivateKey(Map.of("XDG_CONFIG_HOME", "/etc/xdg-home")))
                .isEqualTo(Path.of("/etc/xdg-home/ecg-detector/release.key"));
        assertThat(ReleaseKeyFiles.defaultPublicKey(Map.of()))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".config", "ecg-detector", "release.pub"));
    }

    @Test
    void opensslReadsOurKeysAndWeReadItsAndTheKeyIdIsWhatItsCommandGives() throws Exception {
        assumeTrue(openssl(tmp, "version").exit() == 0, "openssl is not on this machine");
        ReleaseKeyFiles.Pair ours =
                ReleaseKeyFiles.loadOrCreate(tmp.resolve("ours.key"), tmp.resolve("ours.pub"), false);

        assertThat(openssl(tmp, "pkey -in ours.key -noout").exit()).isZero();
        Run theirs = openssl(
                tmp,
                "genpkey -algorithm ed25519 -out theirs.key && chmod 600 theirs.key"
                        + " && openssl pkey -in theirs.key -pubout -out theirs.pub");
        assertThat(theirs.exit()).as(theirs.output()).isZero();
        ReleaseSigningKey key = ReleaseKeyFiles.readSigningKey(tmp.resolve("theirs.key"), false);
        assertThat(ReleaseKeyFiles.readPublicKey(tmp.resolve("theirs.pub"))).isEqualTo(key.publicKey());

        // The command docs/release-format.md gives for a key id.
        Run id = openssl(tmp, "pkey -pubin -in ours.pub -outform DER | sha256sum | cut -c1-16");
        assertThat(ReleasePublicKey.ID_PREFIX + id.output().strip())
                .isEqualTo(ours.key().keyId());
    }

    /** What a shell command that starts with openssl printed, and its exit code. */
    record Run(int exit, String output) {}

    static Run openssl(Path dir, String args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("bash", "-c", "openssl " + args))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, out);
        }
        return new Run(p.exitValue(), out);
    }
}
