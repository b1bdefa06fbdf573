package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static dev.berth.testsupport.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.berth.apps.App;
import dev.berth.placement.AppRegion;
import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas per region: each region's Deployment runs its own count, the counts are validated and quota-checked per
 * region and in total, and scaling the app changes only the regions without a count of their own.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionReplicasTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MockRegions regions = new MockRegions();

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    private static Integer replicas(MockRegion r, String slug) {
        Deployment d = ReplicationTest.deployment(r, slug, "web");
        return d == null ? null : d.getSpec().getReplicas();
    }

    private static void awaitReplicas(MockRegion r, String slug, int n) {
        await().atMost(WAIT).until(() -> Integer.valueOf(n).equals(replicas(r, slug)));
    }

    private static Map<String, Object> placement(Map<String, Object> regionReplicas) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("primary", "rr-eu");
        body.put("replicas", List.of("rr-us", "rr-ap"));
        body.put("allRegions", false);
        body.put("regionReplicas", regionReplicas);
        return body;
    }

    @Test
    void eachRegionRunsItsOwnCountAndScalingKeepsThem() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion eu = regions.register("rr-eu", 50.1, 8.7, slug);
        MockRegion us = regions.register("rr-us", 40.7, -74.0, slug);
        MockRegion ap = regions.register("rr-ap", 35.7, 139.7, slug);
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        Api.createApp(slug, app);
        json().body(placement(Map.of("rr-eu", 3, "rr-us", 1))).put(Api.app(slug, "web") + "/placement").then()
                .log().ifValidationFails().statusCode(200)
                .body("regionReplicas", equalTo(Map.of("rr-eu", 3, "rr-us", 1)))
                .body("regions.find { it.region == 'rr-eu' }.replicas", equalTo(3))
                .body("regions.find { it.region == 'rr-us' }.replicas", equalTo(1))
                .body("regions.find { it.region == 'rr-ap' }.replicas", equalTo(2));
        awaitReplicas(eu, slug, 3);
        awaitReplicas(us, slug, 1);
        awaitReplicas(ap, slug, 2);

        // 20 replicas in every region would be 60 pods (limit 40); with the two counts it is 3 + 1 + 20.
        json().body(Map.of("replicas", 20)).patch(Api.app(slug, "web")).then().log().ifValidationFails()
                .statusCode(200);
        awaitReplicas(ap, slug, 20);
        awaitReplicas(eu, slug, 3);
        awaitReplicas(us, slug, 1);
        json().get(Api.app(slug, "web") + "/placement").then().statusCode(200)
                .body("regionReplicas", equalTo(Map.of("rr-eu", 3, "rr-us", 1)))
                .body("regions.find { it.region == 'rr-ap' }.replicas", equalTo(20));
        json().get("/api/v1/tenants/" + slug + "/audit?app=web&action=app.placement").then().statusCode(200)
                .body("[0].changes.'regionReplicas.rr-eu'", equalTo("app's -> 3"));

        // Without "regionReplicas" the counts stay; an empty map gives every region the app's replicas again.
        json().body(Map.of("pauseBetweenWaves", false)).put(Api.app(slug, "web") + "/placement").then()
                .statusCode(200).body("regionReplicas", equalTo(Map.of("rr-eu", 3, "rr-us", 1)));
        json().body(Map.of("regionReplicas", Map.of(), "replicas", List.of("rr-us"))).put(Api.app(slug, "web")
                + "/placement").then().statusCode(200).body("regionReplicas", equalTo(Map.of()));
        awaitReplicas(us, slug, 20);
        awaitReplicas(eu, slug, 20);
        await().atMost(WAIT).until(() -> replicas(ap, slug) == null);
    }

    @Test
    void countsAreValidatedAndQuotaCheckedNamingTheRegion() throws Exception {
        String slug = ReplicationTest.tenant(40);
        regions.register("rr-eu", 1, 1, slug);
        regions.register("rr-us", 2, 2, slug);
        regions.register("rr-ap", 3, 3, slug);
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 4);
        Api.createApp(slug, app);
        String path = Api.app(slug, "web") + "/placement";
        json().body(placement(Map.of())).put(path).then().statusCode(200);

        assertProblem(json().body(placement(Map.of("nowhere", 1))).put(path), 400, "regionReplicas.nowhere")
                .body("detail", containsString("not a region of the placement"));
        assertProblem(json().body(placement(Map.of("local", 1))).put(path), 400, "regionReplicas.local");
        assertProblem(json().body(placement(Map.of("rr-eu", -1))).put(path), 400, "regionReplicas.rr-eu");
        assertProblem(json().body(placement(Map.of("rr-us", 101))).put(path), 400, "regionReplicas.rr-us");
        // The plan allows 20 replicas per app, in one region too.
        assertProblem(json().body(placement(Map.of("rr-ap", 21))).put(path), 422, "regionReplicas.rr-ap")
                .body("limit", equalTo("replicasPerApp")).body("detail", containsString("rr-ap"));
        // 20 + 20 + 4 = 44 pods > 40 in total.
        assertProblem(json().body(placement(Map.of("rr-eu", 20, "rr-us", 20))).put(path), 422,
                "regionReplicas.rr-eu").body("limit", equalTo("pods")).body("detail", containsString("rr-eu"));
        json().get(path).then().statusCode(200).body("regionReplicas", equalTo(Map.of()))
                .body("regions.find { it.region == 'rr-eu' }.replicas", equalTo(4));
        // Shrinking one region makes room in the total for another.
        json().body(placement(Map.of("rr-eu", 0, "rr-us", 20))).put(path).then().log().ifValidationFails()
                .statusCode(200).body("regions.find { it.region == 'rr-eu' }.replicas", equalTo(0));
    }

    /**
     * A region's count set while the rollout engine opens that region's wave is kept, and so is the opened wave:
     * the engine's write of the region's row (read before the count was stored, committed after) used to put the
     * count back as it was, and the placement's write in the other order pinned the region again.
     */
    @Test
    void aRegionCountSetWhileTheRolloutEngineUnpinsTheRegionIsKept() throws Exception {
        String slug = ReplicationTest.tenant(40);
        regions.register("rr-eu", 1, 1, slug);
        regions.register("rr-us", 2, 2, slug);
        Api.createApp(slug, Api.app("web"));
        json().body(Map.of("primary", "rr-eu", "replicas", List.of("rr-us"), "allRegions", false))
                .put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        AppRegion.Key key = QuarkusTransaction.requiringNew().call(() -> {
            AppRegion.Key k = new AppRegion.Key();
            k.appId = App.findByName(Tenant.findBySlug(slug).id, "web").id;
            k.regionId = Region.findByName("rr-us").id;
            // rr-us waits for its wave, running release #1.
            AppRegion.update("pinnedRelease = 1 where appId = ?1 and regionId = ?2", k.appId, k.regionId);
            return k;
        });
        CountDownLatch loaded = new CountDownLatch(1);
        CountDownLatch placed = new CountDownLatch(1);
        // The engine's step reads the region's row before the placement change commits and writes after it.
        CompletableFuture<Void> engine = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            AppRegion row = AppRegion.findById(key);
            loaded.countDown();
            try {
                placed.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            row.pinnedRelease = null;
        }));
        loaded.await();
        json().body(Map.of("regionReplicas", Map.of("rr-us", 3))).put(Api.app(slug, "web") + "/placement").then()
                .statusCode(200);
        placed.countDown();
        engine.get(30, TimeUnit.SECONDS);
        json().get(Api.app(slug, "web") + "/placement").then().statusCode(200)
                .body("regions.find { it.region == 'rr-us' }.replicas", equalTo(3))
                .body("regions.find { it.region == 'rr-us' }.pinnedRelease", nullValue());
    }

    private static Integer replicas(MockRegion r, String slug, String deployment) {
        Deployment d = r.client().apps().deployments().inNamespace("berth-" + slug).withName(deployment).get();
        return d == null ? null : d.getSpec().getReplicas();
    }

    @Test
    void aBlueGreenReleaseSwitchesARegionOnceItsOwnCountIsReady() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion eu = regions.register("rr-eu", 1, 1, slug);
        MockRegion us = regions.register("rr-us", 2, 2, slug);
        regions.register("rr-ap", 3, 3, slug);
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        Api.createApp(slug, app);
        json().body(placement(Map.of("rr-eu", 3, "rr-us", 1))).put(Api.app(slug, "web") + "/placement").then()
                .statusCode(200);
        WaveRolloutTest.awaitState(slug, "succeeded");
        json().body(Map.of("strategy", "blue-green", "autoPromote", true, "holdSeconds", 60,
                "progressDeadlineSeconds", 30)).put(Api.app(slug, "web") + "/deploy-settings").then()
                .log().ifValidationFails().statusCode(200);
        WaveRolloutTest.awaitState(slug, "succeeded");
        await().atMost(WAIT).until(() -> Integer.valueOf(3).equals(replicas(eu, slug, "web-blue"))
                && Integer.valueOf(1).equals(replicas(us, slug, "web-blue")));

        json().body(Map.of("image", "registry.example.com/team/web:2.0")).patch(Api.app(slug, "web")).then()
                .statusCode(200);
        // Each region's green runs its own count; the switch waits for exactly that many ready pods there.
        WaveRolloutTest.awaitState(slug, "holding");
        assertThat(replicas(eu, slug, "web-green")).isEqualTo(3);
        assertThat(replicas(us, slug, "web-green")).isEqualTo(1);
        json().get(Api.app(slug, "web") + "/releases/rollout").then().statusCode(200)
                .body("state", equalTo("holding"));
    }
}
