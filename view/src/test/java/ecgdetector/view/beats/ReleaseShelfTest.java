package ecgdetector.view.beats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.model.inference.ScoringModel;
import ecgdetector.model.release.InvalidReleaseException;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.ReleaseManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view runs a release's graph in TensorFlow to draw beats, so it takes only what a streamer would: a release
 * signed by a trusted key, checked before it is read; anything else never reaches the loader.
 */
class ReleaseShelfTest {

    @TempDir
    Path tmp;

    private final AtomicInteger loads = new AtomicInteger();
    private final ScoringModel.Loader loader = release -> {
        loads.incrementAndGet();
        throw new InvalidReleaseException("not loaded in this test");
    };

    @Test
    void aReleaseSignedByTheTrustedKeyIsRead() throws Exception {
        try (ReleaseShelf shelf = new ReleaseShelf(loader, TestKeys.trainer().verifier())) {
            shelf.offer(ReleaseRecord.signed(bundle("v1"), TestKeys.trainer().key()));

            assertThat(shelf.inputLength("v1")).contains(140);
        }
    }

    @Test
    void aReleaseSignedByAnotherKeyOrUnsignedIsRefusedUnreadAndNeverLoaded() throws Exception {
        try (ReleaseShelf shelf = new ReleaseShelf(loader, TestKeys.trainer().verifier())) {
            assertThatThrownBy(() -> shelf.offer(ReleaseRecord.signed(
                            bundle("v2"), TestKeys.attacker().key())))
                    .isInstanceOf(InvalidReleaseException.class);
            assertThatThrownBy(() -> shelf.offer(ReleaseRecord.unsigned(bundle("v3"))))
                    .isInstanceOf(InvalidReleaseException.class);

            assertThat(shelf.inputLength("v2")).isEmpty();
            assertThat(shelf.inputLength("v3")).isEmpty();
            assertThat(shelf.draw("v2", new float[140], 0f).note()).contains("not on the models topic");
            assertThat(loads).hasValue(0);
        }
    }

    private ReleaseBundle bundle(String version) throws Exception {
        Path model = Files.createDirectories(tmp.resolve(version));
        Files.writeString(model.resolve("saved_model.pb"), "graph");
        return ReleaseBundle.seal(
                TestManifests.draft(
                        "ecg-autoencoder",
                        version,
                        "2026-12-01T00:00:00Z",
                        TestManifests.globalScaler(140, 0, 1),
                        ReleaseManifest.Scoring.of("msle", 0.01)),
                model);
    }
}
