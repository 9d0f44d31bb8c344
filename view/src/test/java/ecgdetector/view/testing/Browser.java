package ecgdetector.view.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through its chromedriver by Selenium, with the flags this closed network
 * needs (no background connections out). The driver's path is given, so Selenium Manager never tries to download
 * one. Where Chromium or its driver is not installed, the calling test is skipped, saying what to install.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of(System.getProperty("ecg.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("ecg.chromedriver", "/usr/bin/chromedriver"));

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Skips the calling test where Chromium or chromedriver is missing. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "skipped: needs Debian's Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                        + " (apt-get install chromium chromium-driver; .ci/run installs them), or"
                        + " -Decg.chromium=... -Decg.chromedriver=...");
    }

    public static Browser open(Path profile, int width, int height) throws IOException {
        assumeInstalled();
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return new Browser(driver);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Runs axe-core (vendored from npm) on the page; returns its violations. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> axeViolations() throws IOException {
        String axe;
        try (InputStream in = Browser.class.getClassLoader().getResourceAsStream("axe-core/axe.min.js")) {
            axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JavascriptExecutor js = driver;
        js.executeScript(axe);
        Object result = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                + " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
                + ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));");
        return (List<Map<String, Object>>) result;
    }

    /** A screenshot of the window, saved as {@code target/screenshots/NAME.png}. */
    public Path screenshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
