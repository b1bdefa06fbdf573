package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.reconcile.RegionHealthLoop;
import dev.berth.regions.RegionClients;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.BuildInfra;
import dev.berth.testsupport.HeadlessBrowser;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.Users;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Each kind of trouble an app can be in, as a user sees it in a real browser (ADR 0018, docs/ui.md): the dashboard's
 * row and the app's page show the state word and its reason (restarts and the last message of a crash loop, the
 * cluster's reason and message of a refusal, what a progressing app waits for, since when a region is unreachable),
 * the pod and its event are one click away from the dashboard, and once the app is fixed (a good image, the region
 * back) the open page turns Running by itself, without being loaded again. Screenshots of each kind go to
 * {@code target/screenshots/status-<kind>.png} (the app page) and {@code status-<kind>-dashboard.png}.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class FailureKindsBrowserTest {
    /** How long the sandbox may take to start pods and report them (kubelet delay, watch, a loaded machine). */
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** "Within a few seconds": a fix shows on the open page without a reload. */
    private static final Duration LIVE = Duration.ofSeconds(10);
    private static final String GOOD_IMAGE = "registry.example.com/team/web:2";
    @TestHTTPResource("/")
    URL root;
    @Inject
    RegionClients clients;
    @Inject
    RegionHealthLoop health;

    private HeadlessBrowser headless;
    private WebDriver browser;

    @BeforeEach
    void startBrowser() throws IOException {
        headless = new HeadlessBrowser();
        browser = headless.driver();
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (headless != null) {
            headless.close();
        }
        Users.actAsAdmin();
    }

    @Test
    void aHealthyAppIsRunningWithItsReadyReplicas() {
        String slug = deploy("strun", "registry.example.com/team/web:1");
        String row = dashboardRow(slug, Sandbox.REGION, "Running");
        assertThat(row).contains("1 of 1 ready");
        shoot(browser.findElement(By.id("apps")), "status-running-dashboard");

        WebElement status = appPageFromDashboard(Sandbox.REGION, "Running");
        assertThat(reason(status)).isEqualTo("1 of 1 ready");
        WebElement pod = podRow(status);
        assertThat(pod.getText()).contains("Running").contains("yes");
        awaitEvent(status, "Started", "Started container app");
        shoot(status, "status-running");
    }

    @Test
    void aCrashLoopIsDegradedWithItsRestartsAndLastMessageAndRunsOnceFixed() {
        String slug = deploy("stcrash", "registry.example.com/team/crash:1");
        String row = dashboardRow(slug, Sandbox.REGION, "Degraded");
        assertThat(row).contains("crash loop: restarted 3 times").contains("the app exited with status 1");
        shoot(browser.findElement(By.id("apps")), "status-crash-loop-dashboard");

        WebElement status = appPageFromDashboard(Sandbox.REGION, "Degraded");
        assertThat(reason(status)).isEqualTo("crash loop: restarted 3 times");
        assertThat(message(status)).startsWith("the app exited with status 1").contains("exit code 1");
        assertThat(podRow(status).findElements(By.tagName("td")).get(3).getText()).as("the pod's restarts")
                .isEqualTo("3");
        awaitEvent(status, "BackOff", "Back-off restarting failed container app");
        shoot(status, "status-crash-loop");

        fixAndSeeRunning(slug, GOOD_IMAGE, "status-crash-loop-fixed");
    }

    @Test
    void anImageThatCannotBePulledFailsWithTheKubeletsReasonAndRunsOnceFixed() {
        String missing = BuildInfra.registry() + "/status/missing:1";
        String good = BuildInfra.configOnlyImage("status/nonroot:1", "65532:65532", 8080);
        String slug = deploy("stpull", missing);
        String row = dashboardRow(slug, Sandbox.REGION, "Failed");
        assertThat(row).contains("ImagePullBackOff").contains("Back-off pulling image \"" + missing + "\"");
        shoot(browser.findElement(By.id("apps")), "status-image-pull-dashboard");

        WebElement status = appPageFromDashboard(Sandbox.REGION, "Failed");
        assertThat(reason(status)).isEqualTo("ImagePullBackOff");
        assertThat(message(status)).startsWith("Back-off pulling image \"" + missing + "\"").endsWith("not found");
        assertThat(podRow(status).getText()).contains("Pending").contains("no");
        awaitEvent(status, "Failed", "Failed to pull image \"" + missing + "\"");
        awaitEvent(status, "Failed", "Error: ImagePullBackOff");
        shoot(status, "status-image-pull");

        fixAndSeeRunning(slug, good, "status-image-pull-fixed");
    }

    @Test
    void podsTheClusterRefusesFailWithTheRefusalAndRunOnceFixed() {
        // Pod security: the tenant's pods run with runAsNonRoot, and this image would run as root.
        String root = BuildInfra.configOnlyImage("status/root:1", "", 8080);
        String good = BuildInfra.configOnlyImage("status/nonroot:1", "65532:65532", 8080);
        String slug = deploy("stroot", root);
        String row = dashboardRow(slug, Sandbox.REGION, "Failed");
        assertThat(row).contains("CreateContainerConfigError")
                .contains("container has runAsNonRoot and image will run as root");
        shoot(browser.findElement(By.id("apps")), "status-refused-dashboard");

        WebElement status = appPageFromDashboard(Sandbox.REGION, "Failed");
        assertThat(reason(status)).isEqualTo("CreateContainerConfigError");
        assertThat(message(status)).startsWith("container has runAsNonRoot and image will run as root (pod: \"web-");
        assertThat(podRow(status).getText()).contains("Pending");
        awaitEvent(status, "Failed", "Error: container has runAsNonRoot and image will run as root");
        shoot(status, "status-refused");

        fixAndSeeRunning(slug, good, "status-refused-fixed");
    }

    @Test
    void anAppThatNeverBecomesReadyIsProgressingAndSaysWhatItWaitsFor() {
        String slug = deploy("stwait", "registry.example.com/team/never-ready:1");
        String row = dashboardRow(slug, Sandbox.REGION, "Progressing");
        assertThat(row).contains("waiting for 1 of 1 pod(s) to become ready");
        shoot(browser.findElement(By.id("apps")), "status-never-ready-dashboard");

        WebElement status = appPageFromDashboard(Sandbox.REGION, "Progressing");
        assertThat(reason(status)).isEqualTo("waiting for 1 of 1 pod(s) to become ready");
        assertThat(podRow(status).getText()).contains("Running").contains("no");
        awaitEvent(status, "Unhealthy", "Readiness probe failed");
        shoot(status, "status-never-ready");

        fixAndSeeRunning(slug, GOOD_IMAGE, "status-never-ready-fixed");
    }

    @Test
    void anUnreachableRegionIsUnknownSinceWhenAndRunningAgainOnceItIsBack() throws IOException {
        try (MockRegions regions = new MockRegions()) {
            String slug = MockRegions.tenant("stdown");
            MockRegion down = regions.register("st-down", 50.1, 8.7, slug);
            Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/team/web:1"));
            awaitState(slug, down.name(), "Running");
            down.proxy().down();
            health.probeNow(clients.get(down.name()).orElseThrow());
            awaitState(slug, down.name(), "Unknown");

            Users.actByCredentials();
            signInAsAdmin();
            String row = dashboardRow(slug, down.name(), "Unknown");
            assertThat(row).contains("region unreachable").containsPattern("since \\d+ (s|min|h) ago");
            assertThat(dashboardRegion(down.name()).findElement(By.cssSelector("small.why")).getText())
                    .isEqualTo("region unreachable");
            shoot(browser.findElement(By.id("apps")), "status-unreachable-dashboard");

            WebElement status = appPageFromDashboard(down.name(), "Unknown");
            assertThat(reason(status)).isEqualTo("region unreachable");
            assertThat(status.findElement(By.cssSelector("p.flash.err")).getText())
                    .startsWith("The region is unreachable since").contains("the pods and events below are the last ones seen");
            assertThat(status.findElement(By.cssSelector("p.flash.err time")).getAttribute("datetime")).isNotBlank();
            assertThat(podRow(status).getText()).as("the last known pod").contains("Running");
            awaitEvent(status, "Started", "Started container app");
            shoot(status, "status-unreachable");

            // The region's health loop notices the return by itself; the page follows without a reload.
            long ms = liveUntilRunning(down.name(), () -> {
                try {
                    down.proxy().up();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            shot(regionStatus(down.name()), "status-unreachable-fixed", ms);
            Users.actAsAdmin();
        }
    }

    /** Creates a tenant and its app {@code web} of that image, then signs the browser in as the admin. */
    private String deploy(String prefix, String image) {
        String slug = Api.createTenant(prefix, "admin");
        Api.createApp(slug, Map.of("name", "web", "image", image));
        Users.actByCredentials();
        signInAsAdmin();
        return slug;
    }

    /** Waits through the API until the app's state in the region is {@code state}. */
    private static void awaitState(String slug, String region, String state) {
        org.awaitility.Awaitility.await().atMost(SETTLE).until(() -> state.equals(json().get(Api.app(slug, "web"))
                .then().statusCode(200).extract().path("status.find { it.region == '" + region + "' }.state")));
    }

    /**
     * Opens the dashboard and waits until the app's row says {@code state} in the region, with the reason next to
     * it; returns the text the region shows in the row.
     */
    private String dashboardRow(String slug, String region, String state) {
        open("/t/" + slug);
        new WebDriverWait(browser, SETTLE).until(d -> state.equals(dashboardRegion(region)
                .findElement(By.cssSelector("span.state")).getText()));
        WebElement part = dashboardRegion(region);
        assertThat(part.findElement(By.cssSelector("span.state")).getAttribute("class"))
                .contains("state-" + state.toLowerCase());
        assertThat(part.findElements(By.cssSelector("small.why"))).as("the reason next to the state").hasSize(1);
        return part.getText();
    }

    /** The part of the dashboard's {@code web} row about one region. */
    private WebElement dashboardRegion(String region) {
        WebElement row = browser.findElement(By.xpath("//section[@id='apps']//tr[td/a/strong[text()='web']]"));
        return row.findElements(By.cssSelector("span.region")).stream()
                .filter(s -> s.getText().startsWith(region + ":") || s.getText().startsWith(region + " simulated:"))
                .findFirst().orElseThrow(() -> new AssertionError("no state for region " + region + " in the row"));
    }

    /**
     * One click from the dashboard: the app's name opens its page, which shows the region's state (waited for),
     * its pods and its events.
     */
    private WebElement appPageFromDashboard(String region, String state) {
        browser.findElement(By.xpath("//section[@id='apps']//a[strong[text()='web']]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/apps/web$"));
        awaitLive();
        new WebDriverWait(browser, SETTLE).until(d -> state.equals(stateOf(regionStatus(region))));
        return regionStatus(region);
    }

    /** The app page's status block of one region. */
    private WebElement regionStatus(String region) {
        return browser.findElements(By.cssSelector("#live .region-status")).stream()
                .filter(s -> s.findElement(By.tagName("h3")).getText().startsWith(region))
                .findFirst().orElseThrow(() -> new AssertionError("no status of region " + region + " on the page"));
    }

    private static String stateOf(WebElement status) {
        return status.findElement(By.cssSelector("h3 span.state")).getText();
    }

    private static String reason(WebElement status) {
        return status.findElement(By.cssSelector("p.why strong")).getText();
    }

    private static String message(WebElement status) {
        return status.findElement(By.cssSelector("p.why .why-message")).getText();
    }

    /** The one pod row of the region's pod table (the app runs one replica). */
    private static WebElement podRow(WebElement status) {
        var rows = status.findElements(By.cssSelector("table tbody tr"));
        assertThat(rows).as("the region's pods").hasSize(1);
        assertThat(rows.get(0).findElement(By.tagName("code")).getText()).startsWith("web-");
        return rows.get(0);
    }

    /** Waits until the region's events list the event (events arrive through their own watch, after the pod). */
    private void awaitEvent(WebElement status, String reason, String message) {
        String region = status.findElement(By.tagName("h3")).getText().split(" ")[0];
        new WebDriverWait(browser, SETTLE).until(d -> regionStatus(region).findElements(By.cssSelector("ul.events li"))
                .stream().map(WebElement::getText)
                .anyMatch(t -> t.contains(" " + reason + ": ") && t.contains(message)));
    }

    /** Deploys a good image through the API and waits for the open app page to show Running without a reload. */
    private void fixAndSeeRunning(String slug, String image, String screenshot) {
        long ms = liveUntilRunning(Sandbox.REGION, () -> {
            Users.actAsAdmin();
            try {
                json().body(Map.of("image", image)).patch(Api.app(slug, "web")).then().statusCode(200);
            } finally {
                Users.actByCredentials();
            }
        });
        WebElement status = regionStatus(Sandbox.REGION);
        assertThat(reason(status)).isEqualTo("1 of 1 ready");
        assertThat(status.findElements(By.cssSelector("p.why .why-message"))).as("no trouble left to tell").isEmpty();
        shot(status, screenshot, ms);
        browser.navigate().back();
        awaitLive();
        new WebDriverWait(browser, SETTLE).until(d -> "Running".equals(dashboardRegion(Sandbox.REGION)
                .findElement(By.cssSelector("span.state")).getText()));
    }

    /** Makes the change and measures how long the open page takes to show Running in the region, unreloaded. */
    private long liveUntilRunning(String region, Runnable change) {
        js("window.berthSamePage = true;");
        change.run();
        long start = System.nanoTime();
        new WebDriverWait(browser, LIVE, Duration.ofMillis(50)).until(d -> "Running".equals(stateOf(regionStatus(region))));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(js("return window.berthSamePage === true;")).as("the page was not loaded again").isEqualTo(true);
        return ms;
    }

    private void shoot(WebElement status, String name) {
        js("arguments[0].scrollIntoView(true);", status);
        headless.screenshot(name);
    }

    private void shot(WebElement status, String name, long ms) {
        System.out.printf("%s: Running shown %d ms after the fix%n", name, ms);
        shoot(status, name);
    }

    /** Loads a page and waits until its live stream is open and its first refresh applied. */
    private void open(String path) {
        browser.get(url(path));
        awaitLive();
    }

    private void awaitLive() {
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> "open".equals(js(
                "return document.documentElement.getAttribute('data-live');"))
                && js("return document.documentElement.getAttribute('data-live-refreshed');") != null);
    }

    private void signInAsAdmin() {
        browser.get(url("/login"));
        browser.findElement(By.name("j_username")).sendKeys("admin");
        browser.findElement(By.name("j_password")).sendKeys("admin");
        browser.findElement(By.cssSelector("form[action='/j_security_check'] button")).click();
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.urlContains("/tenants"));
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private String url(String path) {
        String base = root.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }
}
