package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The web security review as tests: every form that changes something carries the CSRF token, text people typed
 * is escaped wherever it is shown, the new pages carry the security headers, and the session and CSRF cookies
 * are HttpOnly and SameSite.
 */
@QuarkusTest
class WebSecurityTest {
    private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL);
    private static final String SCRIPT = "<script>alert('x')</script>";

    /** Every page of a tenant with an app, as the platform admin (who sees every form). */
    private static List<String> pages(String slug) {
        return List.of("/tenants", "/regions", "/audit", "/t/" + slug, "/t/" + slug + "/settings",
                "/t/" + slug + "/apps/new", "/t/" + slug + "/apps/web", "/t/" + slug + "/members",
                "/t/" + slug + "/audit");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void everyPostFormCarriesTheCsrfToken() {
        String slug = Api.createTenant("websec", "alice");
        Api.createApp(slug, Api.app("web"));
        List<String> unprotected = new ArrayList<>();
        int forms = 0;
        for (String page : pages(slug)) {
            String html = given().get(page).then().statusCode(200).extract().asString();
            Matcher m = FORM.matcher(html);
            while (m.find()) {
                if (m.group(1).toLowerCase().contains("method=\"post\"")) {
                    forms++;
                    if (!m.group(2).contains("name=\"" + PageForms.CSRF + "\"")) {
                        unprotected.add(page + ": <form" + m.group(1) + ">");
                    }
                }
            }
        }
        assertThat(forms).as("post forms seen").isGreaterThan(8);
        assertThat(unprotected).as("forms without the CSRF token").isEmpty();
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void textPeopleTypedIsEscapedOnEveryPage() {
        String slug = Api.uniqueSlug("xss");
        json().body(Map.of("slug", slug, "displayName", SCRIPT, "owners", List.of("alice"))).post("/api/v1/tenants")
                .then().statusCode(201);
        Map<String, Object> app = Api.app("web");
        app.put("env", Map.of("GREETING", SCRIPT));
        Api.createApp(slug, app);
        // A refused form echoes the value back into the input.
        PageForms.from("/t/" + slug + "/apps/new").post().formParam("name", "web2").formParam("image", SCRIPT)
                .post("/t/" + slug + "/apps").then().statusCode(400).body(containsString("&lt;script&gt;"))
                .body(org.hamcrest.Matchers.not(containsString(SCRIPT)));
        for (String page : pages(slug)) {
            String html = given().get(page).then().statusCode(200).extract().asString();
            assertThat(html).as(page).doesNotContain(SCRIPT).doesNotContain("<script>alert");
        }
        assertThat(given().get("/t/" + slug).asString()).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void theNewPagesCarryTheSecurityHeaders() {
        String slug = Api.createTenant("websec-h", "alice");
        for (String path : List.of("/t/" + slug + "/members", "/t/" + slug + "/audit", "/audit",
                "/api/v1/audit", "/api/v1/tenants/" + slug + "/audit/export")) {
            given().get(path).then().statusCode(200)
                    .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "same-origin");
        }
    }

    @Test
    void theSessionAndCsrfCookiesAreHttpOnlyAndSameSite() {
        Response login = given().redirects().follow(false).formParam("j_username", "alice")
                .formParam("j_password", "alice").post("/j_security_check");
        assertThat(login.statusCode()).isEqualTo(302);
        String session = setCookie(login, LogoutPage.FORM_AUTH_COOKIE);
        assertThat(session).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");

        String csrf = setCookie(given().cookie(LogoutPage.FORM_AUTH_COOKIE, login.getCookie(LogoutPage.FORM_AUTH_COOKIE))
                .redirects().follow(false).get("/tenants"), PageForms.CSRF);
        assertThat(csrf).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite");
    }

    private static String setCookie(Response r, String name) {
        return r.getHeaders().getValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + r.getHeaders()));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void ownersAndAdminsReadTheAuditPageOthersDoNot() {
        String slug = Api.createTenant("audit-page", "alice");
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("replicas", 0, "image", "bad image")).patch(Api.app(slug, "web")).then().statusCode(400);
        Users.actAs("alice");
        String html = given().get("/t/" + slug + "/audit?app=web").then().statusCode(200).extract().asString();
        assertThat(html).contains("app.create").contains("request.refused")
                .contains("/api/v1/tenants/" + slug + "/audit/export?app=web");
        given().get("/t/" + slug + "/audit?from=yesterday").then().statusCode(400)
                .body(containsString("ISO-8601"));
        given().get("/audit").then().statusCode(403);
        Users.actAs("bob");
        given().get("/t/" + slug + "/audit").then().statusCode(404);
        Users.actAsAdmin();
        given().get("/audit?tenant=" + slug).then().statusCode(200).body(containsString("app.create"));
    }
}
