package dev.berth.api;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Lists that grow without bound are read page after page by keyset: the tenant list and the app list hand out a
 * {@code next} cursor for {@code ?after=}, the audit log, builds and releases continue {@code ?before=} the last item
 * of a page. Each cursor walks the whole list without a gap or a repeat, and the old {@code page}/{@code limit}
 * parameters keep working.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class CursorPagingTest {

    @Test
    void theTenantListIsSearchedAndWalkedByCursor() {
        String prefix = "cur" + UUID.randomUUID().toString().substring(0, 6);
        List<String> slugs = new ArrayList<>();
        for (String s : List.of("c", "a", "b")) {
            String slug = prefix + "-" + s;
            json().body(Api.tenant(slug)).post("/api/v1/tenants").then().statusCode(201);
            slugs.add(slug);
        }
        json().get("/api/v1/tenants?q=" + prefix.toUpperCase()).then().statusCode(200).body("total", equalTo(3))
                .body("items.slug", contains(prefix + "-a", prefix + "-b", prefix + "-c"));
        JsonPath first = json().get("/api/v1/tenants?size=2&q=" + prefix).then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("items.slug")).containsExactly(prefix + "-a", prefix + "-b");
        assertThat(first.getString("next")).isEqualTo(prefix + "-b");
        json().get("/api/v1/tenants?size=2&q=" + prefix + "&after=" + first.getString("next")).then().statusCode(200)
                .body("items.slug", contains(prefix + "-c")).body("next", nullValue()).body("total", equalTo(3));
        // The offset pages as before.
        json().get("/api/v1/tenants?size=2&page=1&q=" + prefix).then().statusCode(200)
                .body("items.slug", contains(prefix + "-c")).body("page", equalTo(1));
        json().get("/api/v1/tenants?q=" + prefix + "-zzz").then().statusCode(200).body("total", equalTo(0));
        json().get("/api/v1/tenants?page=1&after=" + prefix).then().statusCode(400).body("field", equalTo("after"));
        json().get("/api/v1/tenants?q=" + "x".repeat(101)).then().statusCode(400).body("field", equalTo("q"));
        // The admin page searches the same way and keeps the search in its form.
        String page = io.restassured.RestAssured.given().get("/tenants?q=" + prefix + "-b").then().statusCode(200)
                .extract().asString();
        assertThat(page).contains("/t/" + prefix + "-b\"").doesNotContain("/t/" + prefix + "-a\"")
                .contains("value=\"" + prefix + "-b\"");
        assertThat(slugs).hasSize(3);
    }

    @Test
    void theAppListIsWalkedByCursor() {
        String slug = Api.createTenant("curapps");
        for (String name : List.of("ap-d", "ap-a", "ap-c", "ap-b", "ap-e")) {
            Api.createApp(slug, Api.app(name));
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            JsonPath page = json().get(Api.apps(slug) + "?size=2" + (after == null ? "" : "&after=" + after)).then()
                    .statusCode(200).body("total", equalTo(5)).extract().jsonPath();
            seen.addAll(page.getList("items.name"));
            after = page.getString("next");
        } while (after != null);
        assertThat(seen).containsExactly("ap-a", "ap-b", "ap-c", "ap-d", "ap-e");
        json().get(Api.apps(slug) + "?page=0&after=ap-b").then().statusCode(400).body("field", equalTo("after"));
    }

    @Test
    void theAuditLogContinuesBeforeTheLastEventOfAPage() {
        String slug = Api.createTenant("curaudit");
        for (String name : List.of("w-1", "w-2", "w-3", "w-4")) {
            Api.createApp(slug, Api.app(name));
        }
        String log = "/api/v1/tenants/" + slug + "/audit";
        List<Long> all = json().get(log).then().statusCode(200).extract().jsonPath().getList("id", Long.class);
        assertThat(all).hasSizeGreaterThanOrEqualTo(5);
        List<Long> walked = new ArrayList<>();
        List<Long> page = json().get(log + "?limit=2").then().statusCode(200).extract().jsonPath()
                .getList("id", Long.class);
        while (!page.isEmpty()) {
            walked.addAll(page);
            page = json().get(log + "?limit=2&before=" + page.get(page.size() - 1)).then().statusCode(200).extract()
                    .jsonPath().getList("id", Long.class);
        }
        assertThat(walked).isEqualTo(all);
        // The platform log takes the same cursor.
        json().get("/api/v1/audit?tenant=" + slug + "&limit=1&before=" + all.get(0)).then().statusCode(200)
                .body("id", contains(all.get(1).intValue()));
        json().get(log + "?before=newest").then().statusCode(400).body("field", equalTo("before"));
        long foreign = json().get("/api/v1/audit?limit=1&tenant=" + Api.createTenant("curother")).then()
                .statusCode(200).extract().jsonPath().getLong("[0].id");
        json().get(log + "?before=" + foreign).then().statusCode(400).body("field", equalTo("before"));
    }

    @Test
    void releasesContinueBeforeTheLastNumberOfAPage() {
        String slug = Api.createTenant("currel");
        Api.createApp(slug, Api.app("web"));
        for (String tag : List.of("1.1", "1.2", "1.3")) {
            json().body(Map.of("image", "registry.example.com/team/web:" + tag)).patch(Api.apps(slug) + "/web").then()
                    .statusCode(200);
        }
        String releases = Api.apps(slug) + "/web/releases";
        json().get(releases + "?limit=2").then().statusCode(200).body("number", contains(4, 3));
        json().get(releases + "?limit=2&before=3").then().statusCode(200).body("number", contains(2, 1));
        json().get(releases + "?before=1").then().statusCode(200).body("number", org.hamcrest.Matchers.empty());
        json().get(releases + "?before=three").then().statusCode(400).body("field", equalTo("before"));
    }
}
