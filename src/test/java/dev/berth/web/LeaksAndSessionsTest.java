package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** What the API showed to people who should not see it, and how sessions and refusals are answered. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class LeaksAndSessionsTest {

    @Test
    void theRegionMapShowsOnlyTheViewersTenantsApps() {
        String viewer = Api.uniqueSlug("mapper");
        String mine = Api.createTenant("map-mine", viewer);
        String theirs = Api.createTenant("map-theirs", "bob");
        Api.createApp(mine, Api.app("web"));
        Api.createApp(theirs, Api.app("web"));
        Users.actAs(viewer);
        String html = given().get("/regions").then().statusCode(200).extract().asString();
        String map = html.substring(html.indexOf("id=\"region-map\""));
        assertThat(map).contains(mine + "/web").doesNotContain(theirs);
    }

    @Test
    void onlyAdminsSeeHowManyTenantsAreOnAPlan() {
        json().get("/api/v1/plans").then().statusCode(200).body("tenants", everyItem(notNullValue()));
        Users.actAs("alice");
        json().get("/api/v1/plans").then().statusCode(200).body("$", everyItem(not(hasKey("tenants"))));
        String plan = json().get("/api/v1/plans").then().extract().path("[0].name");
        json().get("/api/v1/plans/" + plan).then().statusCode(200).body("$", not(hasKey("tenants")));
    }

    @Test
    void metricsAreServedOnTheManagementPortOnly() {
        given().get("/q/metrics").then().statusCode(404);
        Users.actByCredentials();
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        assertThat(port).isPositive();
        String metrics = given().port(port).get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("jvm_");
        given().port(port).get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void anAppScopedTokenSeesNoTenantInTheList() {
        String slug = Api.createTenant("appscope", "alice");
        Api.createApp(slug, Api.app("web"));
        String secret = json().body(Map.of("name", "deploy", "role", "developer", "app", "web"))
                .post("/api/v1/tenants/" + slug + "/tokens").then().statusCode(201).extract().path("secret");
        Users.actByCredentials();
        json().header("Authorization", "Bearer " + secret).get("/api/v1/tenants").then().statusCode(200)
                .body("items", equalTo(List.of())).body("total", equalTo(0));
        json().header("Authorization", "Bearer " + secret).get(Api.app(slug, "web")).then().statusCode(200);
    }

    @Test
    void unauthorizedAndForbiddenAreProblems() {
        Users.actByCredentials();
        given().get("/api/v1/tenants").then().statusCode(401).contentType(startsWith(Problems.MEDIA_TYPE))
                .header("WWW-Authenticate", startsWith("Bearer")).body("status", equalTo(401));
        given().header("Authorization", "Bearer berth_nosuchtoken").get("/api/v1/tenants").then().statusCode(401)
                .contentType(startsWith(Problems.MEDIA_TYPE)).body("status", equalTo(401));
        Users.actAs("alice");
        json().body(Map.of("name", "x")).post("/api/v1/plans").then().statusCode(403)
                .contentType(startsWith(Problems.MEDIA_TYPE)).body("status", equalTo(403));
    }

    @Test
    void pagesAndApiAnswersAreNotCachedAndHstsIsSent() {
        String slug = Api.createTenant("nostore", "admin");
        for (String path : List.of("/tenants", "/t/" + slug + "/tokens", "/api/v1/tenants")) {
            given().get(path).then().statusCode(200).header("Cache-Control", "no-store")
                    .header("Strict-Transport-Security", startsWith("max-age="));
        }
        // A new token's secret is shown once, in a response no cache may keep.
        json().body(Map.of("name", "ci", "role", "viewer")).post("/api/v1/tenants/" + slug + "/tokens").then()
                .statusCode(201).header("Cache-Control", "no-store");
        given().get("/static/berth.css").then().statusCode(200).header("Cache-Control", not("no-store"));
    }

    @Test
    void theSecurityLogShowsUpForAdminsInTheNavigation() {
        given().get("/tenants").then().statusCode(200).body(org.hamcrest.Matchers.containsString("href=\"/security\""));
    }

    @Test
    void theOpenApiDocumentOffersApiTokensAndOnlyTheJsonApi() {
        var doc = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200);
        doc.body("components.securitySchemes.berthApiToken.type", equalTo("http"))
                .body("components.securitySchemes.berthApiToken.scheme", equalTo("bearer"))
                .body("security.collect { it.keySet() }.flatten()", hasItem("berthApiToken"));
        Map<String, Object> paths = doc.extract().path("paths");
        assertThat(paths.keySet()).isNotEmpty().allMatch(p -> p.startsWith("/api/v1"));
    }
}
