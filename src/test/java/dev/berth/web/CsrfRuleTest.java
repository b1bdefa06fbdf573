package dev.berth.web;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Routes;
import dev.berth.testsupport.Sessions;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CSRF as a rule: every state-changing request authenticated by a session cookie carries the token, whatever its
 * body; bearer-token requests and webhooks are exempt.
 */
@QuarkusTest
class CsrfRuleTest {
    private static final Set<String> UNSAFE = Set.of("post", "put", "patch", "delete");

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void everyStateChangingOperationWithASessionCookieAndNoTokenIsRefusedAndChangesNothing() throws Exception {
        String slug = Api.createTenant("csrf", "admin");
        Api.createApp(slug, Api.app("web"));
        Users.actByCredentials();
        Sessions admin = Sessions.login("admin", "/tenants");
        String before = fingerprint();

        JsonNode paths = new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi?format=json")
                .asString()).path("paths");
        // The API's operations from the OpenAPI document, and the pages' form posts (webhooks carry no login).
        Map<String, Set<String>> routes = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(m -> routes.computeIfAbsent(path.getKey(),
                    k -> new java.util.TreeSet<>()).add(m));
        }
        Routes.all().forEach((path, methods) -> {
            if (!path.startsWith("/hooks/")) {
                routes.computeIfAbsent(path, k -> new java.util.TreeSet<>()).addAll(methods);
            }
        });
        List<String> accepted = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, Set<String>> path : routes.entrySet()) {
            String url = path.getKey().replace("{tenant}", slug).replace("{app}", "web")
                    .replaceAll("\\{[^}]+}", "x");
            for (String method : path.getValue()) {
                if (!UNSAFE.contains(method)) {
                    continue;
                }
                operations++;
                Response r = admin.cookiesOnly().contentType("application/json").body("{}").request(method, url);
                if (r.statusCode() != 403 || !String.valueOf(r.contentType()).startsWith("application/problem+json")
                        || !"csrf-token".equals(r.path("field"))) {
                    accepted.add(method.toUpperCase() + " " + url + " -> " + r.statusCode() + " " + r.asString());
                }
            }
        }
        assertThat(operations).as("state-changing operations of the API and the pages").isGreaterThan(50);
        assertThat(accepted).as("operations that did not refuse a request without the CSRF token").isEmpty();
        assertThat(fingerprint()).as("nothing changed").isEqualTo(before);

        // The same session without a body, and logout, are refused too; the session still works afterwards.
        admin.cookiesOnly().post("/api/v1/tenants/" + slug + "/apps/web/builds").then().statusCode(403)
                .contentType(startsWith("application/problem+json")).body("field", equalTo("csrf-token"));
        admin.cookiesOnly().post("/logout").then().statusCode(403);
        admin.cookiesOnly().get("/api/v1/tenants/" + slug).then().statusCode(200);
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void theTokenInTheHeaderOrAFormFieldLetsTheSessionChangeThings() {
        String slug = Api.createTenant("csrf-ok", "admin");
        Users.actByCredentials();
        Sessions admin = Sessions.login("admin", "/tenants");
        admin.withToken().contentType("application/json").body(Api.app("web")).post(Api.apps(slug)).then()
                .statusCode(201);
        admin.cookiesOnly().header("X-CSRF-Token", "forged").contentType("application/json")
                .body(Api.app("web2")).post(Api.apps(slug)).then().statusCode(403)
                .contentType(startsWith("application/problem+json"));
        // An HTML form without its field: the same 403 problem, not a bare 400.
        admin.cookiesOnly().formParam("name", "web3").formParam("image", "registry.example.com/a/b:1")
                .post("/t/" + slug + "/apps").then().statusCode(403)
                .contentType(startsWith("application/problem+json")).body("field", equalTo("csrf-token"));
        admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).formParam("name", "web3")
                .formParam("image", "registry.example.com/a/b:1").post("/t/" + slug + "/apps").then().statusCode(303);
        Users.actAsAdmin();
        json().get(Api.apps(slug)).then().statusCode(200).body("items.name", equalTo(List.of("web", "web3")));
    }

    @Test
    @TestSecurity(user = "admin", roles = "platform-admin")
    void bearerTokensNeedNoCsrfToken() {
        String slug = Api.createTenant("csrf-bearer", "admin");
        String secret = json().body(Map.of("name", "ci", "role", "developer")).post("/api/v1/tenants/" + slug
                + "/tokens").then().statusCode(201).extract().path("secret");
        Users.actByCredentials();
        Sessions admin = Sessions.login("admin", "/tenants");
        // Even next to a session cookie: a cross-site page cannot send an Authorization header.
        admin.cookiesOnly().header("Authorization", "Bearer " + secret).contentType("application/json")
                .body(Api.app("web")).post(Api.apps(slug)).then().statusCode(201);
    }

    /** Row counts and the newest change of the tables a request could change. */
    static String fingerprint() {
        return QuarkusTransaction.requiringNew().call(() -> String.valueOf(Panache.getEntityManager().createNativeQuery(
                "select (select count(*) from tenant) || '/' || (select count(*) from app) || '/' || "
                        + "(select count(*) from audit_event) || '/' || (select count(*) from api_token) || '/' || "
                        + "(select count(*) from membership) || '/' || (select count(*) from region) || '/' || "
                        + "(select count(*) from plan) || '/' || (select count(*) from build) || '/' || (select coalesce(max(updated_at)::text, '') from app)")
                .getSingleResult()));
    }
}
