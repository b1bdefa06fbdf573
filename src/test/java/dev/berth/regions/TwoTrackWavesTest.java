package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.kube.Names;
import dev.berth.kube.WriteCounter;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.releases.RolloutEngine;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blue/green and canary releases in waves across independent API servers: the idle colour starts and the Service
 * switches region by region (one write each), a wave whose idle colour never becomes ready fails the rollout
 * while the regions switched before stay switched, one rollback returns every region, switch back reaches every
 * region that switched, and a canary goes wave by wave on promote.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class TwoTrackWavesTest {
    static final Duration WAIT = Duration.ofSeconds(40);
    private final MockRegions regions = new MockRegions();
    @Inject
    WriteCounter writes;
    @Inject
    RegionWorkers workers;
    @Inject
    RolloutEngine engine;

    @AfterEach
    void cleanUp() {
        engine.start();
        regions.close();
    }

    static Service service(MockRegion r, String slug) {
        return r.client().services().inNamespace(Names.namespace(slug)).withName("web").get();
    }

    /** The colour the region's Service selects. */
    static String selected(MockRegion r, String slug) {
        Service s = service(r, slug);
        return s == null ? null : s.getSpec().getSelector().get("berth.dev/color");
    }

    static Deployment deployment(MockRegion r, String slug, String name) {
        return r.client().apps().deployments().inNamespace(Names.namespace(slug)).withName(name).get();
    }

    static String image(MockRegion r, String slug, String name) {
        Deployment d = deployment(r, slug, name);
        return d == null ? null : d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    static int ready(MockRegion r, String slug, String name) {
        Deployment d = deployment(r, slug, name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }

    static int replicas(MockRegion r, String slug, String name) {
        Deployment d = deployment(r, slug, name);
        return d == null ? 0 : d.getSpec().getReplicas();
    }

    /** The image the region's Service sends traffic to (the selected colour's). */
    static String serving(MockRegion r, String slug) {
        return image(r, slug, "web-" + selected(r, slug));
    }

    private void settle() {
        regions.all().forEach(r -> workers.awaitIdle(r.name()));
    }

    private Map<String, Long> writeCounts() {
        settle();
        Map<String, Long> m = new HashMap<>();
        regions.all().forEach(r -> m.put(r.name(), writes.total(r.name())));
        return m;
    }

    private Map<String, Long> since(Map<String, Long> before) {
        Map<String, Long> now = writeCounts();
        Map<String, Long> d = new LinkedHashMap<>();
        regions.all().forEach(r -> d.put(r.name(), now.get(r.name()) - before.get(r.name())));
        return d;
    }

    /** An app (2 replicas) in the given regions, the first primary, with the strategy settings; release 1 live. */
    private String app(List<String> names, boolean pause, Map<String, Object> settings) throws Exception {
        String slug = ReplicationTest.tenant(60);
        double at = 1;
        for (String n : names) {
            regions.register(n, at, at++, slug);
        }
        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        Api.createApp(slug, app);
        json().body(Map.of("primary", names.get(0), "replicas", names.subList(1, names.size()), "allRegions", false,
                "pauseBetweenWaves", pause)).put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        WaveRolloutTest.awaitState(slug, "succeeded");
        json().body(settings).put(Api.app(slug, "web") + "/deploy-settings").then().log().ifValidationFails()
                .statusCode(200);
        // The strategy change is a rollout of release 1 onto the new layout's Deployments.
        WaveRolloutTest.awaitState(slug, "succeeded");
        return slug;
    }

    private String blueGreenApp(List<String> names, boolean pause, boolean autoPromote, int hold, int deadline)
            throws Exception {
        String slug = app(names, pause, Map.of("strategy", "blue-green", "autoPromote", autoPromote, "holdSeconds",
                hold, "progressDeadlineSeconds", deadline));
        await().ignoreExceptions().atMost(WAIT).until(() -> regions.all().stream().allMatch(r ->
                "blue".equals(selected(r, slug)) && ready(r, slug, "web-blue") == 2
                        && deployment(r, slug, "web") == null));
        return slug;
    }

    private static void release(String slug, String image) {
        json().body(Map.of("image", image)).post(Api.app(slug, "web") + "/releases").then().log().ifValidationFails()
                .statusCode(202);
    }

    @Test
    void blueGreenSwitchesWaveByWaveWithOneServiceWritePerRegionAndSwitchBackReachesEveryRegion() throws Exception {
        String slug = blueGreenApp(List.of("bw-a", "bw-b", "bw-c"), true, false, 120, 30);
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        MockRegion c = regions.all().get(2);
        release(slug, "registry.example.com/team/web:2.0");

        // Wave 1 (the primary) starts green; waves 2's regions are not touched.
        WaveRolloutTest.awaitState(slug, "awaiting-promote");
        await().ignoreExceptions().atMost(WAIT).until(() -> ready(a, slug, "web-green") == 2);
        assertThat(selected(a, slug)).isEqualTo("blue");
        for (MockRegion later : List.of(b, c)) {
            assertThat(replicas(later, slug, "web-green")).as("later waves start nothing").isZero();
            assertThat(image(later, slug, "web-green")).isNotEqualTo("registry.example.com/team/web:2.0");
        }
        json().get(Api.app(slug, "web") + "/releases/rollout").then().body("wave", equalTo(1))
                .body("pinnedRegions.bw-b", equalTo(1)).body("pinnedRegions.bw-c", equalTo(1));

        Map<String, Long> before = writeCounts();
        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        WaveRolloutTest.awaitState(slug, "wave-paused");
        await().atMost(WAIT).until(() -> "green".equals(selected(a, slug)));
        assertThat(since(before)).as("the switch of wave 1 is one write, in its region only")
                .isEqualTo(Map.of("bw-a", 1L, "bw-b", 0L, "bw-c", 0L));
        assertThat(selected(b, slug)).isEqualTo("blue");
        assertThat(selected(c, slug)).isEqualTo("blue");
        assertThat(replicas(a, slug, "web-blue")).as("blue held in the switched region").isEqualTo(2);

        // Promote starts wave 2; its regions switch once their green is ready and promoted.
        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        WaveRolloutTest.awaitState(slug, "awaiting-promote");
        await().ignoreExceptions().atMost(WAIT).until(() -> ready(b, slug, "web-green") == 2
                && ready(c, slug, "web-green") == 2);
        assertThat(selected(b, slug)).isEqualTo("blue");
        before = writeCounts();
        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        WaveRolloutTest.awaitState(slug, "holding");
        await().atMost(WAIT).until(() -> "green".equals(selected(b, slug)) && "green".equals(selected(c, slug)));
        assertThat(since(before)).isEqualTo(Map.of("bw-a", 0L, "bw-b", 1L, "bw-c", 1L));
        json().get(Api.app(slug, "web") + "/releases/2").then().body("status", equalTo("live"));

        // Switch back: every region that switched returns to blue, one Service write each.
        engine.stop();
        before = writeCounts();
        json().post(Api.app(slug, "web") + "/releases/switch-back").then().statusCode(202);
        await().atMost(WAIT).until(() -> regions.all().stream().allMatch(r -> "blue".equals(selected(r, slug))));
        assertThat(since(before)).isEqualTo(Map.of("bw-a", 1L, "bw-b", 1L, "bw-c", 1L));
        engine.start();
        WaveRolloutTest.awaitState(slug, "switched-back");
        await().ignoreExceptions().atMost(WAIT).until(() -> regions.all().stream()
                .allMatch(r -> replicas(r, slug, "web-green") == 0));
        for (MockRegion r : regions.all()) {
            assertThat(serving(r, slug)).isEqualTo("registry.example.com/team/web:1.0");
        }
        json().get(Api.app(slug, "web") + "/releases/1").then().body("status", equalTo("live"));
    }

    @Test
    void aWaveWhoseIdleColourNeverBecomesReadyFailsWhileEarlierWavesStaySwitchedAndOneRollbackReturnsAll()
            throws Exception {
        String slug = blueGreenApp(List.of("bf-a", "bf-b", "bf-c"), false, true, 0, 4);
        json().body(Map.of("waves", List.of(List.of("bf-a"), List.of("bf-b"), List.of("bf-c"))))
                .put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        MockRegion c = regions.all().get(2);
        // Region bf-b's nodes stop starting pods: its green never becomes ready.
        b.kubelet().close();
        release(slug, "registry.example.com/team/web:2.0");

        WaveRolloutTest.awaitState(slug, "failed");
        json().get(Api.app(slug, "web") + "/releases/rollout").then()
                .body("reason", containsString("wave 2 of 3 [bf-b]"))
                .body("reason", containsString("bf-b: 0/2 ready"))
                .body("reason", containsString("later waves were not started"));
        json().get(Api.app(slug, "web") + "/releases/2").then().body("status", equalTo("failed"));
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(selected(a, slug)).as("wave 1 stays switched, like rolling waves").isEqualTo("green");
            assertThat(serving(a, slug)).isEqualTo("registry.example.com/team/web:2.0");
            assertThat(replicas(a, slug, "web-blue")).as("its held colour scales down").isZero();
            assertThat(selected(b, slug)).as("the failing region keeps serving blue").isEqualTo("blue");
            assertThat(replicas(b, slug, "web-green")).isZero();
            assertThat(selected(c, slug)).isEqualTo("blue");
            assertThat(image(c, slug, "web-green")).as("the last wave is never touched")
                    .isNotEqualTo("registry.example.com/team/web:2.0");
        });
        // The page says which region runs what.
        var page = RegionRolloutPageTest.page("/t/" + slug + "/apps/web");
        assertThat(RegionRolloutPageTest.region(page, "bf-a", "data-release")).isEqualTo("2");
        assertThat(RegionRolloutPageTest.region(page, "bf-a", "data-live-color")).isEqualTo("green");
        assertThat(RegionRolloutPageTest.region(page, "bf-b", "data-release")).isEqualTo("1");
        assertThat(RegionRolloutPageTest.region(page, "bf-b", "data-live-color")).isEqualTo("blue");
        assertThat(RegionRolloutPageTest.region(page, "bf-c", "data-pinned")).isEqualTo("true");
        assertThat(RegionRolloutPageTest.wave(page, 2, "data-wave-status")).isEqualTo("failed");
        assertThat(RegionRolloutPageTest.wave(page, 3, "data-wave-status")).isEqualTo("not reached");
        // The regions differ now: a strategy change is refused until they run one release again.
        json().body(Map.of("strategy", "rolling")).put(Api.app(slug, "web") + "/deploy-settings").then()
                .statusCode(409).body("field", equalTo("strategy"));

        // Nodes back; one rollback returns every region to release 1's image at once (no waves).
        try (var kubelet = new SimulatedKubelet(b.client(), Duration.ofMillis(100))) {
            json().post(Api.app(slug, "web") + "/releases/1/rollback").then().statusCode(202);
            WaveRolloutTest.awaitState(slug, "succeeded");
            await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
                for (MockRegion r : regions.all()) {
                    assertThat(serving(r, slug)).as(r.name()).isEqualTo("registry.example.com/team/web:1.0");
                    assertThat(ready(r, slug, "web-" + selected(r, slug))).isEqualTo(2);
                }
            });
            json().get(Api.app(slug, "web") + "/releases/rollout").then().body("waves.size()", equalTo(1));
        }
    }

    @Test
    void aCanaryGoesWaveByWaveOnPromote() throws Exception {
        String slug = app(List.of("cw-a", "cw-b"), false, Map.of("strategy", "canary", "canaryWeight", 50));
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        await().ignoreExceptions().atMost(WAIT).until(() -> regions.all().stream()
                .allMatch(r -> ready(r, slug, "web-stable") == 2));
        release(slug, "registry.example.com/team/web:2.0");

        WaveRolloutTest.awaitState(slug, "canary");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(image(a, slug, "web-canary")).isEqualTo("registry.example.com/team/web:2.0");
            assertThat(replicas(a, slug, "web-canary")).isEqualTo(1);
            assertThat(canaryWeight(a, slug)).isEqualTo("50");
            assertThat(image(a, slug, "web-stable")).endsWith("web:1.0");
        });
        assertThat(deployment(b, slug, "web-canary")).as("the canary runs in wave 1 only").isNull();
        assertThat(image(b, slug, "web-stable")).endsWith("web:1.0");
        var page = RegionRolloutPageTest.page("/t/" + slug + "/apps/web");
        assertThat(RegionRolloutPageTest.region(page, "cw-a", "data-canary-weight")).isEqualTo("50");
        assertThat(RegionRolloutPageTest.region(page, "cw-b", "data-canary-weight")).isEmpty();

        // Promote: wave 1's stable takes the release, wave 2 gets the canary.
        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        WaveRolloutTest.awaitState(slug, "canary");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(a, slug, "web-canary")).isNull();
            assertThat(image(a, slug, "web-stable")).isEqualTo("registry.example.com/team/web:2.0");
            assertThat(image(b, slug, "web-canary")).isEqualTo("registry.example.com/team/web:2.0");
            assertThat(canaryWeight(b, slug)).isEqualTo("50");
            assertThat(image(b, slug, "web-stable")).endsWith("web:1.0");
        });
        json().get(Api.app(slug, "web") + "/releases/rollout").then().body("wave", equalTo(2));

        json().post(Api.app(slug, "web") + "/releases/promote").then().statusCode(202);
        WaveRolloutTest.awaitState(slug, "succeeded");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            for (MockRegion r : regions.all()) {
                assertThat(deployment(r, slug, "web-canary")).isNull();
                assertThat(image(r, slug, "web-stable")).isEqualTo("registry.example.com/team/web:2.0");
                assertThat(replicas(r, slug, "web-stable")).isEqualTo(2);
            }
        });
        json().get(Api.app(slug, "web") + "/releases/2").then().body("status", equalTo("live"));
    }

    static String canaryWeight(MockRegion r, String slug) {
        Ingress i = r.client().network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web-canary")
                .get();
        return i == null ? null : i.getMetadata().getAnnotations().get("nginx.ingress.kubernetes.io/canary-weight");
    }
}
