package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Berth "killed" at each point of a blue/green rollout: the rollout engine and the region's reconcile worker are
 * stopped (nothing in memory survives that matters: state is in PostgreSQL), things happen meanwhile, then both
 * start again. The end state must be clean: one colour live behind the Service and fully ready, the rollout and
 * release finished consistently, and no object left that is not desired.
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

    private void kill() {
        engine.stop();
        workers.stop(Sandbox.REGION);
    }

    private void restart() {
        workers.start(sandbox.cluster());
        engine.start();
    }

    @AfterEach
    void running() {
        restart();
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
        assertThat(sandbox.resyncWrites()).as("nothing left to converge").isZero();
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
}
