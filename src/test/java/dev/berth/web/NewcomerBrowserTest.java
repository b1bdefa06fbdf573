package dev.berth.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.HeadlessBrowser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * A newcomer's first steps in a real (headless) browser, as the README's tour describes them: sign in with the
 * development login, create a tenant, open its dashboard, follow "New app", create an app from an image and watch it
 * become Running on its page. Needs Debian's chromium and
 * chromium-driver; without them the test fails and says how to install them.
 */
@QuarkusTest
class NewcomerBrowserTest {
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
    void aNewcomerSignsInCreatesATenantAndAnAppAndSeesItRunning() {
        String slug = Api.uniqueSlug("first");
        io.restassured.RestAssured.given().redirects().follow(false).get(headless.url("/login")).then()
                .statusCode(200);
        headless.open("/");
        headless.waitFor(ExpectedConditions.urlContains("/login"));
        assertThat(browser.getPageSource()).contains("Development-only login");
        headless.signIn("admin", "admin");

        WebElement newTenant = browser.findElement(By.id("new-tenant"));
        newTenant.findElement(By.name("slug")).sendKeys(slug);
        newTenant.findElement(By.name("displayName")).sendKeys("First Team");
        newTenant.findElement(By.name("owners")).sendKeys("alice");
        newTenant.findElement(By.cssSelector("button[type=submit]")).click();
        headless.waitFor(ExpectedConditions.urlContains("/t/" + slug));
        assertThat(browser.getPageSource()).contains("Tenant created").contains("alice");

        // Continue as the tenant's owner.
        headless.signOut();
        headless.signIn("alice", "alice");
        browser.findElement(By.linkText(slug)).click();
        headless.waitFor(ExpectedConditions.urlContains("/t/" + slug));

        // The dashboard of a tenant without apps points to the new-app page.
        assertThat(browser.findElement(By.id("apps")).getText()).contains("No apps yet.");
        browser.findElement(By.linkText("New app")).click();
        headless.waitFor(ExpectedConditions.urlContains("/t/" + slug + "/apps/new"));
        WebElement newApp = browser.findElement(By.id("new-app"));
        newApp.findElement(By.name("name")).sendKeys("hello");
        newApp.findElement(By.name("image")).sendKeys("registry.example.com/first/hello:1.0");
        newApp.findElement(By.cssSelector("button[type=submit]")).click();
        headless.waitFor(ExpectedConditions.urlContains("/t/" + slug + "/apps/hello"));
        assertThat(browser.getPageSource()).contains("App created").contains("simulated");

        // The status part refreshes itself; the app's pod becomes ready in the simulated sandbox.
        headless.waitFor(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#live .state"), "Running"),
                Duration.ofSeconds(20));
        assertThat(browser.findElement(By.id("live")).getText()).contains("1 of 1");
        headless.screenshot("app-page");
        headless.open("/t/" + slug);
        headless.screenshot("dashboard");
    }
}
