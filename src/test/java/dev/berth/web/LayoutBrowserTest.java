package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.HeadlessBrowser;
import dev.berth.testsupport.Users;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.io.IOException;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * What only a browser shows: the login page's example users stay on one line each, a confirmation opens and shows
 * its form only when asked (without any script), and the dark theme comes from the same tokens.
 */
@QuarkusTest
class LayoutBrowserTest {
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
    void theLoginPagesUserTableDoesNotWrapItsNamesOrOverflowItsCard() {
        headless.open("/login");
        List<WebElement> codes = browser.findElements(By.cssSelector("table.grid td code"));
        assertThat(codes).hasSize(6);
        for (WebElement code : codes) {
            Number lines = (Number) js("return arguments[0].getClientRects().length;", code);
            assertThat(lines.intValue()).as("lines of " + code.getText()).isEqualTo(1);
        }
        Number overflow = (Number) js("var t = document.querySelector('table.grid');"
                + " return t.getBoundingClientRect().right - t.closest('.card').getBoundingClientRect().right;");
        assertThat(overflow.doubleValue()).as("the table stays inside its card").isLessThanOrEqualTo(0);
        headless.screenshot("login");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aRollbackConfirmationOpensWithoutScriptsAndSaysWhatHappensBeforeTheButtonShows() {
        String slug = Api.createTenant("confirm");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        json().body(Map.of("image", "registry.example.com/t/web:2")).patch(Api.app(slug, "web")).then().statusCode(200);
        Users.actByCredentials();
        headless.signInAsAdmin();
        headless.open("/t/" + slug + "/apps/web/releases");

        WebElement details = browser.findElement(By.cssSelector("details.confirm"));
        WebElement button = details.findElement(By.cssSelector("form button[type=submit]"));
        assertThat(button.isDisplayed()).as("the real button before the confirmation opens").isFalse();
        details.findElement(By.tagName("summary")).click();
        headless.waitFor(ExpectedConditions.visibilityOf(button));
        assertThat(details.getText()).contains("Creates a new release from release #1");
        assertThat(button.getText()).isEqualTo("Roll back to #1");
        headless.screenshot("rollback-confirmation");
    }

    @Test
    void theDarkThemeComesFromTheSameTokens() {
        headless.open("/login");
        String light = (String) js("return getComputedStyle(document.body).backgroundColor;");
        headless.darkTheme(true);
        String dark = (String) js("return getComputedStyle(document.body).backgroundColor;");
        assertThat(light).isEqualTo("rgb(246, 247, 249)");
        assertThat(dark).isEqualTo("rgb(15, 20, 27)");
        headless.screenshot("login-dark");
    }

    private Object js(String script, Object... args) {
        return headless.js(script, args);
    }
}
