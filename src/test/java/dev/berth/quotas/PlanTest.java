package dev.berth.quotas;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.berth.reconcile.RegionConnections;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.tenancy.TenantManifests;
import dev.berth.tenancy.TenantRegion;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plans through the API, and a plan change reaching every tenant on it in every region. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class PlanTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** A second simulated cluster; sorts after the sandbox region "local". */
    private static final String EAST = "zz-east";
    @Inject
    Sandbox sandbox;
    @Inject
    RegionConnections connections;
    @Inject
    RegionClients clients;
    @Inject
    RegionWorkers workers;

    static Map<String, Object> plan(String name, String cpuRequest, String cpuLimit, int pods) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("displayName", "Plan " + name);
        p.put("cpuRequest", cpuRequest);
        p.put("cpuLimit", cpuLimit);
        p.put("memoryRequest", "2Gi");
        p.put("memoryLimit", "4Gi");
        p.put("pods", pods);
        p.put("apps", 5);
        p.put("replicasPerApp", 3);
        p.put("concurrentBuilds", 1);
        p.put("buildMinutesPerMonth", 60);
        p.put("regions", 2);
        p.put("customDomains", 1);
        return p;
    }

    @AfterEach
    void removeEast() {
        connections.disconnect(EAST);
        QuarkusTransaction.requiringNew().run(() -> {
            Region r = Region.findByName(EAST);
            if (r != null) {
                TenantRegion.delete("regionId", r.id);
                r.delete();
            }
        });
    }

    @Test
    void seededPlansExistAndAdminsManagePlans() {
        json().get("/api/v1/plans").then().statusCode(200).body("name", hasItems("free", "team", "business"));
        String name = Api.uniqueSlug("gold");
        json().body(plan(name, "2", "4", 10)).post("/api/v1/plans").then().statusCode(201)
                .body("cpuRequest", equalTo("2")).body("cpuLimit", equalTo("4")).body("tenants", equalTo(0));
        assertProblem(json().body(plan(name, "2", "4", 10)).post("/api/v1/plans"), 409, "name");
        assertProblem(json().body(plan(Api.uniqueSlug("bad"), "4", "2", 10)).post("/api/v1/plans"), 400,
                "cpuRequest").body("detail", containsString("CPU limit cap"));
        Map<String, Object> partial = new LinkedHashMap<>(plan(Api.uniqueSlug("part"), "1", "1", 1));
        partial.remove("pods");
        assertProblem(json().body(partial).post("/api/v1/plans"), 400, "pods");

        String slug = Api.uniqueSlug("onplan");
        json().body(Map.of("slug", slug, "plan", name)).post("/api/v1/tenants").then().statusCode(201)
                .body("plan", equalTo(name)).body("limits.cpuLimit", equalTo("4")).body("limits.pods", equalTo(10));
        assertProblem(json().delete("/api/v1/plans/" + name), 409, "name");
        assertProblem(json().body(Map.of("slug", Api.uniqueSlug("x"), "plan", "nope")).post("/api/v1/tenants"), 400,
                "plan");
        json().body(Map.of("plan", "team")).put("/api/v1/tenants/" + slug).then().statusCode(200)
                .body("plan", equalTo("team"));
        json().delete("/api/v1/plans/" + name).then().statusCode(204);
        json().get("/api/v1/plans/" + name).then().statusCode(404);
    }

    @Test
    @TestSecurity(user = "alice")
    void onlyPlatformAdminsChangePlans() {
        json().get("/api/v1/plans").then().statusCode(200);
        json().body(plan("sneaky", "1", "1", 1)).post("/api/v1/plans").then().statusCode(403);
        json().body(Map.of("pods", 1000)).put("/api/v1/plans/free").then().statusCode(403);
        json().delete("/api/v1/plans/free").then().statusCode(403);
    }

    @Test
    void overridesWinOverThePlanAndLegacyFieldsAreOverrides() {
        String name = Api.uniqueSlug("ovr");
        json().body(plan(name, "2", "4", 10)).post("/api/v1/plans").then().statusCode(201);
        String slug = Api.uniqueSlug("ovr");
        json().body(Map.of("slug", slug, "plan", name, "pods", 12, "overrides", Map.of("cpuLimit", "6")))
                .post("/api/v1/tenants").then().statusCode(201).body("limits.pods", equalTo(12))
                .body("limits.cpuLimit", equalTo("6")).body("limits.cpuRequest", equalTo("2"))
                .body("overrides.pods", equalTo(12)).body("overrides.cpuLimit", equalTo("6"));
        // Legacy cpu caps both requests and limits.
        json().body(Map.of("cpu", "3")).put("/api/v1/tenants/" + slug).then().statusCode(200)
                .body("limits.cpu", equalTo("3")).body("limits.cpuLimit", equalTo("3")).body("limits.pods", equalTo(12));
        // An explicit overrides object replaces them all: back to the plan.
        json().body(Map.of("overrides", Map.of())).put("/api/v1/tenants/" + slug).then().statusCode(200)
                .body("limits.cpuLimit", equalTo("4")).body("limits.pods", equalTo(10))
                .body("overrides.size()", equalTo(0));
        assertProblem(json().body(Map.of("overrides", Map.of("cpuRequest", "8"))).put("/api/v1/tenants/" + slug), 400,
                "overrides.cpuRequest");
        assertProblem(json().body(Map.of("overrides", Map.of("pods", 0))).put("/api/v1/tenants/" + slug), 400,
                "overrides.pods");
    }

    @Test
    void changingAPlanRewritesTheQuotaAndLimitRangeOfEveryTenantOnItInEveryRegion() {
        registerEast();
        String name = Api.uniqueSlug("prop");
        json().body(plan(name, "2", "4", 10)).post("/api/v1/plans").then().statusCode(201);
        String a = Api.uniqueSlug("prop-a");
        String b = Api.uniqueSlug("prop-b");
        String other = Api.uniqueSlug("prop-c");
        for (String s : List.of(a, b)) {
            json().body(Map.of("slug", s, "plan", name)).post("/api/v1/tenants").then().statusCode(201)
                    .body("regions", equalTo(List.of(Sandbox.REGION, EAST)));
        }
        json().body(Map.of("slug", other, "plan", "team")).post("/api/v1/tenants").then().statusCode(201);
        List<KubernetesClient> regions = List.of(sandbox.client(), clients.get(EAST).orElseThrow().client());
        await().atMost(WAIT).untilAsserted(() -> {
            for (KubernetesClient c : regions) {
                for (String s : List.of(a, b)) {
                    assertThat(hard(c, s).get("limits.cpu")).isEqualTo(new Quantity("4"));
                }
            }
        });

        json().body(Map.of("cpuRequest", "3", "cpuLimit", "6", "pods", 15)).put("/api/v1/plans/" + name).then()
                .statusCode(200).body("tenants", equalTo(2));

        await().atMost(WAIT).untilAsserted(() -> {
            for (KubernetesClient c : regions) {
                for (String s : List.of(a, b)) {
                    Map<String, Quantity> hard = hard(c, s);
                    assertThat(hard.get("requests.cpu").toString()).as(s).isEqualTo("3");
                    assertThat(hard.get("limits.cpu").toString()).as(s).isEqualTo("6");
                    assertThat(hard.get("pods").toString()).as(s).isEqualTo("15");
                    assertThat(limitRange(c, s).getSpec().getLimits().get(0).getMax().get("cpu").toString())
                            .isEqualTo("6");
                }
            }
        });
        assertThat(hard(sandbox.client(), other).get("limits.cpu").toString()).isEqualTo("8");
        json().get("/api/v1/tenants/" + a).then().body("limits.cpuLimit", equalTo("6"));
    }

    @Test
    void limitRangeEditedInTheClusterIsSetBackByTheReconciler() {
        String slug = Api.createTenant("lrdrift");
        await().atMost(WAIT).until(() -> limitRange(sandbox.client(), slug) != null);
        sandbox.settle();
        sandbox.client().limitRanges().inNamespace("berth-" + slug).withName(TenantManifests.LIMITS)
                .edit(l -> {
                    l.getSpec().getLimits().get(0).getMax().put("cpu", new Quantity("64"));
                    return l;
                });
        await().atMost(WAIT).untilAsserted(() -> {
            workers.resyncNow(Sandbox.REGION);
            assertThat(limitRange(sandbox.client(), slug).getSpec().getLimits().get(0).getMax().get("cpu")
                    .toString()).isEqualTo("4");
        });
    }

    private static Map<String, Quantity> hard(KubernetesClient c, String slug) {
        ResourceQuota q = c.resourceQuotas().inNamespace("berth-" + slug).withName(TenantManifests.QUOTA).get();
        assertThat(q).as("quota of " + slug).isNotNull();
        return q.getSpec().getHard();
    }

    private static LimitRange limitRange(KubernetesClient c, String slug) {
        return c.limitRanges().inNamespace("berth-" + slug).withName(TenantManifests.LIMITS).get();
    }

    private void registerEast() {
        Region r = new Region();
        r.name = EAST;
        r.displayName = "East (simulated)";
        r.baseDomain = "apps.east.test";
        r.ingressClass = "nginx";
        r.ingressNamespace = "ingress-nginx";
        r.connectionKind = Region.ConnectionKind.SANDBOX;
        r.simulated = true;
        connections.register(r);
    }
}
