package dev.berth.apps;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The autoscaling sub-resource on the sandbox region: validation naming the field with nothing stored, the quota
 * counting the autoscaler's maximum, and the objects Berth writes (HPA and PDB in the newest versions, which the
 * sandbox is given), with a resync that leaves the autoscaler's replica count alone.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class AutoscalingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static String tenant;
    @Inject
    Sandbox sandbox;

    private static String tenant() {
        if (tenant == null) {
            tenant = Api.createTenant("hpaval");
            Api.createApp(tenant, Api.app("web"));
        }
        return tenant;
    }

    static String autoscaling(String slug, String app) {
        return Api.app(slug, app) + "/autoscaling";
    }

    static Map<String, Object> settings(Integer min, Integer max, Integer cpu, Integer memory) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("minReplicas", min);
        b.put("maxReplicas", max);
        b.put("cpuPercent", cpu);
        b.put("memoryPercent", memory);
        b.values().removeIf(java.util.Objects::isNull);
        return b;
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("min 0", settings(0, 3, 70, null), "minReplicas"),
                Arguments.of("min missing", settings(null, 3, 70, null), "minReplicas"),
                Arguments.of("max below min", settings(4, 3, 70, null), "maxReplicas"),
                Arguments.of("max above the bound", settings(1, 101, 70, null), "maxReplicas"),
                Arguments.of("max missing", settings(1, null, 70, null), "maxReplicas"),
                Arguments.of("cpu 0", settings(1, 3, 0, null), "cpuPercent"),
                Arguments.of("cpu 101", settings(1, 3, 101, null), "cpuPercent"),
                Arguments.of("cpu missing", settings(1, 3, null, 50), "cpuPercent"),
                Arguments.of("memory 0", settings(1, 3, 70, 0), "memoryPercent"),
                Arguments.of("memory 150", settings(1, 3, 70, 150), "memoryPercent"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void invalidSettingsAreRefusedNamingTheFieldAndNothingIsStored(String what, Map<String, Object> body,
            String field) {
        String slug = tenant();
        assertProblem(json().body(body).put(autoscaling(slug, "web")), 400, field);
        json().get(autoscaling(slug, "web")).then().statusCode(200).body("autoscaler", nullValue());
        json().get(Api.app(slug, "web") + "/history").then().statusCode(200)
                .body("findAll { it.action == 'app.autoscaler' }.size()", equalTo(0));
    }

    @Test
    void wrongTypesUnknownFieldsAndUnknownAppsAreRefused() {
        String slug = tenant();
        Map<String, Object> unknown = new LinkedHashMap<>(settings(1, 3, 70, null));
        unknown.put("targetCpu", 70);
        json().body(unknown).put(autoscaling(slug, "web")).then().statusCode(400);
        json().body(Map.of("minReplicas", "two", "maxReplicas", 3, "cpuPercent", 70)).put(autoscaling(slug, "web"))
                .then().statusCode(400);
        json().body(settings(1, 3, 70, null)).put(autoscaling(slug, "nope")).then().statusCode(404);
        json().get(autoscaling(slug, "web")).then().statusCode(200).body("autoscaler", nullValue());
    }

    private static int podsInUse(String slug) {
        return json().get("/api/v1/tenants/" + slug + "/usage").then().statusCode(200).extract()
                .path("measures.find { it.name == 'pods' }.used");
    }

    @Test
    void theQuotaCountsTheAutoscalersMaximumAndRefusesOneWithoutRoom() {
        String slug = Api.uniqueSlug("hpaquota");
        Map<String, Object> t = new LinkedHashMap<>(Api.tenant(slug));
        t.put("pods", 6);
        t.put("overrides", Map.of("replicasPerApp", 10));
        json().body(t).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(slug, Api.app("web"));
        assertThat(podsInUse(slug)).isEqualTo(1);

        json().body(settings(1, 5, 70, null)).put(autoscaling(slug, "web")).then().log().ifValidationFails()
                .statusCode(200).body("autoscaler.maxReplicas", equalTo(5)).body("replicas", equalTo(1));
        assertThat(podsInUse(slug)).as("the maximum, not the minimum or the fixed count").isEqualTo(5);
        // Another app's pods no longer fit beside the autoscaler's maximum.
        Map<String, Object> api = new LinkedHashMap<>(Api.app("worker"));
        api.put("replicas", 2);
        assertProblem(json().body(api).post(Api.apps(slug)), 422, "replicas");

        assertProblem(json().body(settings(1, 7, 70, null)).put(autoscaling(slug, "web")), 422, "maxReplicas")
                .body("detail", org.hamcrest.Matchers.containsString("pods"));
        json().get(autoscaling(slug, "web")).then().body("autoscaler.maxReplicas", equalTo(5));
        assertThat(podsInUse(slug)).isEqualTo(5);

        json().delete(autoscaling(slug, "web")).then().statusCode(204);
        assertThat(podsInUse(slug)).isEqualTo(1);
        Api.createApp(slug, api);
    }

    private Deployment deployment(String slug, String name) {
        return sandbox.client().apps().deployments().inNamespace(Names.namespace(slug)).withName(name).get();
    }

    @Test
    void theAutoscalerAndBudgetAreWrittenAndAResyncLeavesTheAutoscalersReplicasAlone() {
        String slug = Api.createTenant("hpa");
        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 2);
        Api.createApp(slug, web);
        String ns = Names.namespace(slug);
        var client = sandbox.client();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns)
                .withName("web").get()).as("two replicas get a budget").isNotNull());

        // The plan allows 5 replicas per app: a maximum above it is refused, naming the field.
        assertProblem(json().body(settings(2, 6, 60, 75)).put(autoscaling(slug, "web")), 422, "maxReplicas")
                .body("detail", org.hamcrest.Matchers.containsString("replicasPerApp"));
        json().body(settings(2, 5, 60, 75)).put(autoscaling(slug, "web")).then().log().ifValidationFails()
                .statusCode(200).body("autoscaler.cpuPercent", equalTo(60));
        sandbox.settle();
        HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns)
                .withName("web").get();
        assertThat(hpa).isNotNull();
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("web");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
        assertThat(hpa.getSpec().getMetrics()).hasSize(2);
        PodDisruptionBudget pdb = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("web").get();
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        // The autoscaler's decision (its scale write) is not undone by Berth.
        client.apps().deployments().inNamespace(ns).withName("web").scale(5);
        sandbox.settle();
        assertThat(sandbox.resyncWrites(slug)).as("a resync writes nothing back").isZero();
        assertThat(deployment(slug, "web").getSpec().getReplicas()).isEqualTo(5);
        json().get(autoscaling(slug, "web")).then().statusCode(200)
                .body("regions[0].autoscalingApi", equalTo("autoscaling/v2"))
                .body("regions[0].policyApi", equalTo("policy/v1"))
                .body("regions[0].target", equalTo("web"))
                .body("regions[0].deploymentReplicas", equalTo(5))
                .body("regions[0].disruptionBudgets[0].name", equalTo("web"));
        json().get(Api.app(slug, "web")).then().body("status[0].desired", equalTo(5));

        // Without the autoscaler the app's own count applies again; at one replica the budget goes too.
        json().delete(autoscaling(slug, "web")).then().statusCode(204);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName("web").get())
                    .isNull();
            assertThat(deployment(slug, "web").getSpec().getReplicas()).isEqualTo(2);
        });
        json().body(Map.of("replicas", 1)).patch(Api.app(slug, "web")).then().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns)
                .withName("web").get()).isNull());
    }

    @Test
    void theAppPageShowsTheAutoscalerAndItsFormSetsItWithTheCsrfToken() {
        String slug = Api.createTenant("hpapage", "admin");
        Api.createApp(slug, Api.app("web"));
        dev.berth.testsupport.Users.actByCredentials();
        try {
            dev.berth.testsupport.Sessions admin = dev.berth.testsupport.Sessions.login("admin", "/t/" + slug
                    + "/apps/web");
            String page = "/t/" + slug + "/apps/web";
            admin.cookiesOnly().get(page).then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("data-refresh=\"" + page + "/autoscaling/status\""))
                    .body(org.hamcrest.Matchers.containsString("action=\"" + page + "/autoscaling\""));
            // Without the token the form is refused; with it the autoscaler is set.
            admin.cookiesOnly().formParam("minReplicas", "1").formParam("maxReplicas", "3")
                    .formParam("cpuPercent", "70").post(page + "/autoscaling").then().statusCode(403);
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).formParam("minReplicas", "1")
                    .formParam("maxReplicas", "3").formParam("cpuPercent", "70").formParam("memoryPercent", "")
                    .post(page + "/autoscaling").then().statusCode(303);
            admin.cookiesOnly().get(page + "/autoscaling/status").then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("1 to 3 replicas"));
            // A refused form comes back with the field named and nothing stored.
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).formParam("minReplicas", "4")
                    .formParam("maxReplicas", "3").formParam("cpuPercent", "70").post(page + "/autoscaling").then()
                    .statusCode(400).body(org.hamcrest.Matchers.containsString("maxReplicas: must be at least"));
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).formParam("minReplicas", "two")
                    .formParam("maxReplicas", "3").formParam("cpuPercent", "70").post(page + "/autoscaling").then()
                    .statusCode(400).body(org.hamcrest.Matchers.containsString("minReplicas: must be a whole number"));
            admin.cookiesOnly().formParam("csrf-token", admin.csrfToken()).post(page + "/autoscaling/remove").then()
                    .statusCode(303);
        } finally {
            dev.berth.testsupport.Users.actAsAdmin();
        }
        json().get(autoscaling(slug, "web")).then().statusCode(200).body("autoscaler", nullValue());
        json().get(Api.app(slug, "web") + "/history").then().statusCode(200)
                .body("findAll { it.action == 'app.autoscaler' }.size()", equalTo(2));
    }

    @Test
    void anAppTheAutoscalerScaledBelowItsFixedCountIsRunningInTheListAndOnItsPage() {
        String slug = Api.createTenant("hpalist");
        Map<String, Object> web = new LinkedHashMap<>(Api.app("web"));
        web.put("replicas", 3);
        Api.createApp(slug, web);
        json().body(settings(1, 4, 60, null)).put(autoscaling(slug, "web")).then().statusCode(200);
        sandbox.settle();
        sandbox.client().apps().deployments().inNamespace(Names.namespace(slug)).withName("web").scale(1);
        await().atMost(WAIT).untilAsserted(() -> {
            json().get(Api.apps(slug)).then().statusCode(200).body("items[0].status[0].state", equalTo("Running"));
            json().get(Api.app(slug, "web")).then().body("status[0].state", equalTo("Running"))
                    .body("status[0].desired", equalTo(1));
        });
    }
}
