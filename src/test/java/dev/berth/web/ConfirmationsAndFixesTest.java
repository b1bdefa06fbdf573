package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Destructive actions say what they do before they happen, deleting an app needs its name typed (checked on the
 * server), and the small lies of the pages are gone: rollback to the release that is already live, "null" in
 * change lists, "release #11 of 1", the unstyled releases part, the plans page the quota hint pointed to.
 */
@QuarkusTest
class ConfirmationsAndFixesTest {

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void deletingAnAppNeedsItsNameTypedAndAWrongOrMissingNameDeletesNothing() {
        String slug = Api.createTenant("delapp");
        Api.createApp(slug, Api.app("web"));
        String page = "/t/" + slug + "/apps/web";
        String html = given().get(page).then().statusCode(200).extract().asString();
        assertThat(html).contains("action=\"" + page + "/delete\"").contains("name=\"confirm\"")
                .contains("This cannot be undone");

        Response missing = PageForms.from(page).post().post(page + "/delete");
        missing.then().statusCode(400).contentType(containsString("text/html"));
        assertThat(missing.asString()).contains("data-field=\"confirm\"").contains("type the app&#39;s name &#39;web&#39;");
        PageForms.from(page).post().formParam("confirm", "web2").post(page + "/delete").then().statusCode(400)
                .body(containsString("data-field=\"confirm\""));
        json().get(Api.app(slug, "web")).then().statusCode(200);

        given().get(page + "/delete").then().statusCode(200).body(containsString("Delete web?"));
        PageForms.from(page).post().formParam("confirm", "web").post(page + "/delete").then().statusCode(303)
                .header("Location", containsString("/t/" + slug + "?ok=app-deleted"));
        json().get(Api.app(slug, "web")).then().statusCode(404);
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void rollbackIsOfferedOnlyForEarlierReleasesAndSaysWhatItDoesBeforeItHappens() {
        String slug = Api.createTenant("rbconfirm");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        String releases = "/t/" + slug + "/apps/web/releases";
        String first = fragment(releases);
        assertThat(first).contains("Release #1").doesNotContain("Roll back to #1");

        json().body(Map.of("image", "registry.example.com/t/web:2", "healthPath", "/healthz"))
                .patch(Api.app(slug, "web")).then().statusCode(200);
        String second = await().atMost(Duration.ofSeconds(15)).until(() -> fragment(releases),
                h -> h.contains("Roll back to #1"));
        assertThat(second).doesNotContain("Roll back to #2")
                .contains("<details class=\"confirm\">")
                .contains("Creates a new release from release #1")
                .contains("action=\"" + releases + "/1/rollback\"")
                .contains("name=\"csrf-token\"");
        // The change list names a value that was not set as "(none)", never "null".
        assertThat(second).contains("healthPath: (none) -&gt; /healthz").doesNotContain("null");
        String appPage = given().get("/t/" + slug + "/apps/web").then().statusCode(200).extract().asString();
        assertThat(appPage).doesNotContain("healthPath: null").doesNotContain("customDomain: null");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void theReleasesPartReadsRightAndIsAStyledPageWithoutJavaScript() {
        String slug = Api.createTenant("relwords");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1"));
        String releases = "/t/" + slug + "/apps/web/releases";
        String part = await().atMost(Duration.ofSeconds(15)).until(() -> fragment(releases),
                h -> text(h).contains("release #1: 1 of 1"));
        assertThat(text(part)).doesNotContain("#11 of 1");
        assertThat(part).doesNotContain("<html");

        String page = given().accept("text/html").get(releases).then().statusCode(200).extract().asString();
        assertThat(page).contains("<html").contains("href=\"/static/berth.css\"")
                .contains("Rollout and releases of web").contains("Release #1");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void rotatingTheWebhookSecretAsksFirstAndSaysWhatStopsWorking() {
        String slug = Api.createTenant("rotate");
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("repoUrl", "git://127.0.0.1:9/none.git", "ref", "main"))
                .put(Api.app(slug, "web") + "/source").then().statusCode(200);
        String builds = given().get("/t/" + slug + "/apps/web/builds").then().statusCode(200).extract().asString();
        assertThat(builds).contains("<details class=\"confirm\">").contains("Replace the secret…")
                .contains("Pushes signed with the current secret are refused")
                .contains("action=\"/t/" + slug + "/apps/web/builds/webhook/rotate\"");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void thePlansPageListsPlansTheirLimitsAndTenantsWithOverridesAndTheQuotaHintLinksThere() {
        // Each plan lists its first tenants by name: this one sorts before any other test's tenant.
        String slug = Api.createTenant("a0plan");
        String plans = given().get("/plans").then().statusCode(200).extract().asString();
        assertThat(plans).contains("id=\"plan-team\"").contains("Tenants on team")
                .contains("href=\"/t/" + slug + "\"")
                .contains("pods 20").contains("apps 10");   // the test tenant's overrides of its plan
        assertThat(given().get("/tenants").then().statusCode(200).extract().asString())
                .contains("<a href=\"/plans\">see the plans page</a>").contains("<a href=\"/plans\">Plans</a>");
        assertThat(given().get("/t/" + slug).then().statusCode(200).extract().asString())
                .contains("href=\"/plans#plan-");
    }

    @Test
    @TestSecurity(user = "alice")
    void onlyPlatformAdminsSeeThePlansPage() {
        given().get("/plans").then().statusCode(403).contentType(containsString("text/html"));
        assertThat(given().get("/tenants").then().statusCode(200).extract().asString())
                .doesNotContain("href=\"/plans\"");
    }

    /** The releases part as the app page's script asks for it. */
    private static String fragment(String path) {
        return given().header("X-Berth-Fragment", "1").get(path).then().statusCode(200).extract().asString();
    }

    /** What a reader sees without styles: the text with tags removed and white space collapsed. */
    private static String text(String html) {
        return html.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ");
    }
}
