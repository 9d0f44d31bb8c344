package ecgdetector.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ecgdetector.schemas.Json;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.testing.JsonSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseBundleTest {

    @TempDir
    Path tmp;

    static ReleaseManifest draft(int length, float[] min, float[] max) {
        return new ReleaseManifest(
                ReleaseManifest.FORMAT_VERSION,
                "ecg-autoencoder",
                "20261124T120000Z-test",
                "2026-11-24T12:00:00Z",
                length,
                ReleaseManifest.Serving.standard(),
                new ReleaseManifest.Scaler("per-position", min, max),
                ReleaseManifest.Scoring.of("msle", 0.0123),
                "mean+1std",
                new ReleaseManifest.Provenance(
                        "72ce7b040ca0c6ed36c3368e570c6ac4ddf20100476e47373c63b2395e012df1",
                        "ecg.csv",
                        4998,
                        42,
                        Map.of("epochs", 20, "learningRate", 0.001),
                        Map.of("accuracy", 0.95),
                        "test"),
                null,
                null);
    }

    private ReleaseBundle sealed() throws Exception {
        Random random = new Random(7);
        float[] min = new float[140];
        float[] max = new float[140];
        for (int i = 0; i < 140; i++) {
            // Arbitrary floats: their JSON form must read back to the very same bits.
            min[i] = (float) random.nextGaussian() * 3;
            max[i] = min[i] + random.nextFloat() * 5 + 1e-6f;
        }
        Path model = Files.createDirectories(tmp.resolve("model/variables"));
        Files.writeString(tmp.resolve("model/saved_model.pb"), "graph bytes");
        Files.write(model.resolve("variables.data-00000-of-00001"), new byte[] {0, 1, 2, (byte) 255});
        Files.writeString(model.resolve("variables.index"), "index");
        return ReleaseBundle.seal(draft(140, min, max), tmp.resolve("model"));
    }

    @Test
    void sealListsEveryFileWithItsHashAndSignsTheManifest() throws Exception {
        ReleaseBundle bundle = sealed();

        assertThat(bundle.manifest().files())
                .extracting(ReleaseManifest.FileEntry::path)
                .containsExactly(
                        "saved_model.pb", "variables/variables.data-00000-of-00001", "variables/variables.index");
        assertThat(bundle.manifest().files().get(0).sha256())
                .isEqualTo(Sha256.hex("graph bytes".getBytes(StandardCharsets.UTF_8)));
        assertThat(bundle.manifest().digest())
                .startsWith("sha256:")
                .isEqualTo(ReleaseBundle.digestOf(bundle.manifest()));
    }

    @Test
    void wireFormRoundTripsToIdenticalBytesAndValidatesAgainstItsSchema() throws Exception {
        ReleaseBundle bundle = sealed();
        byte[] bytes = bundle.toBytes();

        ReleaseBundle back = ReleaseBundle.parse(bytes);

        assertThat(back.toBytes()).isEqualTo(bytes);
        assertThat(back.manifest()).isEqualTo(bundle.manifest());
        assertThat(back.manifest().scaler().min())
                .containsExactly(bundle.manifest().scaler().min());
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.MODEL_RELEASE, bytes))
                .isEmpty();
        assertThat(JsonSchemas.violations(
                        JsonSchemas.Contract.RELEASE_MANIFEST, Json.mapper().valueToTree(bundle.manifest())))
                .isEmpty();
    }

    @Test
    void theManifestSchemaNamesEveryErrorMetricAndNoOther() throws Exception {
        ObjectNode manifest = Json.mapper().valueToTree(sealed().manifest());
        for (ecgdetector.model.scoring.ErrorMetric metric : ecgdetector.model.scoring.ErrorMetric.values()) {
            ((ObjectNode) manifest.get("scoring")).put("metric", metric.id());
            assertThat(JsonSchemas.violations(JsonSchemas.Contract.RELEASE_MANIFEST, manifest))
                    .as(metric.id())
                    .isEmpty();
        }
        ((ObjectNode) manifest.get("scoring")).put("metric", "rmse");
        assertThat(JsonSchemas.violations(JsonSchemas.Contract.RELEASE_MANIFEST, manifest))
                .isNotEmpty();
    }

    @Test
    void folderFormRoundTrips() throws Exception {
        ReleaseBundle bundle = sealed();
        bundle.writeTo(tmp.resolve("release"));

        ReleaseBundle back = ReleaseBundle.readFrom(tmp.resolve("release"));

        assertThat(back.toBytes()).isEqualTo(bundle.toBytes());
        assertThat(tmp.resolve("release/saved_model/variables/variables.index")).hasContent("index");
    }

    @Test
    void aChangedThresholdBreaksTheDigest() throws Exception {
        ObjectNode root = (ObjectNode) Json.mapper().readTree(sealed().toBytes());
        ((ObjectNode) root.get("manifest").get("scoring")).put("threshold", 99.0);

        assertThatThrownBy(() -> ReleaseBundle.parse(Json.mapper().writeValueAsBytes(root)))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("digest mismatch");
    }

    @Test
    void aChangedModelFileIsCaught() throws Exception {
        ObjectNode root = (ObjectNode) Json.mapper().readTree(sealed().toBytes());
        ((ObjectNode) root.get("files")).put("variables/variables.index", "AAAA");

        assertThatThrownBy(() -> ReleaseBundle.parse(Json.mapper().writeValueAsBytes(root)))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("variables/variables.index");
    }

    @Test
    void garbageAndTruncationAreRejectedWithAReason() throws Exception {
        byte[] bytes = sealed().toBytes();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> ReleaseBundle.parse(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> ReleaseBundle.parse(truncated)).hasMessageContaining("not readable JSON");
        assertThatThrownBy(() -> ReleaseBundle.parse("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not readable JSON");
        assertThatThrownBy(() -> ReleaseBundle.parse("{}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("'manifest' and 'files'");
        assertThatThrownBy(() -> ReleaseBundle.parse(new byte[] {(byte) 0xff, 0x00, 0x13}))
                .isInstanceOf(InvalidReleaseException.class);
    }

    @Test
    void theReaderBuildsNoTreeAndTakesNothingItDoesNotKnow() throws Exception {
        // A node-heavy document is refused at its first token, not held in memory as millions of nodes.
        byte[] nodeHeavy = ("[" + "{},".repeat(300_000) + "{}]").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ReleaseBundle.parse(nodeHeavy))
                .isInstanceOf(InvalidReleaseException.class)
                .hasMessageContaining("not readable JSON");
        // The recipe takes any JSON: the one place nesting is not stopped by the types.
        byte[] deep = ("{\"manifest\":{\"provenance\":{\"recipe\":{\"a\":" + "[".repeat(50) + "]".repeat(50) + "}}}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ReleaseBundle.parse(deep)).hasMessageContaining("nesting depth");

        ObjectNode extra = (ObjectNode) Json.mapper().readTree(sealed().toBytes());
        extra.put("signature", "a format 1 member");
        assertThatThrownBy(() -> ReleaseBundle.parse(Json.mapper().writeValueAsBytes(extra)))
                .hasMessageContaining("signature");

        String json = new String(sealed().toBytes(), StandardCharsets.UTF_8);
        String twice = json.replace(
                "\"files\":{\"saved_model.pb\"", "\"files\":{\"saved_model.pb\":\"AA==\",\"saved_model.pb\"");
        assertThat(twice).isNotEqualTo(json);
        assertThatThrownBy(() -> ReleaseBundle.parse(twice.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("Duplicate field");
    }

    @Test
    void aMetricOrParameterTheReaderDoesNotKnowIsRefused() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("m3"));
        Files.writeString(model.resolve("saved_model.pb"), "x");
        ReleaseManifest base = draft(3, new float[3], new float[] {1, 1, 1});

        assertThatThrownBy(() -> ReleaseBundle.seal(
                        withScoring(base, new ReleaseManifest.Scoring("msle-v9", 0.1, Map.of())), model))
                .hasMessageContaining("unknown error metric 'msle-v9'");
        assertThatThrownBy(() -> ReleaseBundle.seal(
                        withScoring(base, new ReleaseManifest.Scoring("msle", 0.1, Map.of("weights", 1))), model))
                .hasMessageContaining("takes no parameters")
                .hasMessageContaining("weights");
        assertThat(Json.mapper().writeValueAsString(ReleaseManifest.Scoring.of("msle", 0.5)))
                .as("today's rule, and nothing else")
                .isEqualTo("{\"metric\":\"msle\",\"threshold\":0.5}");
    }

    private static ReleaseManifest withScoring(ReleaseManifest m, ReleaseManifest.Scoring scoring) {
        return new ReleaseManifest(
                m.formatVersion(),
                m.modelName(),
                m.version(),
                m.createdAt(),
                m.inputLength(),
                m.serving(),
                m.scaler(),
                scoring,
                m.thresholdPolicy(),
                m.provenance(),
                null,
                null);
    }

    @Test
    void aScalerOfTheWrongLengthIsRejectedEvenWithAValidDigest() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("m2"));
        Files.writeString(model.resolve("saved_model.pb"), "x");
        assertThatThrownBy(() -> ReleaseBundle.seal(draft(140, new float[3], new float[] {1, 1, 1}), model))
                .hasMessageContaining("scaler has 3 positions, input length is 140");
    }
}
