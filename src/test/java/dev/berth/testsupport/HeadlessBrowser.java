package dev.berth.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (Debian's chromium and chromium-driver) for browser tests, with its own throw-away profile;
 * screenshots go to {@code target/screenshots} next to the test reports. Given the application's root address, it
 * also opens Berth's pages by path, signs in through the login form and waits for what a page must show, so the
 * browser tests share one way of doing these.
 */
public final class HeadlessBrowser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** How long a page may take to show what a test waits for. */
    private static final Duration WAIT = Duration.ofSeconds(15);
    private final WebDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final String root;

    public HeadlessBrowser() throws IOException {
        this(null);
    }

    /** A browser for the application at {@code root} (a test's {@code @TestHTTPResource("/")}). */
    public HeadlessBrowser(URL root) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("The browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + ". Install them with: apt-get update && apt-get install -y chromium chromium-driver");
        }
        String base = root == null ? null : root.toString();
        this.root = base != null && base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        profile = Files.createTempDirectory("berth-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            stopProcesses(); // the driver may have started before the browser failed
            deleteProfile();
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    public WebDriver driver() {
        return driver;
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
    public void screenshot(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "screenshots"));
            Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The absolute address of an application path such as {@code /t/x}. */
    public String url(String path) {
        if (root == null) {
            throw new IllegalStateException("this browser was started without the application's root address");
        }
        return root + path;
    }

    /**
     * Loads a page; on a live page (one naming its stream in {@code <meta name="berth-live">}) also waits until
     * the stream is open and the first refresh after it has been applied, so nothing morphs the page afterwards
     * unless something changes.
     */
    public void open(String path) {
        driver.get(url(path));
        if (!driver.findElements(By.cssSelector("meta[name=berth-live]")).isEmpty()) {
            waitFor(d -> "open".equals(js("return document.documentElement.getAttribute('data-live');"))
                    && js("return document.documentElement.getAttribute('data-live-refreshed');") != null);
        }
    }

    /**
     * Signs in through the login form (the development login's users), on the login page the browser shows or else
     * on {@code /login}, and waits for the tenant list.
     */
    public void signIn(String user, String password) {
        if (driver.findElements(By.name("j_username")).isEmpty()) {
            driver.get(url("/login"));
        }
        driver.findElement(By.name("j_username")).sendKeys(user);
        driver.findElement(By.name("j_password")).sendKeys(password);
        driver.findElement(By.cssSelector("form[action='/j_security_check'] button")).click();
        waitFor(ExpectedConditions.urlContains("/tenants"));
    }

    public void signInAsAdmin() {
        signIn("admin", "admin");
    }

    /** Signs out with the page's sign-out button and waits for the login page. */
    public void signOut() {
        driver.findElement(By.cssSelector("form[action='/logout'] button")).click();
        waitFor(ExpectedConditions.urlContains("/login"));
    }

    /** Waits up to 15 s; on a timeout the failure shows where the browser is and what it shows. */
    public <T> T waitFor(ExpectedCondition<T> condition) {
        return waitFor(condition, WAIT);
    }

    public <T> T waitFor(ExpectedCondition<T> condition, Duration timeout) {
        try {
            return new WebDriverWait(driver, timeout).until(condition);
        } catch (TimeoutException e) {
            throw new AssertionError("the browser is at " + driver.getCurrentUrl() + " showing:\n"
                    + driver.getPageSource(), e);
        }
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The visible text of the first element the CSS selector finds. */
    public String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    /** Clicks into an input, empties it and types the text. */
    public void typeInto(By input, String text) {
        WebElement e = driver.findElement(input);
        e.click();
        e.clear();
        e.sendKeys(text);
    }

    /**
     * Shows the pages in the dark theme ({@code prefers-color-scheme: dark}) or the light one from now on; the
     * page on screen changes at once, without being loaded again.
     */
    public void darkTheme(boolean dark) {
        ((ChromeDriver) driver).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            stopProcesses();
            deleteProfile();
        }
    }

    /**
     * Stops chromedriver and whatever of Chromium outlived {@code quit()} (a quit that timed out, a browser that
     * hung): every process whose command line names this browser's own profile directory.
     */
    private void stopProcesses() {
        service.stop();
        String dir = profile.toString();
        List<ProcessHandle> left = ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(dir)).orElse(false)).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        left.forEach(p -> p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                .exceptionally(t -> p).join());
    }

    private void deleteProfile() throws IOException {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
