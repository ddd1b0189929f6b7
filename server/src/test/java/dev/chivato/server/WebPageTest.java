package dev.chivato.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: Debian's chromium, headless, driven through its chromedriver. Queries sent with dig
 * appear live, their bytes are named field by field, Ask sends one, the editor saves a record that dig then gets and
 * shows the parser's message at its line. Screenshots go to {@code target/screenshots}.
 */
@RequiresTools({"dig", "chromium", "chromedriver"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageTest {
    @TempDir
    static Path dir;
    private static WebPages pages;
    private static WebDriver browser;
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @BeforeAll
    static void start() throws Exception {
        ExternalTool.require("dig");
        ExternalTool.require("chromium");
        ExternalTool.require("chromedriver");
        pages = WebPages.start(dir, "--web-edit");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.get(pages.url());
        waitFor(Duration.ofSeconds(10), ExpectedConditions.textToBe(By.id("status"), "live"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pages != null) {
            pages.server.close();
        }
    }

    private static <T> T waitFor(Duration limit, org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, limit).until(condition);
    }

    private static void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The Records view's box for the zone file, once the view has loaded. */
    private static WebElement zoneEditor() {
        return waitFor(Duration.ofSeconds(5), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//div[@class='message'][h3[contains(text(), 'example.org.zone')]]")));
    }

    private static ExternalTool.Result dig(String... args) {
        return ExternalTool.dig(pages.server.port, args);
    }

    @Test
    @Order(1)
    void aQuerySentWithDigAppearsInTheLiveListWithinTwoSeconds() throws Exception {
        assertEquals(0, dig("example.org", "MX").exitCode());
        WebElement row = waitFor(Duration.ofSeconds(2), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//tbody[@id='live-rows']/tr[td[@class='name' and text()='example.org.']]")));
        assertTrue(row.getText().contains("MX"), row.getText());
        assertTrue(row.getText().contains("NOERROR"), row.getText());
        assertTrue(row.getText().contains("zone"), row.getText());
        screenshot("live");
    }

    @Test
    @Order(2)
    void aFilterHidesTheRowsThatDoNotMatchAndPauseHoldsNewOnes() throws Exception {
        assertEquals(0, dig("example.com", "A").exitCode());
        waitFor(Duration.ofSeconds(2), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//tbody[@id='live-rows']/tr[td[@class='name' and text()='example.com.']]")));
        WebElement filter = browser.findElement(By.id("filter-name"));
        filter.sendKeys("example.org");
        WebElement other = browser.findElement(
                By.xpath("//tbody[@id='live-rows']/tr[td[@class='name' and text()='example.com.']]"));
        assertTrue(other.getAttribute("class").contains("filtered"), "the example.com row is hidden");
        filter.clear();
        filter.sendKeys(org.openqa.selenium.Keys.BACK_SPACE); // clear() fires no input event
        browser.findElement(By.id("pause")).click();
        assertEquals(0, dig("example.my", "A").exitCode());
        waitFor(Duration.ofSeconds(2), ExpectedConditions.textToBe(By.id("waiting"), "1 waiting"));
        browser.findElement(By.id("pause")).click();
        waitFor(Duration.ofSeconds(2), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//tbody[@id='live-rows']/tr[td[@class='name' and text()='example.my.']]")));
    }

    @Test
    @Order(3)
    void clickingAQueryNamesItsFieldsAndShowsWhereAPointerPoints() throws Exception {
        browser.findElement(By.xpath("//tbody[@id='live-rows']/tr[td[text()='example.org.']]")).click();
        WebElement answer = waitFor(Duration.ofSeconds(5), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//div[@class='message'][h3[starts-with(text(), 'Answer')]]")));
        String fields = answer.findElement(By.className("fields")).getText();
        assertTrue(fields.contains("QDCOUNT 1"), fields);
        assertTrue(fields.contains("label of 7 octets: \"example\""), fields);
        assertTrue(fields.contains("end of the name example.org."), fields);
        WebElement pointer = answer.findElement(By.xpath(".//table[@class='fields']//tr[td[@class='target']]"));
        assertTrue(pointer.getText().contains("compression pointer to offset 12"), pointer.getText());
        new Actions(browser).moveToElement(pointer).perform();
        WebElement target = answer.findElement(By.cssSelector(".byte[data-offset='12']"));
        waitFor(Duration.ofSeconds(2), ExpectedConditions.attributeContains(target, "class", "pointed"));
        assertTrue(answer.findElement(By.className("field-status")).getText().contains("compression pointer"));
        screenshot("bytes");
    }

    @Test
    @Order(4)
    void askSendsAQueryFromThePage() throws Exception {
        browser.findElement(By.id("tab-ask")).click();
        WebElement name = browser.findElement(By.id("ask-name"));
        name.clear();
        name.sendKeys("example.org");
        WebElement type = browser.findElement(By.id("ask-type"));
        type.clear();
        type.sendKeys("MX");
        browser.findElement(By.id("ask-send")).click();
        waitFor(Duration.ofSeconds(5), ExpectedConditions.textToBePresentInElementLocated(By.id("ask-text"),
                "mail2.example.org."));
        assertTrue(browser.findElement(By.id("ask-text")).getText().contains("status: NOERROR"));
        screenshot("ask");
    }

    @Test
    @Order(5)
    void aRecordAddedInTheEditorIsAnsweredOnceSaved() throws Exception {
        browser.findElement(By.id("tab-records")).click();
        WebElement zone = zoneEditor();
        zone.findElement(By.tagName("textarea")).sendKeys(org.openqa.selenium.Keys.END, "added A 192.0.2.99\n");
        zone.findElement(By.className("save")).click();
        waitFor(Duration.ofSeconds(10), ExpectedConditions.presenceOfElementLocated(By.className("saved")));
        assertEquals(List.of("192.0.2.99"), dig("+short", "added.example.org", "A").lines());
        assertTrue(Files.readString(pages.zone).contains(" 6 7200 900"), "the serial was raised: "
                + Files.readString(pages.zone));
        screenshot("records");
    }

    @Test
    @Order(6)
    void aBadLineShowsTheParsersMessageAtItsLine() throws Exception {
        WebElement zone = zoneEditor();
        WebElement text = zone.findElement(By.tagName("textarea"));
        int lines = text.getAttribute("value").split("\n").length;
        text.sendKeys(org.openqa.selenium.Keys.END, "broken A 300.1.1.1\n");
        zone.findElement(By.className("save")).click();
        WebElement problem = waitFor(Duration.ofSeconds(5), ExpectedConditions.presenceOfElementLocated(
                By.className("problem")));
        assertTrue(problem.getText().contains("example.org.zone:" + (lines + 1) + ":"), problem.getText());
        assertEquals(List.of(), dig("+short", "broken.example.org", "A").lines(), "nothing was saved");
        screenshot("records-problem");
    }

    @Test
    @Order(7)
    void statsCountTheQueriesSeen() throws Exception {
        browser.findElement(By.id("tab-stats")).click();
        waitFor(Duration.ofSeconds(5), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//div[@id='stats-tables']/table")));
        // the page redraws its tables as counts come: each look finds them afresh, never an element held over
        assertTrue(waitFor(Duration.ofSeconds(5), ExpectedConditions.textToBePresentInElementLocated(
                By.id("stats-tables"), "example.org.")), "the stats name example.org.");
        screenshot("stats");
    }

    @Test
    @Order(8)
    void anExperimentRunsItsQueries() throws Exception {
        browser.findElement(By.id("tab-experiments")).click();
        browser.findElement(By.cssSelector("button[data-experiment='1']")).click();
        waitFor(Duration.ofSeconds(5), ExpectedConditions.presenceOfElementLocated(
                By.xpath("//div[@class='experiment']//td[@class='target']")));
        screenshot("experiments");
    }
}
