package ogp.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver, both by explicit path so Selenium
 * Manager never tries to download anything. Without them the test fails under CI ({@code
 * ogp.ci=true}) and is skipped elsewhere. A fresh profile per instance; 1400×900 window.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(30);

  final WebDriver driver;

  private HeadlessChromium(Path profile) {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile,
        "--window-size=1400,900",
        "--force-device-scale-factor=1",
        // The open-redirect test's "other site": resolved at once to a closed local port, so a
        // redirect there fails fast instead of waiting on DNS (and never leaves the machine).
        "--host-resolver-rules=MAP evil.example 127.0.0.1:9");
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1400, 900));
  }

  static HeadlessChromium start(Path profile) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String why =
          "no browser: "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " are needed (apt-get install chromium chromium-driver)";
      if ("true".equalsIgnoreCase(System.getProperty("ogp.ci")))
        fail("CI requires the browser tests to run: " + why);
      Assumptions.abort(why);
    }
    return new HeadlessChromium(profile);
  }

  void open(String url) {
    driver.get(url);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /**
   * Clicks the first match, finding it again when a live update replaced it between finding and
   * clicking.
   */
  void click(String css) {
    new WebDriverWait(driver, WAIT)
        .withMessage("click " + css)
        .ignoring(StaleElementReferenceException.class)
        .until(
            d -> {
              d.findElement(By.cssSelector(css)).click();
              return true;
            });
  }

  boolean present(String css) {
    return !driver.findElements(By.cssSelector(css)).isEmpty();
  }

  <T> T await(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).withMessage(what).until(condition);
  }

  /**
   * Saves a PNG under target/screenshots, and also under docs/images when the build was run with
   * {@code -Dogp.screenshots=docs} (how the README's pictures are refreshed).
   */
  void screenshot(String name) throws IOException {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Path target = Path.of("target", "screenshots", name + ".png");
    Files.createDirectories(target.getParent());
    Files.write(target, png);
    if ("docs".equals(System.getProperty("ogp.screenshots"))) {
      Path docs = Path.of("..", "docs", "images", name + ".png");
      Files.createDirectories(docs.getParent());
      Files.write(docs, png);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
