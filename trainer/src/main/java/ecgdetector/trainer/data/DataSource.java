package ecgdetector.trainer.data;

import ecgdetector.model.release.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the ECG5000 file: {@code --data} (a path or URL), else {@code ECG_DATA}, else a verified copy in the
 * user's cache folder, else a download of TensorFlow's public copy into that cache, checked against its
 * known SHA-256. A download is written to a temporary file and moved into place only once verified, so a
 * broken download never leaves a file that looks valid.
 */
public final class DataSource {

    public static final String ENV = "ECG_DATA";
    public static final URI PUBLIC_URL =
            URI.create("https://storage.googleapis.com/download.tensorflow.org/data/ecg.csv");
    public static final String PUBLIC_SHA256 = "72ce7b040ca0c6ed36c3368e570c6ac4ddf20100476e47373c63b2395e012df1";

    private final Map<String, String> env;
    private final Path cacheDir;
    private final URI defaultUrl;
    private final String defaultSha256;
    private final Consumer<String> progress;

    /**
     * @param defaultUrl    where to download from when nothing is given and the cache is empty
     * @param defaultSha256 what that download must hash to
     */
    public DataSource(
            Map<String, String> env, Path cacheDir, URI defaultUrl, String defaultSha256, Consumer<String> progress) {
        this.env = env;
        this.cacheDir = cacheDir;
        this.defaultUrl = defaultUrl;
        this.defaultSha256 = defaultSha256;
        this.progress = progress;
    }

    public static DataSource standard(Consumer<String> progress) {
        return new DataSource(System.getenv(), defaultCacheDir(System.getenv()), PUBLIC_URL, PUBLIC_SHA256, progress);
    }

    /** {@code $XDG_CACHE_HOME/ecg-detector}, else {@code ~/.cache/ecg-detector}. */
    public static Path defaultCacheDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ecg-detector");
    }

    /** The local file to read, downloading it first if that is where the data is. */
    public Path resolve(Optional<String> dataOption) throws IOException {
        Optional<String> given = dataOption
                .filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(env.get(ENV)).filter(s -> !s.isBlank()));
        if (given.isPresent()) {
            String location = given.get();
            if (location.startsWith("http://") || location.startsWith("https://")) {
                URI uri = URI.create(location);
                String expected = uri.equals(defaultUrl) ? defaultSha256 : null;
                return cached(
                        uri,
                        "ecg-"
                                + Sha256.hex(location.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                        .substring(0, 12)
                                + ".csv",
                        expected);
            }
            Path path = Path.of(location);
            if (!Files.isRegularFile(path)) {
                throw new IOException("data file " + path.toAbsolutePath() + " does not exist");
            }
            return path;
        }
        return cached(defaultUrl, "ecg.csv", defaultSha256);
    }

    private Path cached(URI uri, String fileName, String expectedSha256) throws IOException {
        Path target = cacheDir.resolve(fileName);
        if (Files.isRegularFile(target) && (expectedSha256 == null || expectedSha256.equals(Sha256.hex(target)))) {
            return target;
        }
        Files.createDirectories(cacheDir);
        Path partial = Files.createTempFile(cacheDir, fileName, ".part");
        try {
            progress.accept("downloading " + uri + " to " + target);
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(15))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofMinutes(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            try (InputStream body = response.body()) {
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            if (expectedSha256 != null) {
                String actual = Sha256.hex(partial);
                if (!expectedSha256.equals(actual)) {
                    throw new IOException("downloaded file has SHA-256 " + actual + ", expected " + expectedSha256);
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException(
                    "cannot get the ECG5000 data from " + uri + " (" + e.getMessage() + "). Pass --data PATH or set "
                            + ENV + " to a local ecg.csv",
                    e);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
