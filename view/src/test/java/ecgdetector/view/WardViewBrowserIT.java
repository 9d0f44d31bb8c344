package ecgdetector.view;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.view.testing.Browser;
import ecgdetector.view.testing.ScenarioFeed;
import ecgdetector.view.web.WebSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The ward view as a person sees it: headless Chromium opens the page while monitors send beats through the real
 * streamer, sees a tile per patient with its beat drawn, sees a tile turn to an alarm colour when a run of abnormal
 * beats is fed, finds no serious accessibility violation (axe-core), and leaves screenshots under
 * {@code target/screenshots/}. Skipped, saying so, where Chromium is not installed.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WardViewBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> PATIENTS = List.of("bed-01", "bed-02", "bed-03", "bed-04", "bed-05", "bed-06");
    private static final String EPISODE = "bed-03";
    /** The page's colour for a low-priority alarm (view.css, --alarm-low: #854d0e). */
    private static final String ALARM_LOW_BROWN = "rgba(133, 77, 14, 1)";

    private static final Set<String> ALARM_LEVELS =
            Set.of("alarm-high", "alarm-medium", "alarm-low", "anomaly-high", "anomaly-low");

    @TempDir
    static Path tmp;

    private static ScenarioFeed feed;
    private static WardView view;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        Browser.assumeInstalled();
        EmbeddedKafkaBroker broker = KafkaBrokerExtension.broker();
        feed = ScenarioFeed.start(broker, tmp.resolve("state"));
        feed.monitor(PATIENTS, 12);
        view = WardView.start(new ViewSettings(
                feed.client(),
                feed.viewTopics(),
                WebSettings.local(0),
                ViewSettings.DEFAULT_SILENT_AFTER,
                ViewSettings.DEFAULT_LOOKBACK,
                TestKeys.trainer().verifier()));
        browser = Browser.open(tmp.resolve("chromium"), 1400, 1000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (view != null) {
            view.close();
        }
        if (feed != null) {
            feed.close();
        }
    }

    @Test
    @Order(1)
    void theWardShowsEveryPatientAndATileTurnsToAnAlarmColourWhenAnEpisodeIsFed() throws Exception {
        WebDriver driver = browser.driver();
        driver.get(view.url());
        waitUntil(
                "a drawn, normal tile for each of " + PATIENTS,
                () -> PATIENTS.stream()
                        .allMatch(p -> tile(p) != null
                                && "normal".equals(tile(p).getDomAttribute("data-level"))
                                && !tile(p).findElements(By.cssSelector(".chart canvas"))
                                        .isEmpty()));
        assertThat(tile("bed-01").findElement(By.cssSelector(".badge.level")).getText())
                .isEqualTo("Normal");

        feed.episode(EPISODE, 4);

        // The beats' scores turn the tile to "anomalous beats" at once; the streamer's alarm stage then raises an
        // episode on ecg.alarms (a run of four clearly abnormal beats: low priority), which the tile shows.
        waitUntil(
                EPISODE + "'s tile in an alarm colour",
                () -> ALARM_LEVELS.contains(tile(EPISODE).getDomAttribute("data-level")));
        waitUntil(
                EPISODE + "'s tile showing the alarm raised on ecg.alarms",
                () -> "alarm-low".equals(tile(EPISODE).getDomAttribute("data-level")));
        WebElement alarmed = tile(EPISODE);
        WebElement badge = alarmed.findElement(By.cssSelector(".badge.level"));
        assertThat(badge.getText()).isEqualTo("Alarm, low priority");
        assertThat(badge.getCssValue("background-color")).isEqualTo(ALARM_LOW_BROWN);
        assertThat(alarmed.findElement(By.cssSelector(".detail")).getText()).contains("ANOMALOUS_BEATS RAISED");
        // Most urgent first.
        waitUntil(
                EPISODE + " first on the ward", () -> EPISODE.equals(firstTile().getDomAttribute("data-patient")));

        assertNoSeriousAccessibilityViolation();
        Path shot = browser.screenshot("ward");
        assertThat(Files.size(shot)).isPositive();
    }

    @Test
    @Order(2)
    void aPatientsPageShowsTheLastMinuteTheScoreOverTimeAndTheAlarmHistory() throws Exception {
        WebDriver driver = browser.driver();
        driver.get(view.url());
        waitUntil("the tile of " + EPISODE, () -> tile(EPISODE) != null);
        tile(EPISODE).findElement(By.cssSelector("h2 a")).click();

        waitUntil(
                "the patient page drawn",
                () -> driver.findElements(By.cssSelector("#beat canvas")).size() > 0
                        && driver.findElements(By.cssSelector("#strip canvas")).size() > 0
                        && driver.findElements(By.cssSelector("#scores canvas")).size() > 0
                        && driver.findElements(By.cssSelector("#history tbody tr"))
                                        .size()
                                > 0);
        assertThat(driver.findElement(By.id("patient-id")).getText()).isEqualTo(EPISODE);
        assertThat(driver.findElement(By.id("model")).getText()).isNotEqualTo("–");
        assertThat(driver.findElement(By.cssSelector("#history tbody")).getText())
                .contains("Anomalous beat");

        assertNoSeriousAccessibilityViolation();
        browser.screenshot("patient");
    }

    @Test
    @Order(3)
    void aPatientIdHoldingMarkupAndScriptIsShownAsTextAndNothingOfItRuns() {
        String hostile = "<img src=x onerror=\"window.__xss='img'\"><script>window.__xss='script'</script>"
                + "\"><svg onload=\"window.__xss='svg'\">";
        WebDriver driver = browser.driver();
        driver.get(view.url());
        feed.normalBeat(hostile);
        feed.normalBeat(hostile);

        waitUntil("the hostile patient's tile", () -> tile(hostile) != null);
        WebElement tile = tile(hostile);
        assertThat(tile.findElement(By.cssSelector("h2")).getText()).isEqualTo(hostile);
        assertThat(driver.findElements(By.cssSelector("#tiles img, #tiles script, #tiles svg")))
                .isEmpty();
        assertThat(((JavascriptExecutor) driver).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);

        tile.findElement(By.cssSelector("h2 a")).click();
        waitUntil(
                "the hostile patient's page",
                () -> !driver.findElement(By.id("patient-id")).getText().isEmpty());
        assertThat(driver.findElement(By.id("patient-id")).getText()).isEqualTo(hostile);
        assertThat(driver.findElements(By.cssSelector("main img, main script, main svg")))
                .isEmpty();
        assertThat(((JavascriptExecutor) driver).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);
    }

    private void assertNoSeriousAccessibilityViolation() throws Exception {
        List<Map<String, Object>> violations = browser.axeViolations();
        assertThat(violations)
                .as("axe-core violations of impact serious or critical")
                .filteredOn(v -> "serious".equals(v.get("impact")) || "critical".equals(v.get("impact")))
                .isEmpty();
    }

    /** The tile of a patient, or null; found by its data attribute, which holds the id as text. */
    private static WebElement tile(String patient) {
        for (WebElement li : browser.driver().findElements(By.cssSelector("#tiles li.tile"))) {
            if (patient.equals(li.getDomAttribute("data-patient"))) {
                return li;
            }
        }
        return null;
    }

    private static WebElement firstTile() {
        return browser.driver().findElement(By.cssSelector("#tiles li.tile"));
    }

    private static void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser.driver(), WAIT)
                .withMessage(() -> "waited for " + what)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(NullPointerException.class)
                .until(d -> condition.getAsBoolean());
    }
}
