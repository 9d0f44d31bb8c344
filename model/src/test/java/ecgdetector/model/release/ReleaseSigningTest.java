package ecgdetector.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseSignature;
import ecgdetector.schemas.testing.JsonSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseSigningTest {

    private static final String SECRET = "q3PZ0m1Yc0k4m2V7d0sTn5b8yWq1L6xA9e2R4t7U0iE=";

    @TempDir
    Path tmp;

    private ReleaseBundle sealed(String variant) throws Exception {
        float[] min = new float[140];
        float[] max = new float[140];
        Arrays.fill(max, 1f);
        Path model = Files.createDirectories(tmp.resolve("model-" + variant));
        Files.writeString(model.resolve("saved_model.pb"), "graph " + variant);
        return ReleaseBundle.seal(ReleaseBundleTest.draft(140, min, max), model);
    }

    private Path keyFile(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content);
    }

    @Test
    void theSignatureIsHmacSha256OverTheContextAndTheDigest() throws Exception {
        ReleaseBundle release = sealed("a");
        ReleaseSigningKey key = ReleaseSigningKey.fromFile(keyFile("k", SECRET + "\n"));

        ReleaseSignature signature = release.signedWith(key).signature().orElseThrow();

        // Recomputed here with the JDK directly, from the documented recipe, not through the class under test.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal(
                ("ecg-detector release v1\n" + release.manifest().digest()).getBytes(StandardCharsets.UTF_8));
        assertThat(signature.algorithm()).isEqualTo("HMAC-SHA256");
        assertThat(Base64.getDecoder().decode(signature.value())).isEqualTo(expected);
        assertThat(signature.keyId()).matches("hmac-[0-9a-f]{16}").isEqualTo(key.keyId());
        assertThat(signature.keyId())
                .doesNotContain(HexFormat.of()
                        .formatHex(SECRET.getBytes(StandardCharsets.UTF_8))
                        .substring(0, 16));
    }

    @Test
    void theSameSecretGivesTheSameKeyIdWhateverTheFileAndItsFinalNewline() throws Exception {
        assertThat(ReleaseSigningKey.fromFile(keyFile("a", SECRET)).keyId())
                .isEqualTo(ReleaseSigningKey.fromFile(keyFile("b", "  " + SECRET + "\r\n"))
                        .keyId())
                .isNotEqualTo(ReleaseSigningKey.fromFile(keyFile("c", SECRET.replace('q', 'r')))
                        .keyId());
    }

    @Test
    void aKeyFileOthersCanReadIsNamedInAWarning() throws Exception {
        Path key = keyFile("shared.key", SECRET);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ReleaseSigningKey.exposure(key))
                .hasValueSatisfying(warning -> assertThat(warning)
                        .contains("shared.key")
                        .contains("its group and every user")
                        .contains("chmod 600")
                        .doesNotContain(SECRET));

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(ReleaseSigningKey.exposure(key)).isEmpty();
    }

    @Test
    void shortOrMissingKeysAreRefusedNamingTheFile() throws Exception {
        Path shortKey = keyFile("short.key", "too-short-a-secret\n");

        assertThatThrownBy(() -> ReleaseSigningKey.fromFile(shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("short.key")
                .hasMessageContaining("has 18 bytes, at least 32 are needed");
        assertThatThrownBy(() -> ReleaseSigningKey.fromFile(tmp.resolve("missing.key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.key");
        assertThat(ReleaseSigningKey.fromFile(keyFile("k", SECRET)).toString()).doesNotContain(SECRET);
    }

    @Test
    void aSignedReleaseRoundTripsInBothFormsAndMatchesItsSchema() throws Exception {
        ReleaseBundle signed = sealed("a").signedWith(ReleaseSigningKey.fromFile(keyFile("k", SECRET)));

        ReleaseBundle fromWire = ReleaseBundle.fromBytes(signed.toBytes());
        signed.writeTo(tmp.resolve("release"));
        ReleaseBundle fromFolder = ReleaseBundle.readFrom(tmp.resolve("release"));

        assertThat(fromWire.signature()).isEqualTo(signed.signature());
        assertThat(fromFolder.signature()).isEqualTo(signed.signature());
        assertThat(fromWire.toBytes()).isEqualTo(signed.toBytes());
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.MODEL_RELEASE, signed.toBytes()))
                .isEmpty();
    }

    @Test
    void anUnsignedReleaseWrittenOverASignedFolderLeavesNoStaleSignature() throws Exception {
        ReleaseBundle release = sealed("a");
        release.signedWith(ReleaseSigningKey.fromFile(keyFile("k", SECRET))).writeTo(tmp.resolve("release"));

        release.writeTo(tmp.resolve("release"));

        assertThat(ReleaseBundle.readFrom(tmp.resolve("release")).signature()).isEmpty();
    }

    @Test
    void trustedKeysAcceptOnlyAMatchingSignatureOfAKnownKey() throws Exception {
        ReleaseSigningKey ours = ReleaseSigningKey.fromFile(keyFile("ours", SECRET));
        ReleaseSigningKey theirs = ReleaseSigningKey.fromFile(keyFile("theirs", SECRET.toUpperCase()));
        TrustedReleaseKeys trusted = TrustedReleaseKeys.of(List.of(ours));
        ReleaseBundle release = sealed("a");

        assertThatCode(() -> trusted.verify(release.signedWith(ours))).doesNotThrowAnyException();
        assertThatThrownBy(() -> trusted.verify(release))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("not signed")
                .hasMessageContaining(ours.keyId());
        assertThatThrownBy(() -> trusted.verify(release.signedWith(theirs)))
                .hasMessageContaining("key " + theirs.keyId() + ", which this streamer does not trust");
    }

    @Test
    void aSignatureDoesNotCarryOverToAnotherRelease() throws Exception {
        ReleaseSigningKey key = ReleaseSigningKey.fromFile(keyFile("k", SECRET));
        ReleaseBundle signedA = sealed("a").signedWith(key);
        ReleaseBundle b = sealed("b");
        ObjectNode root = (ObjectNode) Json.mapper().readTree(b.toBytes());
        root.set("signature", Json.mapper().valueToTree(signedA.signature().orElseThrow()));
        ReleaseBundle bWithAsSignature = ReleaseBundle.fromBytes(Json.mapper().writeValueAsBytes(root));

        assertThatThrownBy(() -> TrustedReleaseKeys.of(List.of(key)).verify(bWithAsSignature))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void aForgedValueOrAlgorithmIsRejected() throws Exception {
        ReleaseSigningKey key = ReleaseSigningKey.fromFile(keyFile("k", SECRET));
        ReleaseBundle signed = sealed("a").signedWith(key);
        ReleaseSignature real = signed.signature().orElseThrow();
        byte[] flipped = Base64.getDecoder().decode(real.value());
        flipped[31] ^= 1;

        assertThat(key.verifies(
                        new ReleaseSignature(
                                real.algorithm(),
                                real.keyId(),
                                Base64.getEncoder().encodeToString(flipped)),
                        signed.manifest().digest()))
                .isFalse();
        assertThat(key.verifies(
                        new ReleaseSignature(real.algorithm(), real.keyId(), "not base64!"),
                        signed.manifest().digest()))
                .isFalse();
        assertThat(key.verifies(
                        new ReleaseSignature("HMAC-SHA1", real.keyId(), real.value()),
                        signed.manifest().digest()))
                .isFalse();
        assertThat(key.verifies(real, signed.manifest().digest())).isTrue();
    }

    @Test
    void withoutTrustedKeysSignaturesAreNotRequired() throws Exception {
        assertThat(TrustedReleaseKeys.none().required()).isFalse();
        assertThatCode(() -> TrustedReleaseKeys.fromFiles(List.of()).verify(sealed("a")))
                .doesNotThrowAnyException();
    }

    @Test
    void aMalformedSignatureMakesTheReleaseUnreadable() throws Exception {
        ObjectNode root = (ObjectNode) Json.mapper().readTree(sealed("a").toBytes());
        root.put("signature", "just a string");

        assertThatThrownBy(() -> ReleaseBundle.fromBytes(Json.mapper().writeValueAsBytes(root)))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("signature");
    }
}
