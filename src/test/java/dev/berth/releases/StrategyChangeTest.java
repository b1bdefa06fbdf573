package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.Sandbox;
import dev.berth.testsupport.ServiceWatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Changing an app's deploy strategy on a running app, and the canary's traffic share: the app's Service always has
 * a ready pod behind it (watched every 10 ms on the API server while the change runs), the new layout's Deployment
 * is ready before the Service moves to it and the old one goes only after that, and a canary's pods are never
 * behind the main Service, so they get exactly the canary Ingress's weight.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class StrategyChangeTest {
    static final Duration WAIT = StrategyTest.WAIT;
    static final List<String> SERVING = List.of("web", "web-blue", "web-stable");
    @Inject
    Sandbox sandbox;
    @Inject
    RolloutEngine engine;
    @Inject
    RegionWorkers workers;

    @AfterEach
    void running() {
        workers.start(sandbox.cluster());
        engine.start();
    }

    /** The serving Deployment of a strategy (blue is the live colour of these apps). */
    static String serving(String strategy) {
        return switch (strategy) {
            case "blue-green" -> "web-blue";
            case "canary" -> "web-stable";
            default -> "web";
        };
    }

    /** The whole selector of the app's Service under a strategy. */
    static Map<String, String> selector(String slug, String strategy) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("berth.dev/tenant", slug);
        s.put("berth.dev/app", "web");
        switch (strategy) {
            case "blue-green" -> s.put("berth.dev/color", "blue");
            case "canary" -> s.put("berth.dev/track", "stable");
            default -> {
            }
        }
        return s;
    }

    Deployment deployment(String slug, String name) {
        return sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName(name).get();
    }

    int ready(String slug, String name) {
        Deployment d = deployment(slug, name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }

    Service service(String slug, String name) {
        return sandbox.client().services().inNamespace("berth-" + slug).withName(name).get();
    }

    /** Until the app runs {@code strategy}'s layout only: its Deployment ready behind the Service, no other left. */
    void awaitLayout(String slug, String strategy, int replicas) {
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(service(slug, "web").getSpec().getSelector()).isEqualTo(selector(slug, strategy));
            assertThat(ready(slug, serving(strategy))).isEqualTo(replicas);
            for (String other : SERVING) {
                if (!other.equals(serving(strategy))) {
                    assertThat(deployment(slug, other)).as(other).isNull();
                }
            }
            assertThat(RolloutState.of(StrategyTest.rolloutState(slug, "web")).active()).isFalse();
        });
        sandbox.settle();
    }

    /** A new tenant's app of {@code replicas} running {@code strategy}, release 1 live. */
    String app(String prefix, String strategy, int replicas) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", replicas));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        if (!strategy.equals("rolling")) {
            StrategyTest.settings(slug, "web", Map.of("strategy", strategy, "canaryWeight", 25));
        }
        awaitLayout(slug, strategy, replicas);
        return slug;
    }

    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"rolling, blue-green", "blue-green, canary", "canary, rolling", "rolling, canary",
            "canary, blue-green", "blue-green, rolling", "recreate, canary"})
    void theServiceKeepsAReadyPodWhileTheStrategyChanges(String from, String to) {
        String slug = app("chg", from, 2);
        try (ServiceWatch watch = new ServiceWatch(sandbox.client(), "berth-" + slug, "web", Map.of())) {
            StrategyTest.settings(slug, "web", Map.of("strategy", to));
            awaitLayout(slug, to, 2);
            assertThat(watch.gaps()).as("moments without a ready endpoint").isEmpty();
            assertThat(watch.selectors()).as("the watch saw the Service move")
                    .contains(selector(slug, from), selector(slug, to));
        }
        json().get(StrategyTest.releases(slug, "web") + "/rollout").then().statusCode(200)
                .body("state", equalTo("succeeded")).body("fromStrategy", equalTo(from))
                .body("strategy", equalTo(to)).body("release", equalTo(1));
        assertThat(StrategyTest.releaseStatus(slug, "web", 1)).isEqualTo("live");
        assertThat(sandbox.resyncWrites(slug)).as("nothing left to converge").isZero();
    }

    @Test
    void canaryPodsAreNeverBehindTheMainServiceAndAbortKeepsAReadyPod() {
        String slug = app("share", "canary", 4);
        String ns = "berth-" + slug;
        try (ServiceWatch watch = new ServiceWatch(sandbox.client(), ns, "web", Map.of("berth.dev/track", "canary"))) {
            StrategyTest.release(slug, "web", "registry.example.com/t/web:2", 202);
            StrategyTest.awaitRollout(slug, "web", "canary");
            await().ignoreExceptions().atMost(WAIT).until(() -> ready(slug, "web-canary") == 1);
            // What nginx balances: 25 % to the canary's Service, the rest to the main one, which has no canary pod.
            Ingress canary = sandbox.client().network().v1().ingresses().inNamespace(ns).withName("web-canary").get();
            assertThat(canary.getMetadata().getAnnotations())
                    .containsEntry("nginx.ingress.kubernetes.io/canary-weight", "25");
            List<Pod> pods = sandbox.client().pods().inNamespace(ns).list().getItems();
            assertThat(behind(service(slug, "web"), pods)).as("the main Service's pods").hasSize(3)
                    .allMatch(p -> "stable".equals(p.getMetadata().getLabels().get("berth.dev/track")));
            assertThat(behind(service(slug, "web-canary"), pods)).as("the canary Service's pods").hasSize(1)
                    .allMatch(p -> "canary".equals(p.getMetadata().getLabels().get("berth.dev/track")));

            json().post(StrategyTest.releases(slug, "web") + "/abort").then().statusCode(202);
            await().ignoreExceptions().atMost(WAIT).until(() -> deployment(slug, "web-canary") == null);
            sandbox.settle();
            assertThat(watch.excludedSelected()).as("canary pods behind the main Service").isEmpty();
            assertThat(watch.gaps()).as("moments without a ready endpoint").isEmpty();
            assertThat(watch.moments()).isPositive();
        }
        // Promote: the stable track takes the release; its pods are replaced (all at once by the simulated
        // kubelet, by a rolling update on a real cluster), and no canary pod is ever behind the main Service.
        try (ServiceWatch watch = new ServiceWatch(sandbox.client(), ns, "web", Map.of("berth.dev/track", "canary"))) {
            StrategyTest.release(slug, "web", "registry.example.com/t/web:3", 202);
            StrategyTest.awaitRollout(slug, "web", "canary");
            json().post(StrategyTest.releases(slug, "web") + "/promote").then().statusCode(202);
            await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
                assertThat(deployment(slug, "web-canary")).isNull();
                assertThat(ready(slug, "web-stable")).isEqualTo(4);
                assertThat(deployment(slug, "web-stable").getSpec().getTemplate().getSpec().getContainers().get(0)
                        .getImage()).isEqualTo("registry.example.com/t/web:3");
            });
            assertThat(watch.excludedSelected()).as("canary pods behind the main Service").isEmpty();
        }
    }

    private static List<Pod> behind(Service s, List<Pod> pods) {
        Map<String, String> selector = s.getSpec().getSelector();
        return pods.stream().filter(p -> p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
    }

    @Test
    void aChangeAbortedBeforeItsSwitchKeepsThePreviousStrategyAndRefusesReleasesMeanwhile() {
        String slug = app("chgab", "rolling", 2);
        engine.stop();
        StrategyTest.settings(slug, "web", Map.of("strategy", "blue-green"));
        await().ignoreExceptions().atMost(WAIT).until(() -> ready(slug, "web-blue") == 2);
        assertThat(service(slug, "web").getSpec().getSelector()).isEqualTo(selector(slug, "rolling"));
        json().get(StrategyTest.releases(slug, "web") + "/rollout").then().body("state", equalTo("deploying"))
                .body("fromStrategy", equalTo("rolling")).body("tracks.track", org.hamcrest.Matchers.hasItems("blue", "web"));
        Problems.assertProblem(json().body(Map.of("image", "registry.example.com/t/web:2"))
                .post(StrategyTest.releases(slug, "web")), 409, "release")
                .body("detail", containsString("changing from rolling to blue-green"));
        Problems.assertProblem(json().body(Map.of("strategy", "canary"))
                .put(Api.app(slug, "web") + "/deploy-settings"), 409, "strategy");

        json().post(StrategyTest.releases(slug, "web") + "/abort").then().statusCode(202);
        engine.start();
        awaitLayout(slug, "rolling", 2);
        assertThat(deployment(slug, "web-blue")).isNull();
        json().get(Api.app(slug, "web") + "/deploy-settings").then().body("strategy", equalTo("rolling"));
        json().get(StrategyTest.releases(slug, "web") + "/rollout").then().body("state", equalTo("aborted"));
    }

    @Test
    void aNewDeploymentThatNeverBecomesReadyLeavesThePreviousStrategyServing() {
        String slug = app("chgnr", "rolling", 2);
        StrategyTest.settings(slug, "web", Map.of("progressDeadlineSeconds", 2));
        StrategyTest.release(slug, "web", "registry.example.com/t/web:never-ready", 202);
        StrategyTest.awaitRollout(slug, "web", "failed");

        StrategyTest.settings(slug, "web", Map.of("strategy", "canary"));
        StrategyTest.awaitRollout(slug, "web", "failed");
        json().get(StrategyTest.releases(slug, "web") + "/rollout").then().body("fromStrategy", equalTo("rolling"))
                .body("reason", containsString("the strategy stays rolling"))
                .body("reason", containsString("stable did not become ready"));
        json().get(Api.app(slug, "web") + "/deploy-settings").then().body("strategy", equalTo("rolling"));
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(slug, "web-stable")).isNull();
            assertThat(deployment(slug, "web")).isNotNull();
            assertThat(service(slug, "web").getSpec().getSelector()).isEqualTo(selector(slug, "rolling"));
        });
    }

    @Test
    void aChangeNeedsRoomInTheQuotaForTheSecondDeployment() {
        String slug = Api.uniqueSlug("chgq");
        json().body(Map.of("slug", slug, "cpu", "8", "memory", "16Gi", "pods", 3, "apps", 5, "owners",
                List.of("admin"))).post("/api/v1/tenants").then().statusCode(201);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        StrategyTest.awaitRollout(slug, "web", "succeeded");
        Problems.assertProblem(json().body(Map.of("strategy", "blue-green"))
                .put(Api.app(slug, "web") + "/deploy-settings"), 422, "strategy")
                .body("requested", equalTo("2 more pod(s) for the strategy change rollout"));
        json().get(Api.app(slug, "web") + "/deploy-settings").then().body("strategy", equalTo("rolling"));

        json().body(Map.of("pods", 4)).put("/api/v1/tenants/" + slug).then().statusCode(200);
        StrategyTest.settings(slug, "web", Map.of("strategy", "blue-green"));
        awaitLayout(slug, "blue-green", 2);
    }

    /**
     * Killed after the engine moved the Service but before any region wrote it: the engine keeps the old Deployment
     * for as long as the Service has not moved in the cluster, and after the restart the region moves the Service
     * and only then removes the old Deployment.
     */
    @Test
    void killedBetweenTheSwitchAndItsWriteTheOldDeploymentStaysUntilTheServiceHasMoved() {
        String slug = app("chgk", "rolling", 2);
        engine.stop();
        StrategyTest.settings(slug, "web", Map.of("strategy", "canary"));
        await().ignoreExceptions().atMost(WAIT).until(() -> ready(slug, "web-stable") == 2);
        sandbox.settle();
        workers.stop(Sandbox.REGION);
        engine.start();
        StrategyTest.awaitRollout(slug, "web", "switching");
        // Several engine steps later the change still waits: the region has not shown the moved Service.
        await().during(Duration.ofMillis(600)).atMost(WAIT).until(() ->
                "switching".equals(StrategyTest.rolloutState(slug, "web")));
        engine.stop();
        assertThat(service(slug, "web").getSpec().getSelector()).isEqualTo(selector(slug, "rolling"));

        try (ServiceWatch watch = new ServiceWatch(sandbox.client(), "berth-" + slug, "web", Map.of())) {
            workers.start(sandbox.cluster());
            engine.start();
            awaitLayout(slug, "canary", 2);
            assertThat(watch.gaps()).as("moments without a ready endpoint").isEmpty();
            assertThat(watch.selectors()).contains(selector(slug, "rolling"), selector(slug, "canary"));
        }
        assertThat(StrategyTest.rolloutState(slug, "web")).isEqualTo("succeeded");
        assertThat(Set.copyOf(sandbox.managedObjects(slug))).contains("Deployment/web-stable", "Service/web")
                .doesNotContain("Deployment/web");
    }
}
