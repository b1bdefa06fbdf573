package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.HeadlessBrowser;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.Users;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages are live in a real browser: a change made through the API shows on the dashboard, the tenant list, an
 * app's page, its builds, its releases and the regions page within a second, without the page being loaded again,
 * while the input the user is typing into keeps its focus and text and an open confirmation stays open. Screenshots
 * of each page after the change go to {@code target/screenshots/live-*.png}.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class LiveBrowserTest {
    /** What "live" promises: a change shows within a second. */
    private static final Duration WITHIN = Duration.ofSeconds(1);
    @TestHTTPResource("/")
    URL root;

    private HeadlessBrowser headless;
    private WebDriver browser;

    @BeforeEach
    void startBrowser() throws IOException {
        headless = new HeadlessBrowser(root);
        browser = headless.driver();
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (headless != null) {
            headless.close();
        }
    }

    @Test
    void everyLivePageShowsAnApiChangeWithinASecondAndKeepsWhatTheUserIsDoing() throws Exception {
        String slug = Api.createTenant("live", "admin");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        json().body(Map.of("image", "registry.example.com/t/web:2")).patch(Api.app(slug, "web")).then().statusCode(200);
        json().body(Map.of("repoUrl", "git://127.0.0.1:9/none.git", "ref", "main"))
                .put(Api.app(slug, "web") + "/source").then().statusCode(200);
        Users.actByCredentials();
        headless.signInAsAdmin();

        // The dashboard: a new app shows in the apps table; a part that did not change is not touched; the focused
        // "New app" link inside the changed part keeps the focus (the dashboard has no form to type into).
        open("/t/" + slug);
        js("document.getElementById('members').setAttribute('data-probe', 'kept');"
                + " document.getElementById('apps').setAttribute('data-probe', 'kept');"
                + " document.getElementById('new-app-link').focus();");
        long ms = change(() -> asAdmin(() -> Api.createApp(slug, Map.of("name", "worker", "image",
                "registry.example.com/t/worker:1"))),
                () -> text("#apps").contains("registry.example.com/t/worker:1"));
        assertThat(js("return document.activeElement === document.getElementById('new-app-link');"))
                .as("focus on the New app link").isEqualTo(true);
        shot("live-dashboard", ms);
        assertThat(browser.findElement(By.id("members")).getAttribute("data-probe"))
                .as("the members part did not change, so it was not patched").isEqualTo("kept");
        assertThat(browser.findElement(By.id("apps")).getAttribute("data-probe"))
                .as("the apps part changed and was patched to the server's markup").isNull();
        js("document.getElementById('usage').scrollIntoView();");
        headless.screenshot("usage-charts");

        // The tenant list (found by a search, so the page is short): a new tenant shows.
        String prefix = "lv" + slug.substring(slug.length() - 6);
        open("/tenants?q=" + prefix);
        typeInto(By.id("tenant-search"), "still typing");
        String[] created = new String[1];
        ms = change(() -> created[0] = asAdmin(() -> Api.createTenant(prefix)),
                () -> created[0] != null && text("#tenant-list").contains(created[0]));
        assertKept(By.id("tenant-search"), "still typing", "live-tenants", ms);

        // The app's page: a scale through the API shows in its configuration, a confirmation opened in the live
        // releases part stays open (and on its own release), and the settings form keeps what is typed.
        open("/t/" + slug + "/apps/web");
        headless.waitFor(d -> !d.findElements(By.cssSelector("#releases tr#release-1 details.confirm")).isEmpty());
        browser.findElement(By.cssSelector("#releases tr#release-1 details.confirm summary")).click();
        typeInto(By.cssSelector("#settings input[name=image]"), "registry.example.com/t/web:typing");
        ms = change(() -> asAdmin(() -> json().body(Map.of("replicas", 3)).patch(Api.app(slug, "web")).then()
                .statusCode(200)), () -> text("#configuration").contains("Replicas 3"));
        assertKept(By.cssSelector("#settings input[name=image]"), "registry.example.com/t/web:typing", "live-app", ms);
        assertThat(browser.findElement(By.cssSelector("#releases tr#release-1 details.confirm")).getAttribute("open"))
                .as("the confirmation opened on release #1 stays open").isNotNull();
        assertThat(browser.findElement(By.id("scale-replicas")).getAttribute("value"))
                .as("the untouched scale field follows the server").isEqualTo("3");

        // The builds list: a build requested through the API shows.
        open("/t/" + slug + "/apps/web/builds");
        typeInto(By.name("commitSha"), "abc123");
        ms = change(() -> asAdmin(() -> json().post(Api.app(slug, "web") + "/builds").then().statusCode(201)),
                () -> text("#build-list").contains("#1"));
        assertKept(By.name("commitSha"), "abc123", "live-builds", ms);

        // The releases page: a new release shows; the open rollback confirmation stays open on its release.
        open("/t/" + slug + "/apps/web/releases");
        browser.findElement(By.cssSelector("tr#release-1 details.confirm summary")).click();
        int releases = browser.findElements(By.cssSelector("table.releases tbody tr")).size();
        ms = change(() -> asAdmin(() -> json().body(Map.of("image", "registry.example.com/t/web:9"))
                .patch(Api.app(slug, "web")).then().statusCode(200)),
                () -> browser.findElements(By.cssSelector("table.releases tbody tr")).size() == releases + 1);
        assertThat(browser.findElement(By.cssSelector("tr#release-1 details.confirm")).getAttribute("open"))
                .as("the confirmation opened on release #1 stays open").isNotNull();
        assertThat(text("tr#release-1 details.confirm")).contains("Roll back to #1");
        shot("live-releases", ms);

        // The regions page: a region registered through the API shows.
        MockRegions regions = new MockRegions();
        try {
            open("/regions");
            typeInto(By.cssSelector("#new-region input[name=name]"), "typed-region");
            String name = "lv-" + prefix.substring(2);
            ms = change(() -> asAdmin(() -> {
                try {
                    regions.register(name, 50.1, 8.7);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), () -> text("#region-list").contains(name));
            assertKept(By.cssSelector("#new-region input[name=name]"), "typed-region", "live-regions", ms);
        } finally {
            Users.actAsAdmin();
            regions.close();
        }
    }

    @Test
    void aRefusedScaleComesBackNextToItsFieldFocusedAndInView() {
        String slug = Api.createTenant("lverr", "admin");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        Users.actByCredentials();
        headless.signInAsAdmin();
        open("/t/" + slug + "/apps/web");
        typeInto(By.id("scale-replicas"), "500");
        browser.findElement(By.cssSelector("#scale button[type=submit]")).click();
        headless.waitFor(d -> !d.findElements(By.id("scale-replicas-error")).isEmpty());
        WebElement input = browser.findElement(By.id("scale-replicas"));
        assertThat(input.getAttribute("value")).isEqualTo("500");
        assertThat(input.getAttribute("aria-describedby")).isEqualTo("scale-replicas-error");
        assertThat(js("return document.activeElement.id;")).isEqualTo("scale-replicas");
        assertThat(js("var r = arguments[0].getBoundingClientRect();"
                + " return r.top >= 0 && r.bottom <= window.innerHeight;", input)).as("in view").isEqualTo(true);
        assertThat(browser.findElement(By.id("scale-replicas-error")).getText()).startsWith("replicas:");
        headless.screenshot("form-error-scale");
    }

    /**
     * Loads a page, waits until its live stream is open and the first refresh after it has been applied, and marks
     * the page so a later check sees whether it was loaded again.
     */
    private void open(String path) {
        headless.open(path);
        js("window.berthSamePage = true;");
    }

    /**
     * Makes a change through the API and measures how long after the API answered the page shows it (polled every
     * 20 ms), failing if it takes more than a second or the page was loaded again.
     */
    private long change(Runnable change, Supplier<Boolean> shown) {
        change.run();
        long start = System.nanoTime();
        new WebDriverWait(browser, WITHIN, Duration.ofMillis(20)).until(d -> shown.get());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(js("return window.berthSamePage === true;")).as("the page was not loaded again").isEqualTo(true);
        return ms;
    }

    private void typeInto(By input, String text) {
        headless.typeInto(input, text);
    }

    private void assertKept(By input, String text, String screenshot, long ms) {
        WebElement e = browser.findElement(input);
        assertThat(e.getAttribute("value")).as("typed text").isEqualTo(text);
        assertThat(js("return document.activeElement === arguments[0];", e)).as("focus").isEqualTo(true);
        shot(screenshot, ms);
    }

    private void shot(String name, long ms) {
        System.out.printf("%s: shown %d ms after the API answered%n", name, ms);
        headless.screenshot(name);
    }

    private static <T> T asAdmin(Supplier<T> call) {
        Users.actAsAdmin();
        try {
            return call.get();
        } finally {
            Users.actByCredentials();
        }
    }

    private static void asAdmin(Runnable call) {
        asAdmin(() -> {
            call.run();
            return null;
        });
    }

    private String text(String css) {
        return headless.text(css);
    }

    private Object js(String script, Object... args) {
        return headless.js(script, args);
    }
}
