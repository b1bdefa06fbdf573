package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.RestAssured;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The app list is paged by name in the API and on the dashboard, and says where each page stands. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class AppListTest {
    private static String slug;

    /** A tenant with seven apps, created out of name order; the tests that only read share one. */
    @BeforeEach
    void sevenApps() {
        if (slug == null) {
            slug = tenantWithSevenApps("list");
        }
    }

    private static String tenantWithSevenApps(String prefix) {
        String tenant = Api.uniqueSlug(prefix);
        Map<String, Object> body = new HashMap<>(Api.tenant(tenant));
        body.putAll(Map.of("cpu", "16", "memory", "64Gi", "pods", 200, "apps", 100));
        json().body(body).post("/api/v1/tenants").then().statusCode(201);
        for (String name : List.of("ap-g", "ap-b", "ap-e", "ap-a", "ap-d", "ap-c", "ap-f")) {
            Api.createApp(tenant, Api.app(name));
        }
        return tenant;
    }

    @Test
    void pagesAreOrderedByNameAndCarryTheTotal() {
        json().get(Api.apps(slug) + "?size=3").then().statusCode(200)
                .body("items.name", contains("ap-a", "ap-b", "ap-c")).body("total", equalTo(7))
                .body("page", equalTo(0)).body("size", equalTo(3));
        json().get(Api.apps(slug) + "?size=3&page=2").then().statusCode(200)
                .body("items.name", contains("ap-g")).body("total", equalTo(7));
        json().get(Api.apps(slug) + "?size=3&page=5").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void eachItemShowsStateAndUrlPerRegionButNoConfiguration() {
        json().get(Api.apps(slug) + "?size=1").then().statusCode(200)
                .body("items[0].name", equalTo("ap-a"))
                .body("items[0].status[0].region", equalTo("local"))
                .body("items[0].status[0].url", containsString("ap-a." + slug + "."))
                .body("items[0].urls", hasSize(1))
                .body("items[0]", not(org.hamcrest.Matchers.hasKey("env")));
    }

    @Test
    void aPageSizeOutOfRangeIsRefusedNamingTheParameter() {
        json().get(Api.apps(slug) + "?size=201").then().statusCode(400)
                .body("field", equalTo("size"));
        json().get(Api.apps(slug) + "?size=0").then().statusCode(400).body("field", equalTo("size"));
        json().get(Api.apps(slug) + "?page=-1").then().statusCode(400).body("field", equalTo("page"));
        json().get(Api.apps(slug) + "?page=two").then().statusCode(400).body("field", equalTo("page"))
                .body("detail", containsString("whole number"));
        RestAssured.given().get("/t/" + slug + "?page=two").then().statusCode(400)
                .body(containsString("whole number"));
    }

    @Test
    void theDashboardShowsOnePageAndAPager() {
        // A tenant of its own: the 50 more apps must not reach the tests that count the shared tenant's seven.
        String slug = tenantWithSevenApps("listpages");
        for (int i = 0; i < 50; i++) {
            Map<String, Object> app = Api.app(String.format("z-%02d", i));
            app.put("resources", Map.of("cpuRequest", "10m", "cpuLimit", "50m", "memoryRequest", "16Mi",
                    "memoryLimit", "64Mi"));
            Api.createApp(slug, app);
        }
        String first = RestAssured.given().get("/t/" + slug).then().statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(first).contains("1–50 of 57").contains("rel=\"next\"")
                .contains("/t/" + slug + "/apps/ap-a\"").doesNotContain("/apps/z-49\"");
        // The region table names a few apps per region and counts the rest, so it does not grow with the tenant.
        org.assertj.core.api.Assertions.assertThat(first).contains("and 47 more");
        String second = RestAssured.given().get("/t/" + slug + "?page=1").then().statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(second).contains("51–57 of 57").contains("rel=\"prev\"")
                .doesNotContain("rel=\"next\"").contains("/apps/z-49\"");
    }
}
