package ecgdetector.streamer.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.testing.HostileSavedModels;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Bad model releases made from a good one, each as a record signed with the trusted key, as a trainer with a bug
 * (not an attacker) could publish it: so the checks behind the signature must stop them. Bytes that are no
 * release, a release cut short, one for another window length, one whose content no longer matches its digest,
 * and a real TensorFlow model that outputs NaN.
 */
public final class PoisonedReleases {

    private PoisonedReleases() {}

    /** Random bytes under the key of a new version: not even JSON. */
    public static ReleaseRecord corruptBytes(ReleaseBundle good, long seed) {
        byte[] bytes = new byte[4096];
        new Random(seed).nextBytes(bytes);
        return signedBytes(good.modelName() + "/" + good.version() + "-corrupt", bytes);
    }

    /** The first half of the good release's wire form, as a broken upload would leave it. */
    public static ReleaseRecord truncated(ReleaseBundle good) {
        byte[] bytes = good.toBytes();
        return signedBytes(
                good.modelName() + "/" + good.version() + "-truncated", Arrays.copyOf(bytes, bytes.length / 2));
    }

    /** A correctly sealed release of the same model and weights that declares windows of {@code length} samples. */
    public static ReleaseRecord wrongInputLength(ReleaseBundle good, int length) {
        ReleaseManifest m = good.manifest();
        ReleaseManifest.Scaler s = m.scaler();
        ReleaseManifest.Scaler scaler =
                new ReleaseManifest.Scaler(s.kind(), Arrays.copyOf(s.min(), length), Arrays.copyOf(s.max(), length));
        return FakeModels.signed(sealWithFiles(
                TestManifests.withScaling(m, m.version() + "-len" + length, scaler, m.scoring()), good.modelFiles()));
    }

    /**
     * The good release with its threshold lowered to 0 after sealing, so that every window would alert: the
     * manifest's digest no longer matches its content.
     */
    public static ReleaseRecord digestMismatch(ReleaseBundle good) {
        try {
            ObjectNode root = (ObjectNode) Json.mapper().readTree(good.toBytes());
            ObjectNode manifest = (ObjectNode) root.get("manifest");
            ((ObjectNode) manifest.get("scoring")).put("threshold", 0.0);
            String version = good.version() + "-tampered";
            manifest.put("version", version);
            return signedBytes(good.modelName() + "/" + version, Json.mapper().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A release of a real TensorFlow SavedModel with the serving signature of the good one whose weights are
     * NaN, of allowed ops only: it loads, and TensorFlow computes NaN for every input.
     */
    public static ReleaseRecord nanModel(ReleaseBundle good) {
        return FakeModels.signed(HostileSavedModels.nanWeights(good));
    }

    /** {@code value} under {@code key}, with the headers of release format 2, signed with the trusted key. */
    private static ReleaseRecord signedBytes(String key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(ReleaseRecord.HEADER_FORMAT, "2".getBytes(StandardCharsets.US_ASCII));
        headers.add(
                ReleaseRecord.HEADER_SIGNATURE,
                java.util.Base64.getEncoder().encode(TestKeys.trainer().key().sign(value)));
        headers.add(
                ReleaseRecord.HEADER_KEY_ID, TestKeys.trainer().key().keyId().getBytes(StandardCharsets.UTF_8));
        return new ReleaseRecord(key, value, headers);
    }

    private static ReleaseBundle sealWithFiles(ReleaseManifest draft, Map<String, byte[]> files) {
        Path dir = tempDir();
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path target = dir.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, file.getValue());
            }
            return ReleaseBundle.seal(draft, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ecg-poisoned-release");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder
        }
    }
}
