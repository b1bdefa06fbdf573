package dev.berth.tenants;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class TenantValidationTest {
    @Inject
    Sandbox sandbox;

    static Stream<Arguments> invalidSlugs() {
        return Stream.of(Arguments.of("too short", "a"), Arguments.of("too long", "t" + "x".repeat(30)),
                Arguments.of("uppercase", "Team-" + suffix()), Arguments.of("leading digit", "1team-" + suffix()),
                Arguments.of("double dash", "team--" + suffix()), Arguments.of("reserved", "admin"),
                Arguments.of("underscore", "team_" + suffix()), Arguments.of("trailing dash", "team-" + suffix() + "-"));
    }

    private static String suffix() {
        return Api.uniqueSlug("x").substring(2);
    }

    private void assertNothingStored(String slug) {
        assertThat(QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug))).isNull();
        sandbox.settle();
        assertThat(sandbox.client().namespaces().withName("berth-" + slug.toLowerCase()).get()).isNull();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidSlugs")
    void invalidSlugIsRefusedNamingTheSlugAndStoresNothing(String rule, String slug) {
        assertProblem(json().body(Api.tenant(slug)).post("/api/v1/tenants"), 400, "slug");
        assertNothingStored(slug);
    }

    static Stream<Arguments> invalidLimits() {
        return Stream.of(Arguments.of("cpu", "lots"), Arguments.of("cpu", "-1"), Arguments.of("cpu", "0"),
                Arguments.of("cpu", "2000"), Arguments.of("memory", "8GB"), Arguments.of("memory", "0"),
                Arguments.of("pods", 0), Arguments.of("pods", 10001), Arguments.of("apps", 0),
                Arguments.of("apps", 1001));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidLimits")
    void invalidLimitIsRefusedNamingTheFieldAndStoresNothing(String field, Object value) {
        String slug = Api.uniqueSlug("lim");
        Map<String, Object> body = new HashMap<>(Api.tenant(slug));
        body.put(field, value);
        assertProblem(json().body(body).post("/api/v1/tenants"), 400, field);
        assertNothingStored(slug);
    }

    @Test
    void everyInvalidFieldIsNamedInOneResponse() {
        json().body(Map.of("slug", "X", "cpu", "x", "memory", "y", "pods", -1, "apps", 0)).post("/api/v1/tenants")
                .then().statusCode(400).body("errors.field", equalTo(java.util.List.of("slug", "cpu", "memory",
                        "pods", "apps")));
    }

    @Test
    void invalidLimitChangeIsRefusedAndTheQuotaStaysAsItWas() {
        String slug = Api.createTenant("limchg");
        assertProblem(json().body(Map.of("cpu", "many", "pods", 5)).put("/api/v1/tenants/" + slug), 400, "cpu");
        json().get("/api/v1/tenants/" + slug).then().statusCode(200).body("limits.cpu", equalTo("4"))
                .body("limits.pods", equalTo(20));
    }

    @Test
    void duplicateSlugIsAConflictNamingTheSlug() {
        String slug = Api.createTenant("dup");
        assertProblem(json().body(Api.tenant(slug)).post("/api/v1/tenants"), 409, "slug");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"slug\": ", "not json", "[1,2]"})
    void malformedJsonIsABadRequestAboutTheBody(String body) {
        assertProblem(json().body(body).post("/api/v1/tenants"), 400, "body");
    }

    @Test
    void wrongTypeIsABadRequestNamingTheField() {
        String slug = Api.uniqueSlug("type");
        assertProblem(json().body("{\"slug\":\"" + slug + "\",\"pods\":\"many\"}").post("/api/v1/tenants"), 400,
                "pods").body("detail", containsString("pods"));
        assertNothingStored(slug);
    }
}
