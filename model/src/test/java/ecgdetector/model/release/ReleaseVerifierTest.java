package ecgdetector.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.model.testing.TestKeys;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.testing.JsonSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A release record verified before it is read: size, format, signature, then the value and its key. */
class ReleaseVerifierTest {

    private static final TestKeys.Pair TRAINER = TestKeys.trainer();
    private static final TestKeys.Pair ATTACKER = TestKeys.attacker();
    private static final TestKeys.Pair NEXT = TestKeys.named("next");

    @TempDir
    Path tmp;

    private ReleaseBundle release(String version) throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model-" + version));
        Files.writeString(model.resolve("saved_model.pb"), "graph " + version);
        return ReleaseBundle.seal(
                TestManifests.draft(
                        "ecg-autoencoder",
                        version,
                        "2026-11-24T12:00:00Z",
                        TestManifests.globalScaler(140, 0, 1),
                        ReleaseManifest.Scoring.of("msle", 0.01)),
                model);
    }

    @Test
    void theSignatureIsEd25519OverTheValueExactlyAsItTravels() throws Exception {
        ReleaseBundle release = release("v1");
        ReleaseRecord record = ReleaseRecord.signed(release, TRAINER.key());

        // Checked here with the JDK directly, as the format document describes it, not through the class under test.
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initVerify(java.security.KeyFactory.getInstance("Ed25519")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(
                        TRAINER.key().publicKey().encoded())));
        ed25519.update(record.value());
        assertThat(ed25519.verify(Base64.getDecoder()
                        .decode(record.header(ReleaseRecord.HEADER_SIGNATURE).orElseThrow())))
                .isTrue();
        assertThat(record.value()).isEqualTo(release.toBytes());
        assertThat(record.key()).isEqualTo("ecg-autoencoder/v1");
        assertThat(record.headerText(ReleaseRecord.HEADER_FORMAT)).contains("2");
        assertThat(record.headerText(ReleaseRecord.HEADER_KEY_ID))
                .hasValueSatisfying(id -> assertThat(id).matches("ed25519-[0-9a-f]{16}"))
                .contains(TRAINER.key().keyId());
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.MODEL_RELEASE, record.value()))
                .isEmpty();
        assertThat(TRAINER.verifier().verify(record).manifest()).isEqualTo(release.manifest());
    }

    @Test
    void unsignedUnknownAndTransplantedSignaturesAreRefused() throws Exception {
        ReleaseVerifier verifier = TRAINER.verifier();
        ReleaseRecord signedV1 = ReleaseRecord.signed(release("v1"), TRAINER.key());
        ReleaseRecord v2 = ReleaseRecord.unsigned(release("v2"));

        assertThatThrownBy(() -> verifier.verify(v2)).hasMessageContaining("release is not signed");
        assertThatThrownBy(() -> verifier.verify(ReleaseRecord.signed(release("v2"), ATTACKER.key())))
                .hasMessageContaining("signed with key " + ATTACKER.key().keyId())
                .hasMessageContaining("does not trust");
        Headers stolen = new RecordHeaders(v2.headers().toArray());
        stolen.add(
                ReleaseRecord.HEADER_SIGNATURE,
                signedV1.header(ReleaseRecord.HEADER_SIGNATURE).orElseThrow());
        stolen.add(
                ReleaseRecord.HEADER_KEY_ID,
                signedV1.header(ReleaseRecord.HEADER_KEY_ID).orElseThrow());
        assertThatThrownBy(() -> verifier.verify(new ReleaseRecord(v2.key(), v2.value(), stolen)))
                .hasMessageContaining("does not match the release");
        // One byte changed after signing.
        byte[] changed = signedV1.value().clone();
        changed[changed.length / 2] ^= 1;
        assertThatThrownBy(() -> verifier.verify(new ReleaseRecord(signedV1.key(), changed, signedV1.headers())))
                .hasMessageContaining("does not match the release");
    }

    @Test
    void theSignatureIsCheckedBeforeAnyByteOfTheValueIsRead() throws Exception {
        ReleaseRecord genuine = ReleaseRecord.signed(release("v1"), TRAINER.key());
        byte[] nodeHeavy = ("[" + "{},".repeat(200_000) + "{}]").getBytes(StandardCharsets.UTF_8);
        byte[] notJson = {(byte) 0xff, 0, 1, 2};
        for (byte[] value : List.of(nodeHeavy, notJson)) {
            // Were it parsed first, it would be refused as unreadable; it is refused for its signature.
            assertThatThrownBy(
                            () -> TRAINER.verifier().verify(new ReleaseRecord(genuine.key(), value, genuine.headers())))
                    .hasMessageContaining("does not match the release");
            assertThatThrownBy(() -> TRAINER.verifier()
                            .verify(new ReleaseRecord(
                                    genuine.key(),
                                    value,
                                    ReleaseRecord.unsigned(release("v1")).headers())))
                    .hasMessageContaining("not signed");
        }
    }

    @Test
    void aRecordOverTheCapIsRefusedUnread() throws Exception {
        ReleaseVerifier small = ReleaseVerifier.signedBy(
                TrustedReleaseKeys.of(List.of(TRAINER.key().publicKey())), 1024);
        ReleaseRecord record = ReleaseRecord.signed(release("v1"), TRAINER.key());
        byte[] whitespace = new byte[2 * 1024 * 1024];
        Arrays.fill(whitespace, (byte) ' ');

        assertThatThrownBy(() -> small.verify(record))
                .hasMessageContaining(
                        "release record of " + record.value().length + " bytes is over the limit of 1024");
        assertThatThrownBy(
                        () -> TRAINER.verifier().verify(new ReleaseRecord(record.key(), whitespace, record.headers())))
                .hasMessageContaining("over the limit of " + ReleaseVerifier.DEFAULT_MAX_BYTES);
    }

    @Test
    void formatOneAndUnknownFormatsAreRefusedWithTheReason() throws Exception {
        ReleaseRecord v1 = ReleaseRecord.signed(release("v1"), TRAINER.key());
        Headers formatOne = new RecordHeaders();
        formatOne.add(ReleaseRecord.HEADER_VERSION, "v1".getBytes(StandardCharsets.UTF_8));
        formatOne.add(ReleaseRecord.HEADER_DIGEST, "sha256:00".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> TRAINER.verifier().verify(new ReleaseRecord("ecg-autoencoder", v1.value(), formatOne)))
                .hasMessageContaining("format 1 release")
                .hasMessageContaining("re-publish with this trainer");
        assertThatThrownBy(() -> TRAINER.verifier().verify(new ReleaseRecord("ecg-autoencoder/v1", v1.value(), null)))
                .hasMessageContaining("not a release record: no ecg.release.format header");
        assertThatThrownBy(() -> TRAINER.verifier().verify(withFormat(v1, "1")))
                .hasMessageContaining("format 1 release: re-publish with this trainer");
        assertThatThrownBy(() -> TRAINER.verifier().verify(withFormat(v1, "3")))
                .hasMessageContaining("upgrade the streamer");
    }

    @Test
    void theKeyMustNameTheReleaseItHolds() throws Exception {
        ReleaseRecord v1 = ReleaseRecord.signed(release("v1"), TRAINER.key());

        assertThatThrownBy(() ->
                        TRAINER.verifier().verify(new ReleaseRecord("ecg-autoencoder/v2", v1.value(), v1.headers())))
                .hasMessageContaining("record key ecg-autoencoder/v2 names another release than the one it holds");
        assertThatThrownBy(
                        () -> TRAINER.verifier().verify(new ReleaseRecord("ecg-autoencoder", v1.value(), v1.headers())))
                .hasMessageContaining("is not modelName/version");
    }

    @Test
    void untrustedTextInAReasonCannotForgeALogLine() throws Exception {
        ReleaseRecord v1 = ReleaseRecord.signed(release("v1"), TRAINER.key());
        Headers forged = new RecordHeaders(v1.headers().toArray());
        forged.add(
                ReleaseRecord.HEADER_KEY_ID,
                "x\n12:00:00.000 INFO  Serving model ecg-autoencoder version evil".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> TRAINER.verifier().verify(new ReleaseRecord(v1.key(), v1.value(), forged)))
                .hasMessageContaining("x\\u000a12:00:00.000 INFO")
                .hasMessageNotContaining("\n");
    }

    @Test
    void duringARotationEitherTrustedKeyWillDoAndWithoutKeysNothingIsChecked() throws Exception {
        ReleaseVerifier both = ReleaseVerifier.signedBy(
                TrustedReleaseKeys.of(
                        List.of(TRAINER.key().publicKey(), NEXT.key().publicKey())),
                ReleaseVerifier.DEFAULT_MAX_BYTES);
        ReleaseVerifier unsigned = ReleaseVerifier.unsigned(ReleaseVerifier.DEFAULT_MAX_BYTES);

        assertThat(both.verify(ReleaseRecord.signed(release("v1"), TRAINER.key()))
                        .version())
                .isEqualTo("v1");
        assertThat(both.verify(ReleaseRecord.signed(release("v2"), NEXT.key())).version())
                .isEqualTo("v2");
        assertThat(unsigned.verify(ReleaseRecord.unsigned(release("v3"))).version())
                .isEqualTo("v3");
        assertThat(unsigned.verify(ReleaseRecord.signed(release("v4"), ATTACKER.key()))
                        .version())
                .isEqualTo("v4");
        assertThat(unsigned.signaturesRequired()).isFalse();
        assertThatThrownBy(() -> ReleaseVerifier.signedBy(TrustedReleaseKeys.none(), 1024))
                .hasMessageContaining("no public key");
    }

    private static ReleaseRecord withFormat(ReleaseRecord record, String format) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(ReleaseRecord.HEADER_FORMAT);
        headers.add(ReleaseRecord.HEADER_FORMAT, format.getBytes(StandardCharsets.US_ASCII));
        return new ReleaseRecord(record.key(), record.value(), headers);
    }
}
