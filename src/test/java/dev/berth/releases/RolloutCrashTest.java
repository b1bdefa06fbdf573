package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.regions.RegionClients;
import dev.berth.regions.SimulatedKubelet;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Berth "killed" at each point of a blue/green rollout: the rollout engine and the region's reconcile worker are
 * stopped (nothing in memory survives that matters: state is in PostgreSQL), things happen meanwhile, then both
 * start again. The end state must be clean: one colour live behind the Service and fully ready, the rollout and
 * release finished consistently, and no object left that is not desired. The same holds for a blue/green release
 * in waves across several regions, killed in each state of its waves.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RolloutCrashTest {
    @Inject
    Sandbox sandbox;
    @Inject
    RolloutEngine engine;
    @Inject
    RegionWorkers workers;
    @Inject
    RegionClients clients;
    private final MockRegions regions = new MockRegions();

    private void kill() {
        engine.stop();
        workers.stop(Sandbox.REGION);
        regions.all().forEach(r -> workers.stop(r.name()));
    }

    private void restart() {
        workers.start(sandbox.cluster());
        regions.all().forEach(r -> clients.get(r.name()).ifPresent(workers::start));
        engine.start();
    }

    @AfterEach
    void running() {
        restart();
        regions.close();
    }

    private Deployment deployment(String slug, String name) {
        return sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName(name).get();
    }

    private String liveColour(String slug) {
        Service s = sandbox.client().services().inNamespace("berth-" + slug).withName("web").get();
        return s.getSpec().getSelector().get("berth.dev/color");
    }

    private int ready(String slug, String name) {
        Deployment d = deployment(slug, name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }

    private String blueGreenApp(String prefix, boolean autoPromote, int holdSeconds, int deadline) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        StrategyTest.settings(slug, "web", Map.of("strategy", "blue-green", "autoPromote", autoPromote,
                "holdSeconds", holdSeconds, "progressDeadlineSeconds", deadline));
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> ready(slug, "web-blue") == 2 && deployment(slug, "web") == null);
        return slug;
    }

    /** Exactly one colour live and fully ready, with the expected image; only desired objects exist. */
    private void assertClean(String slug, String colour, String image, int idleReplicas) {
        await().ignoreExceptions().atMost(StrategyTest.WAIT).untilAsserted(() -> {
            assertThat(liveColour(slug)).isEqualTo(colour);
            assertThat(ready(slug, "web-" + colour)).isEqualTo(2);
            assertThat(deployment(slug, "web-" + colour).getSpec().getTemplate().getSpec().getContainers().get(0)
                    .getImage()).isEqualTo(image);
            String idle = colour.equals("blue") ? "green" : "blue";
            assertThat(deployment(slug, "web-" + idle).getSpec().getReplicas()).isEqualTo(idleReplicas);
            List<String> appObjects = sandbox.managedObjects(slug).stream()
                    .filter(o -> o.startsWith("Deployment/") || o.startsWith("Service/") || o.startsWith("Ingress/")
                            || o.startsWith("Secret/"))
                    .toList();
            assertThat(appObjects).containsExactlyInAnyOrder("Deployment/web-blue", "Deployment/web-green",
                    "Service/web", "Ingress/web");
        });
        assertThat(sandbox.resyncWrites(slug)).as("nothing left to converge").isZero();
    }

    @Test
    void killedBeforeTheNewColourWasWritten() {
        String slug = blueGreenApp("crash-a", true, 0, 30);
        kill();
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        assertThat(deployment(slug, "web-green")).isNull();
        restart();
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        assertClean(slug, "green", "registry.example.com/t/web:2", 0);
    }

    @Test
    void killedWhileTheNewColourWasStarting() {
        String slug = blueGreenApp("crash-b", true, 0, 30);
        engine.stop();
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> deployment(slug, "web-green") != null);
        workers.stop(Sandbox.REGION);
        assertThat(liveColour(slug)).isEqualTo("blue");
        restart();
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        assertClean(slug, "green", "registry.example.com/t/web:2", 0);
    }

    @Test
    void killedWhileAwaitingPromoteAndPromotedMeanwhile() {
        String slug = blueGreenApp("crash-c", false, 60, 30);
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        StrategyTest.awaitRollout(slug, "web", "awaiting-promote");
        kill();
        // The API works while the workers are down: the switch is committed, the cluster still shows blue.
        json().post(StrategyTest.releases(slug, "web") + "/promote").then().statusCode(202);
        assertThat(liveColour(slug)).isEqualTo("blue");
        restart();
        StrategyTest.awaitRollout(slug, "web", "holding");
        assertClean(slug, "green", "registry.example.com/t/web:2", 2);
    }

    @Test
    void killedWhileHoldingAndTheHoldEndedMeanwhile() throws InterruptedException {
        String slug = blueGreenApp("crash-d", true, 1, 30);
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        StrategyTest.awaitRollout(slug, "web", "holding");
        kill();
        Thread.sleep(1500);
        assertThat(StrategyTest.rolloutState(slug, "web")).isEqualTo("holding");
        restart();
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        assertClean(slug, "green", "registry.example.com/t/web:2", 0);
    }

    @Test
    void killedWhileANeverReadyColourRanPastItsDeadline() throws InterruptedException {
        String slug = blueGreenApp("crash-e", true, 60, 1);
        StrategyTest.release(slug, "web", "registry.example.com/t/web:never-ready", 202);
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> deployment(slug, "web-green") != null);
        kill();
        Thread.sleep(1500);
        restart();
        StrategyTest.awaitRollout(slug, "web", "failed");
        assertClean(slug, "blue", "registry.example.com/t/web:1", 0);
        assertThat(StrategyTest.releaseStatus(slug, "web", 2)).isEqualTo("failed");
    }

    @Test
    void killedBetweenTheSwitchBackAndTheScaleDown() {
        String slug = blueGreenApp("crash-f", true, 60, 30);
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        StrategyTest.awaitRollout(slug, "web", "holding");
        kill();
        json().post(StrategyTest.releases(slug, "web") + "/switch-back").then().statusCode(202);
        restart();
        StrategyTest.awaitRollout(slug, "web", "switched-back");
        assertClean(slug, "blue", "registry.example.com/t/web:1", 0);
    }

    // ---- blue/green in waves across regions ----------------------------------------------------------------------

    /** A blue/green app (2 replicas, release 1 on blue) in two regions, the first wave cw-a, the second cw-b. */
    private String blueGreenInWaves(String prefix, boolean pause, int deadline) throws Exception {
        String slug = placedInTwoRegions(prefix, pause);
        StrategyTest.settings(slug, "web", Map.of("strategy", "blue-green", "autoPromote", true,
                "holdSeconds", 0, "progressDeadlineSeconds", deadline));
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> regions.all().stream()
                .allMatch(r -> readyIn(r, slug, "web-blue") == 2 && deploymentIn(r, slug, "web") == null));
        return slug;
    }

    /** An app (2 replicas, release 1 live) in two regions, the first wave {@code <prefix>-a}, the second -b. */
    private String placedInTwoRegions(String prefix, boolean pause) throws Exception {
        String slug = Api.uniqueSlug(prefix);
        Map<String, Object> tenant = new LinkedHashMap<>();
        tenant.put("slug", slug);
        tenant.put("owners", List.of("admin"));
        tenant.put("plan", "business");
        tenant.put("overrides", Map.of("regions", 10, "pods", 40));
        json().body(tenant).post("/api/v1/tenants").then().statusCode(201);
        regions.register(prefix + "-a", 1, 1, slug);
        regions.register(prefix + "-b", 2, 2, slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        json().body(Map.of("primary", prefix + "-a", "replicas", List.of(prefix + "-b"), "allRegions", false,
                "pauseBetweenWaves", pause)).put(Api.app(slug, "web") + "/placement").then().statusCode(200);
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        return slug;
    }

    private static Deployment deploymentIn(MockRegion r, String slug, String name) {
        return r.client().apps().deployments().inNamespace(Names.namespace(slug)).withName(name).get();
    }

    private static int readyIn(MockRegion r, String slug, String name) {
        Deployment d = deploymentIn(r, slug, name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }

    private static String colourIn(MockRegion r, String slug) {
        Service s = r.client().services().inNamespace(Names.namespace(slug)).withName("web").get();
        return s.getSpec().getSelector().get("berth.dev/color");
    }

    /** One region: the colour live and ready with the image, the other colour at zero, only desired objects. */
    private void assertCleanIn(MockRegion r, String slug, String colour, String image) {
        await().ignoreExceptions().atMost(StrategyTest.WAIT).untilAsserted(() -> {
            assertThat(colourIn(r, slug)).as(r.name()).isEqualTo(colour);
            assertThat(readyIn(r, slug, "web-" + colour)).isEqualTo(2);
            assertThat(deploymentIn(r, slug, "web-" + colour).getSpec().getTemplate().getSpec().getContainers().get(0)
                    .getImage()).isEqualTo(image);
            String idle = colour.equals("blue") ? "green" : "blue";
            Deployment other = deploymentIn(r, slug, "web-" + idle);
            assertThat(other == null ? 0 : other.getSpec().getReplicas()).isZero();
            String ns = Names.namespace(slug);
            List<String> objects = new java.util.ArrayList<>();
            r.client().apps().deployments().inNamespace(ns).list().getItems()
                    .forEach(d -> objects.add("Deployment/" + d.getMetadata().getName()));
            r.client().services().inNamespace(ns).list().getItems()
                    .forEach(o -> objects.add("Service/" + o.getMetadata().getName()));
            r.client().network().v1().ingresses().inNamespace(ns).list().getItems()
                    .forEach(o -> objects.add("Ingress/" + o.getMetadata().getName()));
            // The idle colour exists where a rollout started it (at zero replicas now), nothing else.
            assertThat(objects).contains("Deployment/web-" + colour, "Service/web", "Ingress/web")
                    .isSubsetOf("Deployment/web-blue", "Deployment/web-green", "Service/web", "Ingress/web");
        });
        assertThat(workers.resyncNow(r.name()).writes()).as("nothing left to converge in " + r.name()).isZero();
    }

    /**
     * A blue/green app in two regions whose second release paused after the first wave (green live in the first
     * region), then Berth killed.
     */
    private String killedPausedAfterTheFirstWave(String prefix) throws Exception {
        String slug = blueGreenInWaves(prefix, true, 30);
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        StrategyTest.awaitRollout(slug, "web", "wave-paused");
        MockRegion a = regions.all().get(0);
        await().atMost(StrategyTest.WAIT).until(() -> "green".equals(colourIn(a, slug)));
        kill();
        return slug;
    }

    @Test
    void killedWhilePausedBetweenWavesAndPromotedMeanwhile() throws Exception {
        String slug = killedPausedAfterTheFirstWave("crw-p");
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        // Committed while nothing runs: wave 2 starts green in cw-b; the clusters do not know yet.
        json().post(StrategyTest.releases(slug, "web") + "/promote").then().statusCode(202);
        assertThat(colourIn(b, slug)).isEqualTo("blue");
        restart();
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        assertCleanIn(a, slug, "green", "registry.example.com/t/web:2");
        assertCleanIn(b, slug, "green", "registry.example.com/t/web:2");
        assertThat(StrategyTest.releaseStatus(slug, "web", 2)).isEqualTo("live");
    }

    @Test
    void killedWhileTheSecondWaveRanPastItsDeadline() throws Exception {
        String slug = blueGreenInWaves("crw-d", false, 3);
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        b.kubelet().close();
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> "green".equals(colourIn(a, slug))
                && deploymentIn(b, slug, "web-green") != null);
        kill();
        Thread.sleep(3500);
        try (SimulatedKubelet kubelet = new SimulatedKubelet(b.client(), Duration.ofMillis(100))) {
            restart();
            StrategyTest.awaitRollout(slug, "web", "failed");
            assertCleanIn(a, slug, "green", "registry.example.com/t/web:2");
            assertCleanIn(b, slug, "blue", "registry.example.com/t/web:1");
            assertThat(StrategyTest.releaseStatus(slug, "web", 2)).isEqualTo("failed");
        }
    }

    @Test
    void killedBetweenASwitchBackDuringTheWavesAndTheScaleDown() throws Exception {
        String slug = killedPausedAfterTheFirstWave("crw-s");
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        json().post(StrategyTest.releases(slug, "web") + "/switch-back").then().statusCode(202);
        restart();
        StrategyTest.awaitRollout(slug, "web", "switched-back");
        assertCleanIn(a, slug, "blue", "registry.example.com/t/web:1");
        assertCleanIn(b, slug, "blue", "registry.example.com/t/web:1");
        assertThat(StrategyTest.releaseStatus(slug, "web", 2)).isEqualTo("rolled-back");
        assertThat(StrategyTest.releaseStatus(slug, "web", 1)).isEqualTo("live");
    }

    @Test
    void killedWhileTheFirstWavesCanaryRanAndPromotedMeanwhile() throws Exception {
        String slug = placedInTwoRegions("crw-c", false);
        StrategyTest.settings(slug, "web", Map.of("strategy", "canary", "canaryWeight", 50));
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> regions.all().stream()
                .allMatch(r -> readyIn(r, slug, "web-stable") == 2 && deploymentIn(r, slug, "web") == null));
        MockRegion a = regions.all().get(0);
        MockRegion b = regions.all().get(1);
        StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
        StrategyTest.awaitRollout(slug, "web", "canary");
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> readyIn(a, slug, "web-canary") == 1);
        kill();
        // Committed while nothing runs: wave 1's stable takes release 2, wave 2 gets the canary.
        json().post(StrategyTest.releases(slug, "web") + "/promote").then().statusCode(202);
        assertThat(deploymentIn(b, slug, "web-canary")).isNull();
        restart();
        StrategyTest.awaitRollout(slug, "web", "canary");
        await().ignoreExceptions().atMost(StrategyTest.WAIT).until(() -> readyIn(b, slug, "web-canary") == 1
                && deploymentIn(a, slug, "web-canary") == null);
        json().post(StrategyTest.releases(slug, "web") + "/promote").then().statusCode(202);
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        for (MockRegion r : regions.all()) {
            await().ignoreExceptions().atMost(StrategyTest.WAIT).untilAsserted(() -> {
                assertThat(readyIn(r, slug, "web-stable")).as(r.name()).isEqualTo(2);
                assertThat(deploymentIn(r, slug, "web-stable").getSpec().getTemplate().getSpec().getContainers()
                        .get(0).getImage()).isEqualTo("registry.example.com/t/web:2");
                String ns = Names.namespace(slug);
                assertThat(deploymentIn(r, slug, "web-canary")).isNull();
                assertThat(r.client().services().inNamespace(ns).withName("web-canary").get()).isNull();
                assertThat(r.client().network().v1().ingresses().inNamespace(ns).withName("web-canary").get())
                        .isNull();
            });
            assertThat(workers.resyncNow(r.name()).writes()).as("nothing left to converge in " + r.name()).isZero();
        }
        assertThat(StrategyTest.releaseStatus(slug, "web", 2)).isEqualTo("live");
    }
}
