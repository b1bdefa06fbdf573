package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Apps replicated across several regions, each an independent CRUD API server with its own simulated kubelet. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class ReplicationTest {
    private final MockRegions regions = new MockRegions();

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    /** A tenant allowed in many regions (pods and CPU as given), in the sandbox region to start with. */
    static String tenant(int pods) {
        String slug = Api.uniqueSlug("rep");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slug", slug);
        body.put("owners", List.of("admin"));
        body.put("plan", "business");
        body.put("overrides", Map.of("regions", 10, "pods", pods));
        json().body(body).post("/api/v1/tenants").then().statusCode(201);
        return slug;
    }

    static Deployment deployment(MockRegion r, String tenant, String app) {
        return r.client().apps().deployments().inNamespace(Names.namespace(tenant)).withName(app).get();
    }

    @Test
    void anAppIsReplicatedToEveryRegionOfItsPlacementAndLeavesARegionRemovedFromIt() throws Exception {
        String slug = tenant(40);
        MockRegion a = regions.register("rp-a", 52.52, 13.40, slug);
        MockRegion b = regions.register("rp-b", 40.71, -74.0, slug);
        MockRegion c = regions.register("rp-c", 35.68, 139.69, slug);
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        Api.createApp(slug, app);

        for (MockRegion r : List.of(a, b, c)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> deployment(r, slug, "web") != null && r.client().network()
                    .v1().ingresses().inNamespace(Names.namespace(slug)).withName("web").get() != null);
            Deployment d = deployment(r, slug, "web");
            assertThat(d.getSpec().getReplicas()).isEqualTo(2);
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .isEqualTo("registry.example.com/team/web:1.0");
            Ingress ing = r.client().network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web").get();
            assertThat(ing.getSpec().getRules().get(0).getHost()).isEqualTo("web." + slug + "." + r.name() + ".apps.test");
            assertThat(r.client().services().inNamespace(Names.namespace(slug)).withName("web").get()).isNotNull();
        }
        json().get(Api.app(slug, "web") + "/placement").then().statusCode(200).body("allRegions", equalTo(true))
                .body("regions.region", contains("local", "rp-a", "rp-b", "rp-c"));

        json().body(Map.of("primary", "rp-a", "replicas", List.of("rp-b"), "allRegions", false))
                .put(Api.app(slug, "web") + "/placement").then().log().ifValidationFails().statusCode(200)
                .body("primary", equalTo("rp-a")).body("replicas", contains("rp-b"))
                .body("waves", equalTo(List.of(List.of("rp-a"), List.of("rp-b"))));
        // The region's reconciler deletes the app's objects one after the other: wait for all of them.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(deployment(c, slug, "web")).isNull();
            assertThat(c.client().services().inNamespace(Names.namespace(slug)).withName("web").get()).isNull();
            assertThat(c.client().network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web").get())
                    .as("every object of the app leaves the removed region").isNull();
        });
        assertThat(deployment(a, slug, "web")).isNotNull();
        assertThat(deployment(b, slug, "web")).isNotNull();
        // The app's status and URLs, in the list and on its own, name only the regions it is placed in.
        json().get(Api.apps(slug)).then().statusCode(200)
                .body("items[0].status.region", contains("rp-a", "rp-b"))
                .body("items[0].urls", contains("http://web." + slug + ".rp-a.apps.test/",
                        "http://web." + slug + ".rp-b.apps.test/"));
        json().get(Api.app(slug, "web")).then().statusCode(200).body("status.region", contains("rp-a", "rp-b"));
    }

    @Test
    void placementIsCheckedAgainstTheTenantTotalAndTheRegionsItMayUse() throws Exception {
        String slug = tenant(5);
        regions.register("rq-a", 1, 1, slug);
        regions.register("rq-b", 2, 2, slug);
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        // 2 replicas in local + rq-a + rq-b = 6 pods > 5: placing a new app everywhere is refused.
        json().body(app).post(Api.apps(slug)).then().statusCode(422).body("limit", equalTo("pods"));
        json().body(Map.of("primary", "local", "replicas", List.of(), "allRegions", false))
                .put(Api.app(slug, "web") + "/placement").then().statusCode(404);

        app.put("replicas", 1);
        Api.createApp(slug, app);
        json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(422)
                .body("limit", equalTo("pods"));
        json().body(Map.of("primary", "rq-a", "replicas", List.of(), "allRegions", false))
                .put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(200);
        Map<String, Object> wider = Map.of("replicas", List.of("rq-b", "local"));
        assertProblem(json().body(wider).put(Api.app(slug, "web") + "/placement"), 422, "placement");
        assertProblem(json().body(Map.of("primary", "nowhere")).put(Api.app(slug, "web") + "/placement"), 400,
                "primary");
        assertProblem(json().body(Map.of("waves", List.of(List.of("rq-b")))).put(Api.app(slug, "web") + "/placement"),
                400, "waves[0]");
    }
}
