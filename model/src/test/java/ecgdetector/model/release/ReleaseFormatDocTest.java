package ecgdetector.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ecgdetector.model.testing.TestKeys;
import ecgdetector.model.testing.TestManifests;
import ecgdetector.schemas.ReleaseManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/release-format.md tells a non-Java tool how to check a release with openssl: those very lines, taken from
 * the document, must verify a release this code signed, and refuse one changed after signing.
 */
class ReleaseFormatDocTest {

    private static final Path DOC = Path.of("..", "docs", "release-format.md");
    private static final String BEGIN = "<!-- verified by ReleaseFormatDocTest";
    private static final String END = "<!-- /verified -->";

    @TempDir
    Path tmp;

    @Test
    void theDocumentTabulatesEveryErrorMetric() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        for (ecgdetector.model.scoring.ErrorMetric metric : ecgdetector.model.scoring.ErrorMetric.values()) {
            assertThat(doc).as(metric.id()).contains("| `" + metric.id() + "` |");
        }
    }

    @Test
    void theDocumentedOpensslCommandVerifiesAGenuineReleaseAndRefusesATamperedOne() throws Exception {
        assumeTrue(ReleaseKeyFilesTest.openssl(tmp, "version").exit() == 0, "openssl is not on this machine");
        String commands = documentedCommands();
        assertThat(commands).contains("openssl pkeyutl -verify -pubin -inkey release.pub -rawin");

        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("saved_model.pb"), "graph");
        ReleaseRecord record = ReleaseRecord.signed(
                ReleaseBundle.seal(
                        TestManifests.draft(
                                "ecg-autoencoder",
                                "v1",
                                "2026-12-01T00:00:00Z",
                                TestManifests.globalScaler(140, 0, 1),
                                ReleaseManifest.Scoring.of("msle", 0.01)),
                        model),
                TestKeys.trainer().key());

        Path genuine = Files.createDirectories(tmp.resolve("genuine"));
        write(genuine, record.value(), record);
        ReleaseKeyFilesTest.Run ok = run(genuine, commands);
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("Signature Verified Successfully");

        Path tampered = Files.createDirectories(tmp.resolve("tampered"));
        byte[] changed = record.value().clone();
        changed[changed.length - 3] ^= 1;
        write(tampered, changed, record);
        ReleaseKeyFilesTest.Run refused = run(tampered, commands);
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.output()).contains("Signature Verification Failure");
    }

    /** The shell lines between the document's markers, without the code fence. */
    private static String documentedCommands() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int from = doc.indexOf(BEGIN);
        int to = doc.indexOf(END, from);
        assertThat(from).as("the marked block in %s", DOC).isNotNegative();
        List<String> lines = doc.substring(doc.indexOf('\n', from) + 1, to)
                .lines()
                .filter(line -> !line.startsWith("```"))
                .toList();
        return String.join("\n", lines);
    }

    /** value.bin, signature.b64 (the header as it travels) and release.pub, as the document names them. */
    private static void write(Path dir, byte[] value, ReleaseRecord signedRecord) throws Exception {
        Files.write(dir.resolve("value.bin"), value);
        Files.write(
                dir.resolve("signature.b64"),
                signedRecord.header(ReleaseRecord.HEADER_SIGNATURE).orElseThrow());
        Files.copy(TestKeys.trainer().publicKey(), dir.resolve("release.pub"));
    }

    private static ReleaseKeyFilesTest.Run run(Path dir, String commands) throws Exception {
        Process p = new ProcessBuilder(List.of("bash", "-ec", commands))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new ReleaseKeyFilesTest.Run(p.exitValue(), out);
    }
}
