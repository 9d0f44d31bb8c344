package ecgdetector.streamer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseVerifier;
import ecgdetector.model.release.TrustedReleaseKeys;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.streamer.ops.StreamerMetrics;
import ecgdetector.streamer.testing.FakeModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry: which verified releases may serve, and what a streamer loads when it reads the topic at start. */
class ModelRegistryTest {

    private final FakeModels models = new FakeModels();
    private final StreamerMetrics metrics = new StreamerMetrics(new SimpleMeterRegistry());

    private ModelRegistry registry(ReleaseVerifier verifier, boolean allowOlder) {
        return new ModelRegistry(FakeModels.MODEL, 140, models, metrics, verifier, allowOlder);
    }

    private ModelRegistry registry() {
        return registry(TestKeys.trainer().verifier(), false);
    }

    private static ReleaseRecord signed(String version, double threshold) {
        return FakeModels.signed(FakeModels.release(version, threshold));
    }

    @Test
    void unsignedAndWronglySignedReleasesAreRejectedBeforeLoadingAndTheServingModelStays() {
        ModelRegistry registry = registry();
        registry.offer(signed("v1", 1.0), "ecg.models/0/0");

        ModelRegistry.Outcome unsigned =
                registry.offer(ReleaseRecord.unsigned(FakeModels.release("v2", 0.0)), "ecg.models/0/1");
        ModelRegistry.Outcome forged = registry.offer(
                ReleaseRecord.signed(
                        FakeModels.release("v3", 0.0), TestKeys.attacker().key()),
                "ecg.models/0/2");
        ModelRegistry.Outcome tampered = registry.offer(FakeModels.tampered(FakeModels.release("v4", 1.0)), "x");

        assertThat(unsigned)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("not signed"));
        assertThat(forged)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("does not trust"));
        assertThat(tampered)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason()).contains("does not match"));
        assertThat(metrics.releasesRejected()).isEqualTo(3);
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
        assertThat(models.loaded).extracting(m -> m.manifest().version()).containsExactly("v1");
    }

    @Test
    void anOlderSignedReleaseRepublishedLaterIsRefusedUnlessRollbackIsAllowed() {
        ReleaseRecord v1 = signed("v1", 1e9); // once signed: alarms almost never
        ModelRegistry registry = registry();
        registry.offer(v1, "ecg.models/0/0");
        registry.offer(signed("v2", 1.0), "ecg.models/0/1");

        assertThat(registry.offer(v1, "ecg.models/0/2"))
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason())
                                .contains("not after the serving version v2")
                                .contains("ecg.release.allow.older"));
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v2");

        ModelRegistry rollingBack = registry(TestKeys.trainer().verifier(), true);
        rollingBack.offer(signed("v2", 1.0), "ecg.models/0/1");
        assertThat(rollingBack.offer(v1, "ecg.models/0/2")).isInstanceOf(ModelRegistry.Outcome.Accepted.class);
    }

    @Test
    void aReleaseSignedForAnotherModelNameIsRefused() {
        ModelRegistry registry = registry();
        ReleaseBundle other = FakeModels.release("other-model", "v9", 1.0, 140, "weights");

        assertThat(registry.offer(FakeModels.signed(other), "ecg.models/0/3"))
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.reason())
                                .contains("release is of model 'other-model', this streamer serves 'ecg-autoencoder'"));
        assertThat(registry.hasModel()).isFalse();
    }

    @Test
    void aRejectedRecordIsNamedByItsKeyEscapedAndNeverParsedForIt() {
        ModelRegistry registry = registry();
        byte[] junk = "{\"manifest\":{\"version\":\"v-forged\"}}".getBytes(StandardCharsets.UTF_8);

        ModelRegistry.Outcome plain = registry.offer(new ReleaseRecord("ecg-autoencoder", junk, null), "a");
        ModelRegistry.Outcome crlf = registry.offer(new ReleaseRecord("ecg-autoencoder/x\r\ny", junk, null), "b");

        assertThat(plain).isInstanceOfSatisfying(ModelRegistry.Outcome.Rejected.class, r -> {
            assertThat(r.version()).isEqualTo("unknown (record key 'ecg-autoencoder')");
            assertThat(r.reason()).contains("format 1 release").contains("re-publish with this trainer");
        });
        assertThat(crlf)
                .isInstanceOfSatisfying(
                        ModelRegistry.Outcome.Rejected.class,
                        r -> assertThat(r.version())
                                .isEqualTo("unknown (record key 'ecg-autoencoder/x\\u000d\\u000ay')"));
    }

    @Test
    void withUnsignedReleasesAllowedSignaturesAreNotLookedAt() {
        ModelRegistry registry = registry(ReleaseVerifier.unsigned(ReleaseVerifier.DEFAULT_MAX_BYTES), false);

        assertThat(registry.offer(ReleaseRecord.unsigned(FakeModels.release("v1", 1.0)), "a"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(registry.offer(
                        ReleaseRecord.signed(
                                FakeModels.release("v2", 1.0),
                                TestKeys.attacker().key()),
                        "b"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
    }

    @Test
    void duringARotationEitherTrustedKeyWillDo() {
        ModelRegistry registry = registry(
                ReleaseVerifier.signedBy(
                        TrustedReleaseKeys.of(List.of(
                                TestKeys.trainer().key().publicKey(),
                                TestKeys.named("next").key().publicKey())),
                        ReleaseVerifier.DEFAULT_MAX_BYTES),
                false);

        assertThat(registry.offer(signed("v1", 1.0), "a")).isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(registry.offer(
                        ReleaseRecord.signed(
                                FakeModels.release("v2", 1.0),
                                TestKeys.named("next").key()),
                        "b"))
                .isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v2");
    }

    @Test
    void readingTheTopicAtStartLoadsOnlyTheReleaseThatServesAtItsEnd() {
        ModelRegistry registry = registry();
        List<String> served = new ArrayList<>();
        registry.onServing(m -> served.add(m.version()));

        registry.replayStarted();
        assertThat(registry.offer(signed("v1", 1.0), "o/0")).isInstanceOf(ModelRegistry.Outcome.Pending.class);
        assertThat(registry.offer(signed("v2", 1.0), "o/1")).isInstanceOf(ModelRegistry.Outcome.Pending.class);
        assertThat(registry.offer(signed("v3", 1.0), "o/2")).isInstanceOf(ModelRegistry.Outcome.Pending.class);
        // Re-published later by someone who kept it: older than the newest, refused as at any time.
        assertThat(registry.offer(signed("v1", 1.0), "o/3")).isInstanceOf(ModelRegistry.Outcome.Rejected.class);
        assertThat(models.loaded).isEmpty();
        registry.replayEnded();

        assertThat(models.loaded).extracting(m -> m.manifest().version()).containsExactly("v3");
        assertThat(served).containsExactly("v3");
        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v3");

        // Live again: a new release loads at once.
        assertThat(registry.offer(signed("v4", 1.0), "o/4")).isInstanceOf(ModelRegistry.Outcome.Accepted.class);
        assertThat(served).containsExactly("v3", "v4");
    }

    @Test
    void releasesTheLoadWouldRefuseAreRefusedAsTheyAreReadSoTheyCannotCrowdOutTheGoodOne() {
        ModelRegistry registry = registry();

        registry.replayStarted();
        registry.offer(signed("v1", 1.0), "o/0");
        for (int i = 2; i < 40; i++) {
            assertThat(registry.offer(FakeModels.signed(FakeModels.readsFile("v" + i)), "o/" + i))
                    .isInstanceOfSatisfying(
                            ModelRegistry.Outcome.Rejected.class,
                            r -> assertThat(r.reason()).contains("ReadFile"));
        }
        registry.replayEnded();

        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
        assertThat(models.loaded).extracting(m -> m.manifest().version()).containsExactly("v1");
    }

    @Test
    void whenTheNewestReleaseOnTheTopicFailsToLoadTheOneBeforeItServesAsALiveStreamerWouldKeepIt() {
        ModelRegistry registry = registry();

        registry.replayStarted();
        registry.offer(signed("v1", 1.0), "o/0");
        registry.offer(FakeModels.signed(FakeModels.nanRelease("v2")), "o/1");
        registry.replayEnded();

        assertThat(registry.serving()).map(ReleaseManifest::version).contains("v1");
        assertThat(metrics.releasesRejected()).isEqualTo(1);
    }
}
