package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class AppValidationTest {
    private static String tenant;
    @Inject
    Sandbox sandbox;

    /** One tenant for the whole class: every request here is refused, so it stays empty. */
    private static String tenant() {
        if (tenant == null) {
            tenant = Api.createTenant("appval");
        }
        return tenant;
    }

    private static Map<String, Object> body(String name, String key, Object value) {
        Map<String, Object> b = new LinkedHashMap<>(Api.app(name));
        if (value == null) {
            b.remove(key); // absent: the API refuses unknown fields, so no placeholder key is sent
        } else {
            b.put(key, value);
        }
        return b;
    }

    private static Map<String, Object> resources(String cpuReq, String cpuLim, String memReq, String memLim) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cpuRequest", cpuReq);
        r.put("cpuLimit", cpuLim);
        r.put("memoryRequest", memReq);
        r.put("memoryLimit", memLim);
        r.values().removeIf(java.util.Objects::isNull);
        return r;
    }

    static Stream<Arguments> invalidApps() {
        return Stream.of(
                Arguments.of("name uppercase", body("Web", "x", null), "name"),
                Arguments.of("name leading digit", body("9web", "x", null), "name"),
                Arguments.of("name reserved", body("new", "x", null), "name"),
                Arguments.of("name with --", body("we--b", "x", null), "name"),
                Arguments.of("image missing", body("img1", "image", null), "image"),
                Arguments.of("image with space", body("img2", "image", "registry.example.com/t/web:1 latest"), "image"),
                Arguments.of("image uppercase path", body("img3", "image", "registry.example.com/Team/web"), "image"),
                Arguments.of("port 0", body("port1", "port", 0), "port"),
                Arguments.of("port 70000", body("port2", "port", 70000), "port"),
                Arguments.of("replicas -1", body("rep1", "replicas", -1), "replicas"),
                Arguments.of("replicas 101", body("rep2", "replicas", 101), "replicas"),
                Arguments.of("cpu not a quantity", body("res1", "resources", resources("lots", null, null, null)),
                        "resources.cpuRequest"),
                Arguments.of("memory not a quantity", body("res2", "resources", resources(null, null, null, "1GB")),
                        "resources.memoryLimit"),
                Arguments.of("cpu request above limit", body("res3", "resources", resources("1", "500m", null, null)),
                        "resources.cpuRequest"),
                Arguments.of("memory request above limit",
                        body("res4", "resources", resources(null, null, "1Gi", "256Mi")), "resources.memoryRequest"),
                Arguments.of("env name starts with digit", body("env1", "env", Map.of("1BAD", "x")), "env.1BAD"),
                Arguments.of("env name with space", body("env2", "env", Map.of("has space", "x")), "env.has space"),
                Arguments.of("secret env name", body("env3", "secretEnv", Map.of("1BAD", "x")), "secretEnv.1BAD"),
                Arguments.of("health path without /", body("hp1", "healthPath", "healthz"), "healthPath"),
                Arguments.of("custom domain invalid", body("cd1", "customDomain", "not a domain"), "customDomain"),
                Arguments.of("custom domain single label", body("cd2", "customDomain", "localhost"), "customDomain"),
                Arguments.of("custom domain under base domain",
                        body("cd3", "customDomain", "shop.apps.berth.localhost"), "customDomain"),
                Arguments.of("custom domain is base domain", body("cd4", "customDomain", "apps.berth.localhost"),
                        "customDomain"));
    }

    private void assertNotStored(String name) {
        json().get(Api.apps(tenant())).then().statusCode(200).body("items.name", equalTo(List.of()));
        sandbox.settle();
        assertThat(sandbox.client().apps().deployments().inNamespace("berth-" + tenant()).list().getItems())
                .isEmpty();
        json().get("/api/v1/tenants/" + tenant() + "/audit").then().body("findAll { it.app != null }.size()",
                equalTo(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidApps")
    void invalidAppIsRefusedNamingTheFieldAndNothingIsStoredOrDeployed(String rule, Map<String, Object> body,
            String field) {
        assertProblem(json().body(body).post(Api.apps(tenant())), 400, field);
        assertNotStored((String) body.get("name"));
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(Arguments.of("{\"name\":\"tw\",\"image\":\"r.example.com/a/b:1\",\"replicas\":\"two\"}",
                        "replicas"),
                Arguments.of("{\"name\":\"tw\",\"image\":\"r.example.com/a/b:1\",\"port\":\"eighty\"}", "port"),
                Arguments.of("{\"name\":\"tw\",\"image\":\"r.example.com/a/b:1\",\"env\":\"A=1\"}", "env"),
                Arguments.of("{\"name\":\"tw\",\"image\":\"r.example.com/a/b:1\",\"replicas\":1.5}", "replicas"),
                Arguments.of("{\"name\":\"tw\",\"image\":\"r.example.com/a/b:1\",\"resources\":{\"cpuLimit\":[1]}}",
                        "resources.cpuLimit"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("wrongTypes")
    void wrongJsonTypeIsABadRequestNamingTheField(String json, String field) {
        assertProblem(json().body(json).post(Api.apps(tenant())), 400, field);
        assertNotStored("tw");
    }

    @Test
    void malformedJsonIsABadRequestAboutTheBody() {
        assertProblem(json().body("{\"name\": \"web\", ").post(Api.apps(tenant())), 400, "body");
        assertNotStored("web");
    }

    @Test
    void invalidChangeIsRefusedAndTheAppStaysAsItWas() {
        String slug = Api.createTenant("appchg");
        Api.createApp(slug, Api.app("web"));
        assertProblem(json().body(Map.of("replicas", 101, "image", "registry.example.com/t/web:2"))
                .patch(Api.app(slug, "web")), 400, "replicas");
        assertProblem(json().body(Map.of("resources", Map.of("cpuRequest", "2"))).patch(Api.app(slug, "web")), 400,
                "resources.cpuRequest");
        assertProblem(json().body("{\"replicas\":\"two\"}").patch(Api.app(slug, "web")), 400, "replicas");
        json().get(Api.app(slug, "web")).then().body("replicas", equalTo(1))
                .body("image", equalTo("registry.example.com/team/web:1.0"));
        json().get(Api.app(slug, "web") + "/history").then().body("size()", equalTo(1));
    }

    @Test
    void duplicateAppNameIsAConflict() {
        String slug = Api.createTenant("appdup");
        Api.createApp(slug, Api.app("web"));
        assertProblem(json().body(Api.app("web")).post(Api.apps(slug)), 409, "name");
        json().get(Api.apps(slug)).then().body("items.size()", equalTo(1));
    }

    @Test
    void customDomainUsedByAnotherAppIsAConflictEvenAcrossTenants() {
        String domain = Api.uniqueSlug("shop") + ".example.com";
        String first = Api.createTenant("dom-a");
        String second = Api.createTenant("dom-b");
        Api.createApp(first, body("web", "customDomain", domain));
        assertProblem(json().body(body("web", "customDomain", domain)).post(Api.apps(second)), 409, "customDomain");
        Api.createApp(second, Api.app("web"));
        assertProblem(json().body(Map.of("customDomain", domain)).patch(Api.app(second, "web")), 409,
                "customDomain");
        json().get(Api.apps(second)).then().body("items.size()", equalTo(1)).body("items[0].customDomain", equalTo(null));
    }

    @Test
    void exceedingThePodLimitIsRefusedNamingTheLimit() {
        String slug = Api.uniqueSlug("quota");
        json().body(Map.of("slug", slug, "cpu", "4", "memory", "8Gi", "pods", 3, "apps", 2)).post("/api/v1/tenants")
                .then().statusCode(201);
        assertProblem(json().body(body("web", "replicas", 4)).post(Api.apps(slug)), 422, "replicas")
                .body("detail", containsString("pods"));
        Api.createApp(slug, body("web", "replicas", 3));
        assertProblem(json().body(Map.of("replicas", 4)).patch(Api.app(slug, "web")), 422, "replicas")
                .body("detail", containsString("pods"));
        json().get(Api.app(slug, "web")).then().body("replicas", equalTo(3));
    }

    @Test
    void exceedingTheAppOrCpuLimitIsRefusedNamingTheLimit() {
        String slug = Api.uniqueSlug("quota");
        json().body(Map.of("slug", slug, "cpu", "1", "memory", "8Gi", "pods", 20, "apps", 2)).post("/api/v1/tenants")
                .then().statusCode(201);
        Api.createApp(slug, Api.app("one"));
        assertProblem(json().body(body("two", "resources", resources("100m", "1", null, null))).post(Api.apps(slug)),
                422, "resources.cpuLimit").body("detail", containsString("cpu"));
        Api.createApp(slug, Api.app("two"));
        assertProblem(json().body(Api.app("three")).post(Api.apps(slug)), 422, "name")
                .body("detail", containsString("apps"));
        json().get(Api.apps(slug)).then().body("items.name", equalTo(List.of("one", "two")));
    }
}
