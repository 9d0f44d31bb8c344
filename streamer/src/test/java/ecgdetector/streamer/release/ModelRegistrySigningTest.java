package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseSigningKey;
import ecgdetector.model.release.TrustedReleaseKeys;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry with release keys: only a release a trusted key signed may serve. */
class ModelRegistrySigningTest {

    private static final ReleaseSigningKey KEY = key("current-key-0123456789abcdefghijklmnop");
    private static final ReleaseSigningKey NEXT_KEY = key("next-key-0123456789abcdefghijklmnopqrs");
    private static final ReleaseSigningKey ATTACKER_KEY = key("attacker-0123456789abcdefghijklmnopqrs");

    private final FakeModels models = new FakeModels();
    private final StreamerMetrics metrics = new StreamerMetrics(new SimpleMeterRegistry());

    private static ReleaseSigningKey key(String secret) {
        return ReleaseSigningKey.of(secret.getBytes(StandardCharsets.UTF_8), "test");
    }

    private ModelRegistry registry(ReleaseSigningKey... trusted) {
        return new ModelRegistry(FakeModels.MODEL, 140, models, metrics, TrustedReleaseKeys.of(List.of(trusted)));
    }

    @Test
    void unsignedAndWronglySignedReleasesAreRejectedBeforeLoadingAndTheServingModelStays() {
        ModelRegistry registry = registry(KEY);
        registry.offer(FakeModels.release("v1", 1.0).signedWith(KEY).toBytes(), "ecg.models/0/0");

        ModelRegistry.Outcome unsigned =
                registry.offer(FakeModels.release("v2", 0.0).toBytes(), "ecg.models/0/1");
        ModelRegistry.Outcome forged = registry.offer(
                FakeModels.release("v3", 0.0).signedWith(ATTACKER_KEY).toBytes(), "ecg.models/0/2");

        assertThat(unsigned)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("not signed"));
        assertThat(forged)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("does not trust"));
        assertThat(metrics.releasesRejected()).isEqualTo(2);
        assertThat(registry.serving()).map(m -> m.version()).contains("v1");
        assertThat(models.loaded).extracting(m -> m.manifest().version()).containsExactly("v1");
    }

    @Test
    void anOlderSignedReleaseRepublishedLaterIsRefusedUnlessRollbackIsAllowed() {
        ReleaseBundle v1 = FakeModels.release("v1", 1e9).signedWith(KEY); // once signed: alarms almost never
        ModelRegistry registry = registry(KEY);
        registry.offer(v1.toBytes(), "ecg.models/0/0");
        registry.offer(FakeModels.release("v2", 1.0).signedWith(KEY).toBytes(), "ecg.models/0/1");

        assertThat(registry.offer(v1.toBytes(), "ecg.models/0/2"))
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason())
                                .contains("not after the serving version v2")
                                .contains("ecg.release.allow.older"));
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v2");

        ModelRegistry rollingBack =
                new ModelRegistry(FakeModels.MODEL, 140, models, metrics, TrustedReleaseKeys.of(List.of(KEY)), true);
        rollingBack.offer(FakeModels.release("v2", 1.0).signedWith(KEY).toBytes(), "ecg.models/0/1");
        assertThat(rollingBack.offer(v1.toBytes(), "ecg.models/0/2"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
    }

    @Test
    void anUnsignedRecordCraftedToTripTheReaderIsRejectedNotThrown() throws Exception {
        ModelRegistry registry = registry(KEY);
        registry.offer(FakeModels.release("v1", 1.0).signedWith(KEY).toBytes(), "ecg.models/0/0");
        // A file entry without a path, under a digest anyone can compute: no secret needed to write it.
        ReleaseManifest m = FakeModels.release("v666", 1.0).manifest();
        ReleaseManifest crafted = new ReleaseManifest(
                m.formatVersion(),
                m.modelName(),
                m.version(),
                m.createdAt(),
                m.inputLength(),
                m.serving(),
                m.scaler(),
                m.errorMetric(),
                m.threshold(),
                m.thresholdPolicy(),
                m.provenance(),
                List.of(new ReleaseManifest.FileEntry(null, 1, "00")),
                null);
        crafted = crafted.withDigest(ReleaseBundle.digestOf(crafted));
        ObjectNode root = Json.mapper().createObjectNode();
        root.set("manifest", Json.mapper().valueToTree(crafted));
        root.putObject("files").put("x", "AA==");

        ModelRegistry.Outcome outcome = registry.offer(Json.mapper().writeValueAsBytes(root), "ecg.models/0/7");

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("lacks its path"));
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
    }

    @Test
    void aSignatureCopiedOntoAnotherReleaseIsRejected() throws Exception {
        ModelRegistry registry = registry(KEY);
        ReleaseBundle signed = FakeModels.release("v1", 1.0).signedWith(KEY);
        ObjectNode v2 = (ObjectNode)
                Json.mapper().readTree(FakeModels.release("v2", 0.0).toBytes());
        v2.set("signature", Json.mapper().valueToTree(signed.signature().orElseThrow()));
        byte[] v2WithV1sSignature = Json.mapper().writeValueAsBytes(v2);

        ModelRegistry.Outcome outcome = registry.offer(v2WithV1sSignature, "ecg.models/0/5");

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("does not match"));
        assertThat(registry.hasModel()).isFalse();
    }

    @Test
    void duringARotationEitherTrustedKeyWillDo() {
        ModelRegistry registry = registry(KEY, NEXT_KEY);

        assertThat(registry.offer(FakeModels.release("v1", 1.0).signedWith(KEY).toBytes(), "a"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(registry.offer(
                        FakeModels.release("v2", 1.0).signedWith(NEXT_KEY).toBytes(), "b"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(registry.serving()).map(m -> m.version()).contains("v2");
    }

    @Test
    void withoutKeysUnsignedReleasesServeAndSignaturesAreNotLookedAt() {
        ModelRegistry registry = new ModelRegistry(FakeModels.MODEL, 140, models, metrics);

        assertThat(registry.offer(FakeModels.release("v1", 1.0).toBytes(), "a"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(registry.offer(
                        FakeModels.release("v2", 1.0).signedWith(ATTACKER_KEY).toBytes(), "b"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
    }

    @Test
    void theLocalCopyOfAnAcceptedReleaseIsCheckedAgainstTheKeysOfTheRestartedStreamer() {
        // A streamer that used to accept unsigned releases, restarted with a key: its stored release no longer serves.
        ModelRegistry restarted = registry(KEY);
        assertThat(restarted.offer(FakeModels.release("old-unsigned", 1.0).toBytes(), "the local copy"))
                .isInstanceOf(ModelRegistry.Outcome.Rejected.class);
        assertThat(restarted.hasModel()).isFalse();
    }
}
