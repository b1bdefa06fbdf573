package dev.berth.identity;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class TenantIsolationTest {
    private static final Map<String, Object> APP_CHANGE = Map.of("replicas", 2);

    /** Every tenant-scoped endpoint, as a request; each must answer 404 to a stranger. */
    private static Map<String, Function<String, Response>> tenantEndpoints() {
        return Map.ofEntries(
                Map.entry("GET tenant", t -> json().get("/api/v1/tenants/" + t)),
                Map.entry("PUT tenant", t -> json().body(Map.of("cpu", "1")).put("/api/v1/tenants/" + t)),
                Map.entry("DELETE tenant", t -> json().delete("/api/v1/tenants/" + t + "?confirm=" + t)),
                Map.entry("GET apps", t -> json().get(Api.apps(t))),
                Map.entry("POST app", t -> json().body(Api.app("intruder")).post(Api.apps(t))),
                Map.entry("GET app", t -> json().get(Api.app(t, "web"))),
                Map.entry("PATCH app", t -> json().body(APP_CHANGE).patch(Api.app(t, "web"))),
                Map.entry("DELETE app", t -> json().delete(Api.app(t, "web"))),
                Map.entry("GET history", t -> json().get(Api.app(t, "web") + "/history")),
                Map.entry("GET members", t -> json().get("/api/v1/tenants/" + t + "/members")),
                Map.entry("PUT member", t -> json().body(Map.of("role", "owner"))
                        .put("/api/v1/tenants/" + t + "/members/alice")),
                Map.entry("DELETE member", t -> json().delete("/api/v1/tenants/" + t + "/members/bob")),
                Map.entry("GET audit", t -> json().get("/api/v1/tenants/" + t + "/audit")));
    }

    @Test
    void aMemberOfOneTenantGetsNotFoundForEveryEndpointOfAnother() {
        // A user name of this test alone, so tenants other tests give "alice" do not count.
        String alice = Api.uniqueSlug("alice");
        String[] slugs = new String[2];
        Users.asAdminThen(alice, () -> {
            slugs[0] = Api.createTenant("iso-a", alice);
            slugs[1] = Api.createTenant("iso-b", "bob");
            Api.createApp(slugs[1], Map.of("name", "web", "image", "registry.example.com/b/web:1"));
        });
        String mine = slugs[0];
        String theirs = slugs[1];

        tenantEndpoints().forEach((name, call) -> {
            Response r = call.apply(theirs);
            assertThat(r.statusCode()).as(name + " of another tenant").isEqualTo(404);
            assertThat(r.asString()).as(name + " reveals nothing").doesNotContain("registry.example.com/b");
        });
        json().get("/api/v1/tenants").then().statusCode(200)
                .body("items.slug", hasItem(mine)).body("items.slug", not(hasItem(theirs)))
                .body("total", equalTo(1));

        Users.actAsAdmin();
        json().get(Api.app(theirs, "web")).then().statusCode(200).body("replicas", equalTo(1));
        json().get("/api/v1/tenants/" + theirs + "/members").then().body("subject", equalTo(List.of("bob")));
        json().get(Api.apps(theirs)).then().body("items.name", equalTo(List.of("web")));
    }

    @Test
    void aTenantThatDoesNotExistLooksTheSameAsOneThatIsNotYours() {
        String[] theirs = new String[1];
        Users.asAdminThen("alice", () -> theirs[0] = Api.createTenant("iso-c", "bob"));

        Response hidden = json().get("/api/v1/tenants/" + theirs[0]);
        Response missing = json().get("/api/v1/tenants/" + theirs[0] + "zz");
        assertThat(hidden.statusCode()).isEqualTo(missing.statusCode()).isEqualTo(404);
        assertThat(hidden.jsonPath().getString("title")).isEqualTo(missing.jsonPath().getString("title"));
    }

    @Test
    void aViewerCanReadButCannotChangeAnything() {
        String[] slug = new String[1];
        Users.asAdminThen("victor", () -> {
            slug[0] = Api.createTenant("view", "alice");
            Api.createApp(slug[0], Map.of("name", "web", "image", "registry.example.com/v/web:1"));
            Api.putMember(slug[0], "victor", "viewer");
        });
        String t = slug[0];

        json().get("/api/v1/tenants/" + t).then().statusCode(200).body("role", equalTo("viewer"));
        json().get(Api.apps(t)).then().statusCode(200);
        json().get(Api.app(t, "web")).then().statusCode(200);
        json().get("/api/v1/tenants/" + t + "/members").then().statusCode(200);

        json().body(Api.app("other")).post(Api.apps(t)).then().statusCode(403);
        json().body(APP_CHANGE).patch(Api.app(t, "web")).then().statusCode(403);
        json().delete(Api.app(t, "web")).then().statusCode(403);
        json().body(Map.of("role", "owner")).put("/api/v1/tenants/" + t + "/members/victor").then().statusCode(403);
        json().delete("/api/v1/tenants/" + t + "/members/alice").then().statusCode(403);
        json().body(Map.of("cpu", "100")).put("/api/v1/tenants/" + t).then().statusCode(403);
        json().delete("/api/v1/tenants/" + t + "?confirm=" + t).then().statusCode(403);
        json().get("/api/v1/tenants/" + t + "/audit").then().statusCode(403);

        Users.actAsAdmin();
        json().get(Api.apps(t)).then().body("items.name", equalTo(List.of("web")));
        json().get(Api.app(t, "web")).then().body("replicas", equalTo(1));
        json().get("/api/v1/tenants/" + t + "/members").then().body("find { it.subject == 'victor' }.role",
                equalTo("viewer"));
    }

    @Test
    void aDeveloperCanChangeAppsButCannotManageMembers() {
        String[] slug = new String[1];
        Users.asAdminThen("dev", () -> {
            slug[0] = Api.createTenant("devs", "alice");
            Api.putMember(slug[0], "dev", "developer");
        });
        String t = slug[0];

        Api.createApp(t, Api.app("web"));
        json().body(APP_CHANGE).patch(Api.app(t, "web")).then().statusCode(200);
        json().body(Map.of("role", "owner")).put("/api/v1/tenants/" + t + "/members/dev").then().statusCode(403);
        json().body(Map.of("role", "viewer")).put("/api/v1/tenants/" + t + "/members/eve").then().statusCode(403);
        json().delete("/api/v1/tenants/" + t + "/members/alice").then().statusCode(403);

        json().get("/api/v1/tenants/" + t + "/members").then().statusCode(200)
                .body("subject", equalTo(List.of("alice", "dev")))
                .body("find { it.subject == 'dev' }.role", equalTo("developer"));
    }

    @Test
    void onlyPlatformAdminsCreateTenants() {
        Users.actAs("alice");
        String slug = Api.uniqueSlug("nope");
        json().body(Api.tenant(slug, "alice")).post("/api/v1/tenants").then().statusCode(403);
        Users.actAsAdmin();
        json().get("/api/v1/tenants/" + slug).then().statusCode(404);
    }

    @Test
    void anOwnerCannotChangeLimitsOrDeleteTheirTenant() {
        String[] slug = new String[1];
        Users.asAdminThen("alice", () -> slug[0] = Api.createTenant("own", "alice"));
        json().body(Map.of("cpu", "100")).put("/api/v1/tenants/" + slug[0]).then().statusCode(403);
        json().delete("/api/v1/tenants/" + slug[0] + "?confirm=" + slug[0]).then().statusCode(403);
        json().get("/api/v1/tenants/" + slug[0]).then().statusCode(200).body("limits.cpu", equalTo("4"));
    }
}
