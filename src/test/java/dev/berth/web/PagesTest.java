package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server-rendered pages: what people see, what they may see, and how refused form posts look. */
@QuarkusTest
class PagesTest {
    private static final String SECRET = "s3cret-value-never-shown-7f3a";

    @Test
    @TestSecurity(user = "alice")
    void dashboardListsAppsWithTheirStateAndQuotaUse() {
        String[] slug = new String[1];
        Users.asAdminThen("alice", () -> {
            slug[0] = Api.createTenant("dash", "alice");
            Map<String, Object> app = Api.app("web");
            app.put("replicas", 2);
            Api.createApp(slug[0], app);
        });

        String html = given().get("/t/" + slug[0]).then().statusCode(200)
                .contentType(containsString("text/html")).extract().asString();
        assertThat(html).contains("href=\"/t/" + slug[0] + "/apps/web\"")
                .contains("registry.example.com/team/web:1.0")
                .containsPattern("state-(running|progressing|pending|unknown)")
                .contains("1 of 10")            // apps used of the limit
                .contains("2 of 20")            // pods: 2 replicas of 20
                .contains("CPU (requests)").contains("alice");
        given().get("/tenants").then().statusCode(200).body(containsString("/t/" + slug[0]));
    }

    @Test
    @TestSecurity(user = "bob")
    void aNonMemberGetsAnHtml404ForAnotherTenantsPages() {
        String[] slug = new String[1];
        Users.asAdminThen("bob", () -> {
            slug[0] = Api.createTenant("other", "alice");
            Api.createApp(slug[0], Api.app("web"));
        });

        for (String page : new String[] {"/t/" + slug[0], "/t/" + slug[0] + "/apps/web",
                "/t/" + slug[0] + "/apps/web/status"}) {
            given().get(page).then().statusCode(404).contentType(containsString("text/html"))
                    .body(containsString("Not Found")).body(not(containsString("registry.example.com")));
        }
        given().get("/tenants").then().statusCode(200).body(not(containsString(slug[0])));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aRefusedFormShowsTheFieldKeepsTheValuesAndStoresNothing() {
        String slug = Api.createTenant("bad");
        Response r = PageForms.from("/t/" + slug + "/apps/new").post()
                .formParam("name", "web").formParam("image", "Not An Image!").formParam("port", "8080")
                .formParam("replicas", "1").formParam("env", "GREETING=hello\n")
                .post("/t/" + slug + "/apps");
        r.then().statusCode(400).contentType(containsString("text/html"));
        String html = r.asString();
        assertThat(html).as("the new-app page again").contains("<h1>New app").contains("id=\"new-app\"")
                .contains("data-field=\"image\"").contains("image: must be an image reference")
                .contains("value=\"Not An Image!\"").contains("GREETING=hello").contains("Not saved");
        json().get(Api.apps(slug)).then().statusCode(200).body("items", hasSize(0));

        PageForms.from("/t/" + slug + "/apps/new").post().formParam("name", "web").formParam("image", "nginx:1.27")
                .formParam("replicas", "two").post("/t/" + slug + "/apps")
                .then().statusCode(400).body(containsString("data-field=\"replicas\""))
                .body(containsString("must be a whole number"));
        PageForms.from("/t/" + slug + "/apps/new").post().formParam("name", "web").formParam("image", "nginx:1.27")
                .formParam("env", "NOT A PAIR").post("/t/" + slug + "/apps")
                .then().statusCode(400).body(containsString("data-field=\"env\""));
        json().get(Api.apps(slug)).then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void formsCreateAndChangeAppsAndSecretValuesNeverAppearInHtml() {
        String slug = Api.createTenant("sec");
        String base = "/t/" + slug + "/apps/web";
        PageForms.from("/t/" + slug + "/apps/new").post().formParam("name", "web").formParam("image", "nginx:1.27")
                .formParam("replicas", "1").formParam("secretEnv", "DB_PASSWORD=" + SECRET)
                .post("/t/" + slug + "/apps")
                .then().statusCode(303).header("Location", containsString(base));
        PageForms.from(base).post().formParam("replicas", "2").post(base).then().statusCode(303);
        PageForms.from(base).post().formParam("secretName", "API_KEY").formParam("secretValue", SECRET + "-2")
                .post(base + "/secrets").then().statusCode(303);
        json().get(Api.apps(slug) + "/web").then().statusCode(200).body("replicas", equalTo(2))
                .body("secretEnv", hasSize(2));

        for (String page : new String[] {base, base + "/status", "/t/" + slug, "/t/" + slug + "/apps/new",
                "/tenants"}) {
            given().get(page).then().statusCode(200).body(not(containsString(SECRET)));
        }
        given().get(base).then().body(containsString("DB_PASSWORD")).body(containsString("API_KEY"))
                .body(containsString("set new value")).body(containsString("replicas: 1 -&gt; 2"));
        // A refused settings post re-renders the page; the secret values still do not appear.
        PageForms.from(base).post().formParam("image", "bad image").post(base)
                .then().statusCode(400).body(containsString("data-field=\"image\"")).body(not(containsString(SECRET)));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void aFormPostWithoutTheCsrfTokenIsRefused() {
        String slug = Api.createTenant("csrf");
        given().redirects().follow(false).formParam("name", "web").formParam("image", "nginx:1.27")
                .post("/t/" + slug + "/apps").then().statusCode(400);
        PageForms.from("/t/" + slug + "/apps/new");
        given().redirects().follow(false).cookie(PageForms.CSRF, "forged-cookie-value-0000000000000000000000")
                .formParam(PageForms.CSRF, "another-value-00000000000000000000000000000")
                .formParam("name", "web").formParam("image", "nginx:1.27")
                .post("/t/" + slug + "/apps").then().statusCode(400);
        json().get(Api.apps(slug)).then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    @TestSecurity(user = "alice")
    void onlyPlatformAdminsCreateTenantsOrChangeLimits() {
        String[] slug = new String[1];
        Users.asAdminThen("alice", () -> slug[0] = Api.createTenant("own", "alice"));
        String settings = "/t/" + slug[0] + "/settings";
        String page = given().get(settings).then().statusCode(200).extract().asString();
        assertThat(page).as("the owner's settings page is read-only").contains("Only platform admins change")
                .contains("<tr><th>Pods</th><td>20 <small class=\"muted\">override</small></td></tr>")
                .doesNotContain("action=\"/t/" + slug[0] + "/limits\"").doesNotContain("Save plan and overrides")
                .doesNotContain("action=\"/t/" + slug[0] + "/delete\"").doesNotContain("Delete tenant");
        PageForms.from("/tenants").post().formParam("slug", Api.uniqueSlug("nope")).post("/tenants")
                .then().statusCode(403).contentType(containsString("text/html"));
        PageForms.from(settings).post().formParam("overrides.cpuRequest", "100").post("/t/" + slug[0] + "/limits")
                .then().statusCode(403);
        PageForms.from(settings).post().formParam("confirm", slug[0]).post("/t/" + slug[0] + "/delete")
                .then().statusCode(403);
        json().get("/api/v1/tenants/" + slug[0]).then().statusCode(200).body("limits.cpu", equalTo("4"));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void theSettingsPageChangesLimitsAndARefusedFieldShowsThere() {
        String slug = Api.createTenant("set");
        String plan = json().get("/api/v1/tenants/" + slug).then().statusCode(200).extract().path("plan");
        String settings = "/t/" + slug + "/settings";
        String page = given().get(settings).then().statusCode(200).extract().asString();
        assertThat(page).contains("action=\"/t/" + slug + "/limits\"").contains("Save plan and overrides")
                .contains("id=\"f-overrides.pods\" name=\"overrides.pods\" type=\"number\" value=\"20\"")
                .contains("action=\"/t/" + slug + "/delete\"").contains("aria-current=\"page\">Settings</a>");

        String html = PageForms.from(settings).post().formParam("plan", plan).formParam("overrides.pods", "many")
                .formParam("overrides.apps", "12").post("/t/" + slug + "/limits").then().statusCode(400)
                .contentType(containsString("text/html")).extract().asString();
        assertThat(html).as("the settings page again, the error next to its field, the values as sent")
                .contains("<h1>Settings").contains("data-field=\"overrides.pods\"")
                .contains("aria-invalid=\"true\" aria-describedby=\"f-overrides.pods-error\"")
                .contains("value=\"many\"").contains("value=\"12\"").contains("Not saved");
        json().get("/api/v1/tenants/" + slug).then().statusCode(200).body("limits.pods", equalTo(20))
                .body("limits.apps", equalTo(10));

        PageForms.from(settings).post().formParam("plan", plan).formParam("overrides.pods", "30")
                .post("/t/" + slug + "/limits").then().statusCode(303)
                .header("Location", containsString(settings + "?ok=limits-saved"));
        json().get("/api/v1/tenants/" + slug).then().statusCode(200).body("limits.pods", equalTo(30));
        given().get(settings + "?ok=limits-saved").then().statusCode(200).body(containsString("Limits saved."));
    }

    @Test
    @TestSecurity(user = "alice")
    void theDashboardRendersNoFormAndLinksToTheNewAppAndSettingsPages() {
        String[] slug = new String[2];
        Users.asAdminThen("alice", () -> {
            slug[0] = Api.createTenant("nav", "alice");
            slug[1] = Api.createTenant("look");
            json().body(Map.of("user", "alice", "role", "viewer")).post("/api/v1/tenants/" + slug[1] + "/members")
                    .then().statusCode(201);
        });
        String html = given().get("/t/" + slug[0]).then().statusCode(200).extract().asString();
        String main = html.substring(html.indexOf("<main>"));
        assertThat(main).as("no form on the dashboard but the page's own sign-out").doesNotContain("<form")
                .contains("id=\"new-app-link\" href=\"/t/" + slug[0] + "/apps/new\"")
                .contains("No apps yet. <a href=\"/t/" + slug[0] + "/apps/new\">Create the first one</a>")
                .contains("<a href=\"/t/" + slug[0] + "\" aria-current=\"page\">Dashboard</a>")
                .contains("href=\"/t/" + slug[0] + "/settings\"").contains("href=\"/t/" + slug[0] + "/tokens\"");
        String form = given().get("/t/" + slug[0] + "/apps/new").then().statusCode(200).extract().asString();
        assertThat(form).contains("action=\"/t/" + slug[0] + "/apps\"").contains("name=\"image\"")
                .contains("aria-current=\"page\">New app</a>");

        // A viewer sees the dashboard without the link and gets 403 for the form; settings stay readable.
        String viewer = given().get("/t/" + slug[1]).then().statusCode(200).extract().asString();
        assertThat(viewer).doesNotContain("/apps/new").contains("Developers and owners of the tenant create them.");
        given().get("/t/" + slug[1] + "/apps/new").then().statusCode(403).contentType(containsString("text/html"));
        given().get("/t/" + slug[1] + "/settings").then().statusCode(200).body(containsString("Only platform admins"));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void adminOverviewShowsRegionsAsSimulatedAndDeletingNeedsTheTypedName() {
        given().get("/tenants").then().statusCode(200).body(containsString("Regions"))
                .body(containsString("simulated")).body(containsString("New tenant"));
        String slug = Api.createTenant("del");
        String settings = "/t/" + slug + "/settings";
        String refused = PageForms.from(settings).post().formParam("confirm", "wrong").post("/t/" + slug + "/delete")
                .then().statusCode(400).extract().asString();
        assertThat(refused).as("the settings page again").contains("<h1>Settings").contains("data-field=\"confirm\"")
                .contains("value=\"wrong\"");
        PageForms.from(settings).post().formParam("confirm", slug).post("/t/" + slug + "/delete")
                .then().statusCode(303).header("Location", containsString("/tenants"));
        given().get("/t/" + slug).then().statusCode(404);
    }

    @Test
    void theLoginPageIsPublicAndMarkedAsDevelopmentOnly() {
        given().get("/login").then().statusCode(200).body(containsString("Development-only login"))
                .body(containsString("<code>admin</code>")).body(containsString("<code>alice</code>"))
                .body(containsString("/j_security_check"));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void everyResponseCarriesTheSecurityHeaders() {
        for (String path : new String[] {"/login", "/", "/tenants", "/static/berth.css", "/static/berth.js",
                "/api/v1/regions", "/t/does-not-exist"}) {
            assertSecurityHeaders(given().redirects().follow(false).get(path));
        }
    }

    @Test
    void securityHeadersAreOnResponsesToSignedOutVisitorsToo() {
        assertSecurityHeaders(given().redirects().follow(false).get("/tenants"));
        assertSecurityHeaders(given().redirects().follow(false).get("/login"));
    }

    private static void assertSecurityHeaders(Response r) {
        r.then().header("Content-Security-Policy", containsString("default-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "same-origin")
                .header("X-Frame-Options", "DENY");
    }
}
