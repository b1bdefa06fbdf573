package dev.berth.identity;

import static dev.berth.testsupport.Api.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Users;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation over the whole API, generated from the served OpenAPI document: every operation under
 * {@code /api/v1} is called by every kind of caller of tenant A (owner, developer, viewer, API token) and by a
 * stranger, with tenant B's identifiers. A tenant-scoped operation must answer 404, a platform operation 403 (or,
 * for reads, an answer without B's data), and no answer may contain anything of B. Viewers change nothing, and
 * revoked or expired tokens get 401 everywhere.
 *
 * <p>Operations added later are covered without editing this test: path parameters are filled from
 * {@link #PARAMS}, and a parameter name that is not there fails the test, so a new kind of identifier is noticed
 * and given a value of tenant B.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class IsolationMatrixTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    /** How each path parameter is filled from one side's identifiers. Add new parameter names here. */
    private static final Map<String, Function<Side, String>> PARAMS = Map.of(
            "tenant", Side::tenant,
            "app", Side::app,
            "subject", Side::member,
            "id", s -> String.valueOf(s.tokenId()),
            // Every app has release 1 from its creation.
            "number", s -> "1",
            // Regions and plans are shared by all tenants; their names are not a tenant's data.
            "region", s -> "local",
            "plan", s -> "team",
            // The job queues (the operators' dead-letter retries) are the installation's, named the same for all.
            "queue", s -> "rollouts");

    /** One tenant's identifiers, and the strings that would show that its data leaked. */
    record Side(String tenant, String app, String image, String member, long tokenId) {
        List<String> markers() {
            return List.of(tenant, app, image, member);
        }
    }

    /** A caller of tenant A as the matrix uses it. */
    record Caller(String name, Function<RequestSpecification, RequestSpecification> auth, String user) {
    }

    /** An operation, and the media type to ask it for (JSON where it offers it, else the first it offers). */
    record Operation(String method, String template, String accept) {
        boolean tenantScoped() {
            return template.contains("{tenant}");
        }

        boolean read() {
            return method.equals("GET");
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    // Set up once for all tests of the class: the tests only read, or are refused.
    private static Side a;
    private static Side b;
    private static String tokenA;
    private static String revokedA;
    private static String expiredA;
    private static String viewerA;
    private static List<Caller> callersOfA;

    @BeforeEach
    void twoTenants() {
        Users.actAsAdmin();
        if (callersOfA != null) {
            return;
        }
        String ownerA = Api.uniqueSlug("owner-a");
        String devA = Api.uniqueSlug("dev-a");
        viewerA = Api.uniqueSlug("viewer-a");
        a = side("iso-a", ownerA);
        Api.putMember(a.tenant(), devA, "developer");
        Api.putMember(a.tenant(), viewerA, "viewer");
        tokenA = issue(a.tenant(), "matrix-owner", "owner");
        revokedA = issue(a.tenant(), "matrix-revoked", "owner");
        long revokedId = json().get("/api/v1/tenants/" + a.tenant() + "/tokens").then().statusCode(200).extract()
                .<Number>path("find { it.name == 'matrix-revoked' }.id").longValue();
        json().delete("/api/v1/tenants/" + a.tenant() + "/tokens/" + revokedId).then().statusCode(204);
        expiredA = issue(a.tenant(), "matrix-expired", "owner");
        QuarkusTransaction.requiringNew().run(() -> ApiToken.update("expiresAt = ?1 where tokenHash = ?2",
                Instant.now().minusSeconds(1), ApiTokens.hash(expiredA)));
        b = side("iso-b", Api.uniqueSlug("owner-b"));

        String token = tokenA;
        callersOfA = List.of(
                new Caller("owner of A", r -> r, ownerA),
                new Caller("developer of A", r -> r, devA),
                new Caller("viewer of A", r -> r, viewerA),
                new Caller("API token of A", r -> r.header("Authorization", "Bearer " + token), null),
                new Caller("stranger", r -> r, Api.uniqueSlug("stranger")));
    }

    /** A tenant with one owner, one app with a distinctive name and image, and one API token. */
    private static Side side(String prefix, String owner) {
        String tenant = Api.createTenant(prefix, owner);
        String app = Api.uniqueSlug("app");
        String image = "registry.example.com/" + tenant + "/private:1";
        Api.createApp(tenant, Map.of("name", app, "image", image));
        issue(tenant, "ci", "developer");
        long tokenId = json().get("/api/v1/tenants/" + tenant + "/tokens").then().statusCode(200).extract()
                .<Number>path("find { it.name == 'ci' }.id").longValue();
        return new Side(tenant, app, image, owner, tokenId);
    }

    private static String issue(String tenant, String name, String role) {
        return json().body(Map.of("name", name, "role", role)).post("/api/v1/tenants/" + tenant + "/tokens").then()
                .statusCode(201).extract().path("secret");
    }

    @Test
    void everyOperationRefusesEveryCallerOfAnotherTenant() {
        List<Operation> ops = operations();
        List<String> failures = new ArrayList<>();
        for (Operation op : ops) {
            for (Caller caller : callersOfA) {
                Response r = call(caller, op, b);
                int expected = op.tenantScoped() ? 404 : 403;
                boolean ok = op.read() && !op.tenantScoped()
                        ? r.statusCode() == 200 || r.statusCode() == 403
                        : r.statusCode() == expected;
                if (!ok) {
                    failures.add(caller.name() + " " + op + " with B's identifiers: " + r.statusCode() + " instead of "
                            + (op.read() && !op.tenantScoped() ? "200 or 403" : expected) + ": " + r.asString());
                }
                leaks(r, op, b).forEach(m -> failures.add(caller.name() + " " + op + " revealed '" + m + "' of B"));
            }
        }
        assertThat(failures).as("isolation failures").isEmpty();
    }

    @Test
    void theIdentifiersOfTheOtherTenantAreRealForThoseAllowedToSeeThem() {
        // Without this control, a 404 above could come from a badly filled path instead of the access check.
        List<String> failures = new ArrayList<>();
        for (Operation op : operations()) {
            if (!op.read()) {
                continue;
            }
            Users.actAsAdmin();
            Response r = json().accept(op.accept()).get(path(op, b));
            boolean tenantHidden = r.statusCode() == 404 && r.asString().contains("tenant '");
            if (tenantHidden || r.statusCode() == 401 || r.statusCode() == 403) {
                failures.add("platform admin " + op + " with B's identifiers: " + r.statusCode() + " " + r.asString());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void viewersChangeNothing() {
        Caller viewer = callersOfA.stream().filter(c -> c.user() != null && c.user().equals(viewerA)).findFirst()
                .orElseThrow();
        String before = snapshot(a);
        List<String> failures = new ArrayList<>();
        for (Operation op : operations()) {
            if (op.read()) {
                continue;
            }
            Response r = call(viewer, op, a);
            if (r.statusCode() != 403) {
                failures.add("viewer of A " + op + " on A: " + r.statusCode() + " instead of 403: " + r.asString());
            }
        }
        assertThat(failures).isEmpty();
        assertThat(snapshot(a)).as("tenant A after the viewer's attempts").isEqualTo(before);
    }

    @Test
    void revokedAndExpiredTokensGetUnauthorizedEverywhere() {
        List<String> failures = new ArrayList<>();
        for (Operation op : operations()) {
            for (String secret : List.of(revokedA, expiredA)) {
                Caller caller = new Caller("token", r -> r.header("Authorization", "Bearer " + secret), null);
                Response r = call(caller, op, a);
                if (r.statusCode() != 401) {
                    failures.add((secret.equals(revokedA) ? "revoked" : "expired") + " token " + op + ": "
                            + r.statusCode());
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** The matrix covers what the API serves; it must at least see the endpoints this test was written against. */
    @Test
    void theMatrixIsBuiltFromTheServedDocument() {
        assertThat(operations()).extracting(Operation::toString).contains(
                "GET /api/v1/tenants/{tenant}", "POST /api/v1/tenants", "PATCH /api/v1/tenants/{tenant}/apps/{app}",
                "DELETE /api/v1/tenants/{tenant}/members/{subject}", "DELETE /api/v1/tenants/{tenant}/tokens/{id}");
    }

    /** Every operation under /api/v1 in the OpenAPI document; fails on a path parameter it cannot fill. */
    static List<Operation> operations() {
        String doc = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString();
        JsonNode paths;
        try {
            paths = new ObjectMapper().readTree(doc).path("paths");
        } catch (java.io.IOException e) {
            throw new AssertionError("the OpenAPI document is not JSON", e);
        }
        List<Operation> ops = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            if (!path.getKey().startsWith("/api/v1")) {
                continue;
            }
            Matcher m = PARAM.matcher(path.getKey());
            while (m.find()) {
                if (!PARAMS.containsKey(m.group(1))) {
                    unknown.add(m.group(1) + " in " + path.getKey());
                }
            }
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext();) {
                String method = methods.next();
                if (METHODS.contains(method)) {
                    ops.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey(),
                            accept(path.getValue().path(method).path("responses"))));
                }
            }
        }
        assertThat(unknown).as("path parameters the isolation matrix cannot fill yet: add them to "
                + "IsolationMatrixTest.PARAMS with a value of the other tenant").isEmpty();
        assertThat(ops).as("operations under /api/v1 in the OpenAPI document").isNotEmpty();
        return ops;
    }

    /**
     * What the successful answer is: JSON where it offers it, else its first media type (event streams, text), and
     * anything when the document names none.
     */
    private static String accept(JsonNode responses) {
        List<String> types = new ArrayList<>();
        responses.fields().forEachRemaining(r -> {
            if (r.getKey().startsWith("2")) {
                r.getValue().path("content").fieldNames().forEachRemaining(types::add);
            }
        });
        return types.contains("application/json") ? "application/json" : types.isEmpty() ? "*/*" : types.get(0);
    }

    private static String path(Operation op, Side side) {
        Matcher m = PARAM.matcher(op.template());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(PARAMS.get(m.group(1)).apply(side)));
        }
        m.appendTail(sb);
        // Deleting a tenant needs its name repeated; give it, so only the access check can stop the call.
        return sb + (op.method().equals("DELETE") && op.template().equals("/api/v1/tenants/{tenant}")
                ? "?confirm=" + side.tenant() : "");
    }

    private static Response call(Caller caller, Operation op, Side side) {
        if (caller.user() != null) {
            Users.actAs(caller.user());
        } else {
            Users.actByCredentials();
        }
        try {
            RequestSpecification r = caller.auth().apply(json().accept(op.accept()));
            if (!op.read() && !op.method().equals("DELETE")) {
                r = r.body("{}");
            }
            return r.request(op.method(), path(op, side));
        } finally {
            Users.actAsAdmin();
        }
    }

    /** B's strings in an answer, apart from those the caller sent in the path (a 404 may repeat what it was asked). */
    private static List<String> leaks(Response r, Operation op, Side side) {
        String body = r.asString();
        String asked = path(op, side);
        return side.markers().stream().filter(m -> !asked.contains(m)).filter(body::contains).toList();
    }

    /** What a viewer could have changed in a tenant, as the owner-level API shows it. */
    private static String snapshot(Side side) {
        Users.actAsAdmin();
        String t = "/api/v1/tenants/" + side.tenant();
        return String.join("\n",
                json().get(t).then().statusCode(200).extract().jsonPath().getString("limits"),
                json().get(t + "/members").asString(),
                json().get(t + "/tokens").then().extract().jsonPath().getList("active").toString(),
                json().get(Api.apps(side.tenant())).then().extract().jsonPath().getList("items.name").toString(),
                json().get(Api.app(side.tenant(), side.app())).then().extract().jsonPath().getString("image")
                        + json().get(Api.app(side.tenant(), side.app())).then().extract().jsonPath()
                                .getString("replicas"));
    }
}
