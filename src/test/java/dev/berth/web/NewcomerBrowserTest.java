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
import org.openqa.selenium.support.ui.WebDriverWait;

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
        headless = new HeadlessBrowser();
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
        io.restassured.RestAssured.given().redirects().follow(false).get(url("/login")).then().statusCode(200);
        browser.get(url("/"));
        waitFor(ExpectedConditions.urlContains("/login"));
        assertThat(browser.getPageSource()).contains("Development-only login");
        signIn("admin", "admin");
        waitFor(ExpectedConditions.urlContains("/tenants"));

        WebElement newTenant = browser.findElement(By.id("new-tenant"));
        newTenant.findElement(By.name("slug")).sendKeys(slug);
        newTenant.findElement(By.name("displayName")).sendKeys("First Team");
        newTenant.findElement(By.name("owners")).sendKeys("alice");
        newTenant.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor(ExpectedConditions.urlContains("/t/" + slug));
        assertThat(browser.getPageSource()).contains("Tenant created").contains("alice");

        // Continue as the tenant's owner.
        browser.findElement(By.cssSelector("form[action='/logout'] button")).click();
        waitFor(ExpectedConditions.urlContains("/login"));
        signIn("alice", "alice");
        waitFor(ExpectedConditions.urlContains("/tenants"));
        browser.findElement(By.linkText(slug)).click();
        waitFor(ExpectedConditions.urlContains("/t/" + slug));

        // The dashboard of a tenant without apps points to the new-app page.
        assertThat(browser.findElement(By.id("apps")).getText()).contains("No apps yet.");
        browser.findElement(By.linkText("New app")).click();
        waitFor(ExpectedConditions.urlContains("/t/" + slug + "/apps/new"));
        WebElement newApp = browser.findElement(By.id("new-app"));
        newApp.findElement(By.name("name")).sendKeys("hello");
        newApp.findElement(By.name("image")).sendKeys("registry.example.com/first/hello:1.0");
        newApp.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor(ExpectedConditions.urlContains("/t/" + slug + "/apps/hello"));
        assertThat(browser.getPageSource()).contains("App created").contains("simulated");

        // The status part refreshes itself; the app's pod becomes ready in the simulated sandbox.
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions
                .textToBePresentInElementLocated(By.cssSelector("#live .state"), "Running"));
        assertThat(browser.findElement(By.id("live")).getText()).contains("1 of 1");
        screenshot("app-page");
        browser.get(url("/t/" + slug));
        screenshot("dashboard");
    }

    /** Keeps what the browser saw under target/screenshots, for looking at after a run. */
    private void screenshot(String name) {
        headless.screenshot(name);
    }

    private void signIn(String user, String password) {
        browser.findElement(By.name("j_username")).sendKeys(user);
        browser.findElement(By.name("j_password")).sendKeys(password);
        browser.findElement(By.cssSelector("form[action='/j_security_check'] button")).click();
    }

    private void waitFor(org.openqa.selenium.support.ui.ExpectedCondition<?> condition) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the browser is at " + browser.getCurrentUrl() + " showing:\n"
                    + browser.getPageSource(), e);
        }
    }

    private String url(String path) {
        String base = root.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }
}
