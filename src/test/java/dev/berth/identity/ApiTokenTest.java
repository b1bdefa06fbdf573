package dev.berth.identity;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.berth.members.ApiTokenService;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.RowLocks;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class ApiTokenTest {
    @Inject
    ApiTokenService tokens;

    private static Map<String, Object> token(String name, String role, String app) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("role", role);
        if (app != null) {
            body.put("app", app);
        }
        return body;
    }

    private static String issue(String tenant, Map<String, Object> body) {
        return json().body(body).post("/api/v1/tenants/" + tenant + "/tokens").then().log().ifValidationFails()
                .statusCode(201)
                .body("secret", startsWith("berth_"))
                .body("token.prefix", startsWith("berth_"))
                .extract().path("secret");
    }

    private static RequestSpecification with(String secret) {
        return json().header("Authorization", "Bearer " + secret);
    }

    @Test
    void aTokenActsWithItsRoleInItsTenantOnlyAndStopsWhenRevoked() {
        String tenant = Api.createTenant("tok");
        String other = Api.createTenant("tok-other");
        Api.createApp(tenant, Api.app("web"));
        Api.createApp(other, Api.app("web"));
        String ci = issue(tenant, token("ci", "developer", null));
        String reader = issue(tenant, token("dashboard", "viewer", null));
        long ciId = json().get("/api/v1/tenants/" + tenant + "/tokens").then().statusCode(200)
                .body("name", hasItem("ci"))
                .body("find { it.name == 'ci' }.lastUsedAt", nullValue())
                .body("toString()", not(org.hamcrest.Matchers.containsString(ci)))
                .extract().<Number>path("find { it.name == 'ci' }.id").longValue();

        Users.actByCredentials();
        with(ci).body(Map.of("replicas", 2)).patch(Api.app(tenant, "web")).then().log().ifValidationFails()
                .statusCode(200).body("replicas", equalTo(2));
        with(ci).get("/api/v1/tenants").then().statusCode(200).body("items.slug", equalTo(java.util.List.of(tenant)));
        // Another tenant is invisible, a platform endpoint is forbidden, owner-only things are refused.
        with(ci).get(Api.app(other, "web")).then().statusCode(404);
        with(ci).body(Api.tenant(Api.uniqueSlug("x"))).post("/api/v1/tenants").then().statusCode(403);
        with(ci).get("/api/v1/tenants/" + tenant + "/tokens").then().statusCode(403);
        with(reader).get(Api.app(tenant, "web")).then().statusCode(200);
        with(reader).body(Map.of("replicas", 3)).patch(Api.app(tenant, "web")).then().statusCode(403);

        Users.actAsAdmin();
        json().get("/api/v1/tenants/" + tenant + "/tokens").then()
                .body("find { it.name == 'ci' }.lastUsedAt", notNullValue());
        json().get(Api.app(tenant, "web") + "/history").then().statusCode(200)
                .body("actor", hasItem("token:" + tenant + "/ci"));
        json().delete("/api/v1/tenants/" + tenant + "/tokens/" + ciId).then().statusCode(204);
        json().get("/api/v1/tenants/" + tenant + "/tokens").then()
                .body("find { it.name == 'ci' }.active", equalTo(false));

        Users.actByCredentials();
        with(ci).get(Api.app(tenant, "web")).then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"));
        with(reader).get(Api.app(tenant, "web")).then().statusCode(200);
    }

    /**
     * A revoke that commits while a request authenticated by the token records its "last used" time stays: that
     * write, read before the revoke and committed after it, used to put the revocation time back to null, and the
     * token worked again.
     */
    @Test
    void aTokenRevokedWhileARequestRecordsItsLastUseStaysRevoked() throws Exception {
        String tenant = Api.createTenant("tok-race");
        String secret = issue(tenant, token("ci", "developer", null));
        long tenantId = QuarkusTransaction.requiringNew().call(() -> dev.berth.tenancy.Tenant.findBySlug(tenant).id);
        long id = QuarkusTransaction.requiringNew().call(() -> ApiToken.findByHash(ApiTokens.hash(secret)).id);
        CompletableFuture<Integer> request = QuarkusTransaction.requiringNew().call(() -> {
            tokens.revoke(tenantId, id);
            ApiToken.flush();
            Users.actByCredentials();
            // The request authenticates (the revoke is not committed yet) and writes "last used" after the commit.
            CompletableFuture<Integer> authenticated = CompletableFuture.supplyAsync(() ->
                    with(secret).get("/api/v1/tenants/" + tenant).then().extract().statusCode());
            RowLocks.awaitWaiterOn(RowLocks.backend(), authenticated);
            return authenticated;
        });
        assertThat(request.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        ApiToken stored = QuarkusTransaction.requiringNew().call(() -> ApiToken.findById(id));
        assertThat(stored.lastUsedAt).isNotNull();
        assertThat(stored.revokedAt).isNotNull();
        with(secret).get("/api/v1/tenants/" + tenant).then().statusCode(401);
    }

    @Test
    void anAppScopedTokenSeesOnlyItsApp() {
        String tenant = Api.createTenant("tok-app");
        Api.createApp(tenant, Api.app("web"));
        Api.createApp(tenant, Api.app("worker"));
        String secret = issue(tenant, token("deploy-web", "developer", "web"));

        Users.actByCredentials();
        with(secret).get(Api.app(tenant, "web")).then().statusCode(200);
        with(secret).get(Api.app(tenant, "worker")).then().statusCode(404);
        with(secret).get(Api.apps(tenant)).then().statusCode(404);
        with(secret).body(Api.app("sneaky")).post(Api.apps(tenant)).then().statusCode(404);
    }

    @Test
    void expiredForgedAndUnknownTokensGet401() {
        String tenant = Api.createTenant("tok-exp");
        String secret = issue(tenant, token("old", "owner", null));
        QuarkusTransaction.requiringNew().run(() -> ApiToken.update("expiresAt = ?1 where tokenHash = ?2",
                Instant.now().minusSeconds(1), ApiTokens.hash(secret)));

        Users.actByCredentials();
        with(secret).get("/api/v1/tenants/" + tenant).then().statusCode(401);
        with(secret.substring(0, secret.length() - 2) + "xx").get("/api/v1/tenants/" + tenant).then().statusCode(401);
        with("berth_").get("/api/v1/tenants").then().statusCode(401);
        // Without credentials the API is closed as well.
        json().get("/api/v1/tenants/" + tenant).then().statusCode(401);
    }

    @Test
    void badRequestsNameTheField() {
        String tenant = Api.createTenant("tok-bad");
        String path = "/api/v1/tenants/" + tenant + "/tokens";
        Problems.assertProblem(json().body(token("", "developer", null)).post(path), 400, "name");
        Problems.assertProblem(json().body(token("x", "root", null)).post(path), 400, "role");
        Problems.assertProblem(json().body(token("x", "viewer", "nope")).post(path), 400, "app");
        Map<String, Object> tooLong = token("x", "viewer", null);
        tooLong.put("expiresInDays", 5000);
        Problems.assertProblem(json().body(tooLong).post(path), 400, "expiresInDays");
        issue(tenant, token("same", "viewer", null));
        Problems.assertProblem(json().body(token("same", "viewer", null)).post(path), 409, "name");
        assertThat(json().get(path).then().extract().<java.util.List<?>>path("")).hasSize(1);
    }
}
