package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A limit lowered below current use: allowed and flagged; nothing shrinks by itself; only growth is refused. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class LoweredLimitTest {

    @Test
    void loweringBelowUseIsFlaggedAndRefusesGrowthButAllowsShrinking() {
        String slug = Api.uniqueSlug("lower");
        json().body(Map.of("slug", slug, "pods", 10, "apps", 5)).post("/api/v1/tenants").then().statusCode(201);
        Map<String, Object> web = new java.util.LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 4);
        Api.createApp(slug, web);
        Api.createApp(slug, Api.app("worker"));

        json().body(Map.of("pods", 3)).put("/api/v1/tenants/" + slug).then().statusCode(200)
                .body("limits.pods", equalTo(3)).body("usage.pods", equalTo(5))
                .body("overLimits", hasItem("pods"));
        // Nothing running was touched.
        json().get(Api.app(slug, "web")).then().body("replicas", equalTo(4));
        given().accept("text/html").get("/t/" + slug).then().statusCode(200)
                .body(containsString("Over its limit (pods)")).body(containsString("over limit"));
        // The admin tenant list's row draws the same use: apps and pods against their limits, pods over it.
        String row = given().accept("text/html").queryParam("q", slug).get("/tenants").then().statusCode(200)
                .extract().asString();
        row = row.substring(row.indexOf("<table class=\"grid tenants\">"));
        row = row.substring(0, row.indexOf("</table>"));
        assertThat(row).contains("/t/" + slug).contains("over limit: growth refused")
                .contains("<div class=\"bar\"><div class=\"bar-label\"><span>2 of 5 · 40%</span></div>")
                .contains("<div class=\"bar crit\"><div class=\"bar-label\"><span>5 of 3 · 166% <strong class=\"hot\">"
                        + "over limit</strong></span></div><meter min=\"0\" max=\"100\" low=\"70\" high=\"90\""
                        + " optimum=\"0\" value=\"166\">166%</meter>");
        json().get("/api/v1/tenants/" + slug).then().body("$", org.hamcrest.Matchers.not(
                org.hamcrest.Matchers.hasKey("rowBars")));

        // Growth is refused, naming the limit, the use and the request.
        Problems.assertProblem(json().body(Map.of("replicas", 5)).patch(Api.app(slug, "web")), 422, "replicas")
                .body("limit", equalTo("pods")).body("max", equalTo("3")).body("used", equalTo("5"))
                .body("requested", equalTo("1 more pod(s)"));
        Problems.assertProblem(json().body(Api.app("third")).post(Api.apps(slug)), 422, "replicas")
                .body("limit", equalTo("pods"));
        // Shrinking is allowed while still over the limit (5 -> 4 pods)...
        json().body(Map.of("replicas", 3)).patch(Api.app(slug, "web")).then().statusCode(200);
        // ...and so is a change that does not grow use (image only).
        json().body(Map.of("image", "registry.example.com/team/web:2.0")).patch(Api.app(slug, "web")).then()
                .statusCode(200);
        json().body(Map.of("replicas", 1)).patch(Api.app(slug, "web")).then().statusCode(200);
        // Under the limit again (2 of 3): growth up to the limit works, and the flag is gone.
        json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(200);
        List<String> over = json().get("/api/v1/tenants/" + slug).then().extract().jsonPath().getList("overLimits");
        assertThat(over).isEmpty();
        Problems.assertProblem(json().body(Map.of("replicas", 3)).patch(Api.app(slug, "web")), 422, "replicas");
    }
}
