package ecgdetector.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import ecgdetector.model.release.Sha256;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourceTest {

    private static final byte[] CONTENT = "1,2,3,1\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private HttpServer server;
    private final AtomicInteger downloads = new AtomicInteger();
    private final List<String> messages = new ArrayList<>();

    @BeforeEach
    void serveTheFileOnLoopback() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ecg.csv", exchange -> {
            downloads.incrementAndGet();
            exchange.sendResponseHeaders(200, CONTENT.length);
            exchange.getResponseBody().write(CONTENT);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ecg.csv");
    }

    private DataSource source(Map<String, String> env, String sha) {
        return new DataSource(env, tmp.resolve("cache"), url(), sha, messages::add);
    }

    @Test
    void anExplicitPathWinsOverTheEnvironment() throws Exception {
        Path given = Files.write(tmp.resolve("given.csv"), CONTENT);
        Path fromEnv = Files.write(tmp.resolve("env.csv"), CONTENT);
        DataSource source = source(Map.of(DataSource.ENV, fromEnv.toString()), Sha256.hex(CONTENT));

        assertThat(source.resolve(Optional.of(given.toString()))).isEqualTo(given);
        assertThat(source.resolve(Optional.empty())).isEqualTo(fromEnv);
        assertThat(downloads).hasValue(0);
    }

    @Test
    void aMissingPathIsAClearError() {
        DataSource source = source(Map.of(), Sha256.hex(CONTENT));
        assertThatThrownBy(
                        () -> source.resolve(Optional.of(tmp.resolve("nope.csv").toString())))
                .hasMessageContaining("nope.csv does not exist");
    }

    @Test
    void downloadsOnceIntoTheCacheThenReusesTheVerifiedCopy() throws Exception {
        DataSource source = source(Map.of(), Sha256.hex(CONTENT));

        Path first = source.resolve(Optional.empty());
        Path second = source.resolve(Optional.empty());

        assertThat(first).isEqualTo(second).hasBinaryContent(CONTENT);
        assertThat(downloads).hasValue(1);
        assertThat(messages).singleElement().asString().startsWith("downloading " + url());
    }

    @Test
    void aDownloadWithTheWrongHashIsRefusedAndLeavesNothingBehind() throws Exception {
        DataSource source = source(Map.of(), "0".repeat(64));

        assertThatThrownBy(() -> source.resolve(Optional.empty()))
                .hasMessageContaining("has SHA-256 " + Sha256.hex(CONTENT))
                .hasMessageContaining("Pass --data PATH or set ECG_DATA");
        try (var files = Files.list(tmp.resolve("cache"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aCorruptedCacheIsReplacedByAFreshDownload() throws Exception {
        Files.createDirectories(tmp.resolve("cache"));
        Files.writeString(tmp.resolve("cache/ecg.csv"), "half a fi");
        DataSource source = source(Map.of(), Sha256.hex(CONTENT));

        assertThat(source.resolve(Optional.empty())).hasBinaryContent(CONTENT);
        assertThat(downloads).hasValue(1);
    }

    @Test
    void anUnreachableServerSaysHowToGiveTheDataInstead() {
        server.stop(0);
        DataSource source = source(Map.of(), Sha256.hex(CONTENT));
        assertThatThrownBy(() -> source.resolve(Optional.empty()))
                .hasMessageContaining("cannot get the ECG5000 data from " + url())
                .hasMessageContaining("ECG_DATA");
    }
}
