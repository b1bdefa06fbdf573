package dev.berth.releases;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.tenancy.Tenant;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Problems;
import dev.berth.testsupport.RowLocks;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The deploy strategies end to end: API, rollout engine, reconciler, CRUD API server and simulated kubelet. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class StrategyTest {
    /**
     * The longest wait for a rollout step. A bound, not a pause: a wait returns as soon as its condition holds (a
     * rollout takes 1 to 3 s here), and one that reaches a final state it did not wait for fails at once. It is
     * generous because late in a whole run on two loaded cores the sandbox region holds a few hundred tenants and one
     * full resync alone takes several seconds.
     */
    static final Duration WAIT = Duration.ofSeconds(60);
    @Inject
    Sandbox sandbox;
    @Inject
    RolloutEngine engine;
    @Inject
    Rollouts rollouts;

    static String releases(String slug, String app) {
        return Api.app(slug, app) + "/releases";
    }

    static void settings(String slug, String app, Map<String, Object> body) {
        json().body(body).put(Api.app(slug, app) + "/deploy-settings").then().log().ifValidationFails().statusCode(200);
    }

    Deployment deployment(String slug, String name) {
        return sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName(name).get();
    }

    String liveColour(String slug, String app) {
        Service s = sandbox.client().services().inNamespace("berth-" + slug).withName(app).get();
        return s == null ? null : s.getSpec().getSelector().get("berth.dev/color");
    }

    static String rolloutState(String slug, String app) {
        return json().get(releases(slug, app) + "/rollout").then().statusCode(200).extract().path("state");
    }

    /**
     * Waits for the app's rollout to reach {@code state}. A rollout that ends in another final state fails the wait at
     * once with the rollout as the API shows it, so the message says why instead of timing out.
     */
    static void awaitRollout(String slug, String app, String state) {
        String reached = await().ignoreExceptions().atMost(WAIT).until(() -> rolloutState(slug, app),
                now -> state.equals(now) || "failed".equals(now) || "aborted".equals(now));
        if (!state.equals(reached)) {
            throw new AssertionError("rollout is " + reached + " while waiting for " + state + ": "
                    + json().get(releases(slug, app) + "/rollout").asString());
        }
    }

    static String releaseStatus(String slug, String app, int n) {
        return json().get(releases(slug, app) + "/" + n).then().statusCode(200).extract().path("status");
    }

    static void release(String slug, String app, String image, int status) {
        json().body(Map.of("image", image)).post(releases(slug, app)).then().log().ifValidationFails()
                .statusCode(status);
    }

    int ready(String slug, String name) {
        Deployment d = deployment(slug, name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }

    String image(String slug, String name) {
        return deployment(slug, name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /** A blue/green app with release 1 live on blue and ready. */
    String blueGreenApp(String prefix, boolean autoPromote, int holdSeconds, int deadline) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        Map<String, Object> s = new HashMap<>();
        s.put("strategy", "blue-green");
        s.put("autoPromote", autoPromote);
        s.put("holdSeconds", holdSeconds);
        s.put("progressDeadlineSeconds", deadline);
        awaitRollout(slug, "web", "succeeded");
        settings(slug, "web", s);
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(liveColour(slug, "web")).isEqualTo("blue");
            assertThat(ready(slug, "web-blue")).isEqualTo(2);
            assertThat(deployment(slug, "web")).as("the rolling Deployment is replaced").isNull();
        });
        sandbox.settle();
        return slug;
    }

    @Test
    void blueGreenDeploysToTheIdleColourSwitchesOnceReadyAndHoldsThePreviousColour() {
        String slug = blueGreenApp("bg", true, 60, 30);
        release(slug, "web", "registry.example.com/t/web:2", 202);

        awaitRollout(slug, "web", "holding");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> assertThat(liveColour(slug, "web")).isEqualTo("green"));
        assertThat(ready(slug, "web-green")).isEqualTo(2);
        assertThat(image(slug, "web-green")).isEqualTo("registry.example.com/t/web:2");
        assertThat(deployment(slug, "web-blue").getSpec().getReplicas()).as("blue held for switch back").isEqualTo(2);
        assertThat(image(slug, "web-blue")).isEqualTo("registry.example.com/t/web:1");
        assertThat(releaseStatus(slug, "web", 2)).isEqualTo("live");
        assertThat(releaseStatus(slug, "web", 1)).isEqualTo("superseded");
        json().get(releases(slug, "web") + "/rollout").then().body("liveColor", equalTo("green"))
                .body("tracks.find { it.track == 'green' }.ready", equalTo(2));
    }

    @Test
    void aColourThatNeverBecomesReadyIsNotSwitchedToAndTheReleaseFailsWithTheReason() {
        String slug = blueGreenApp("bgnr", true, 60, 2);
        release(slug, "web", "registry.example.com/t/web:never-ready", 202);

        awaitRollout(slug, "web", "failed");
        assertThat(liveColour(slug, "web")).isEqualTo("blue");
        assertThat(ready(slug, "web-blue")).isEqualTo(2);
        json().get(releases(slug, "web") + "/2").then().body("status", equalTo("failed"))
                .body("reason", containsString("green did not become ready"))
                .body("reason", containsString("readiness probe fails"));
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() ->
                assertThat(deployment(slug, "web-green").getSpec().getReplicas()).isZero());
        json().get(Api.app(slug, "web")).then().body("image", equalTo("registry.example.com/t/web:1"));
        // A fixed release can follow at once. The 2-s deadline above only served to fail the never-ready colour
        // quickly; the fixed release gets a deadline a loaded machine can meet.
        settings(slug, "web", Map.of("strategy", "blue-green", "autoPromote", true, "holdSeconds", 60,
                "progressDeadlineSeconds", 30));
        release(slug, "web", "registry.example.com/t/web:3", 202);
        awaitRollout(slug, "web", "holding");
    }

    @Test
    void promoteSwitchesTheServiceInExactlyOneWriteAndSwitchBackInOne() {
        String slug = blueGreenApp("bgp", false, 60, 30);
        json().post(releases(slug, "web") + "/promote").then().statusCode(204);
        release(slug, "web", "registry.example.com/t/web:2", 202);
        awaitRollout(slug, "web", "awaiting-promote");
        assertThat(liveColour(slug, "web")).isEqualTo("blue");
        await().ignoreExceptions().atMost(WAIT).until(() -> ready(slug, "web-green") == 2);
        sandbox.settle();

        long before = sandbox.writes(slug);
        json().post(releases(slug, "web") + "/promote").then().statusCode(202);
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> assertThat(liveColour(slug, "web")).isEqualTo("green"));
        sandbox.settle();
        assertThat(sandbox.writes(slug) - before).as("a switch is one write").isEqualTo(1);
        assertThat(rolloutState(slug, "web")).isEqualTo("holding");
        json().post(releases(slug, "web") + "/promote").then().statusCode(204);

        // The engine scales the abandoned colour down in a later step; hold it so the switch itself is counted alone.
        engine.stop();
        try {
            before = sandbox.writes(slug);
            json().post(releases(slug, "web") + "/switch-back").then().statusCode(202);
            await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> assertThat(liveColour(slug, "web")).isEqualTo("blue"));
            sandbox.settle();
            assertThat(sandbox.writes(slug) - before).as("switching back is one write too").isEqualTo(1);
        } finally {
            engine.start();
        }
        awaitRollout(slug, "web", "switched-back");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() ->
                assertThat(deployment(slug, "web-green").getSpec().getReplicas()).isZero());
        assertThat(releaseStatus(slug, "web", 2)).isEqualTo("rolled-back");
        assertThat(releaseStatus(slug, "web", 1)).isEqualTo("live");
        json().get(Api.app(slug, "web")).then().body("image", equalTo("registry.example.com/t/web:1"));
        json().post(releases(slug, "web") + "/switch-back").then().statusCode(204);
    }

    @Test
    void switchBackAfterTheHoldTimeIsRefused() {
        String slug = blueGreenApp("bgh", true, 0, 30);
        release(slug, "web", "registry.example.com/t/web:2", 202);
        awaitRollout(slug, "web", "succeeded");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() ->
                assertThat(deployment(slug, "web-blue").getSpec().getReplicas()).isZero());
        assertThat(liveColour(slug, "web")).isEqualTo("green");
        Problems.assertProblem(json().post(releases(slug, "web") + "/switch-back"), 409, "release");
    }

    @Test
    void aSecondDeployDuringABlueGreenRolloutIsRefusedWithAClearMessage() {
        String slug = blueGreenApp("bgc", false, 60, 30);
        release(slug, "web", "registry.example.com/t/web:2", 202);
        json().body(Map.of("image", "registry.example.com/t/web:3")).post(releases(slug, "web")).then()
                .statusCode(409).body("detail", containsString("release #2 of web is still rolling out"));
        json().body(Map.of("env", Map.of("A", "1"))).patch(Api.app(slug, "web")).then().statusCode(409);
        json().get(releases(slug, "web")).then().body("size()", equalTo(2));
        json().post(releases(slug, "web") + "/abort").then().statusCode(202);
        assertThat(releaseStatus(slug, "web", 2)).isEqualTo("aborted");
        assertThat(liveColour(slug, "web")).isEqualTo("blue");
        release(slug, "web", "registry.example.com/t/web:3", 202);
    }

    /** A new tenant's app of 4 replicas whose second release is in its canary phase (25 % weight). */
    private String inCanary(String prefix) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 4));
        awaitRollout(slug, "web", "succeeded");
        settings(slug, "web", Map.of("strategy", "canary", "canaryWeight", 25));
        awaitRollout(slug, "web", "succeeded");
        release(slug, "web", "registry.example.com/t/web:2", 202);
        awaitRollout(slug, "web", "canary");
        return slug;
    }

    @Test
    void canaryRunsAShareOfReplicasWithAnIngressWeightAndIsPromotedOrAborted() {
        String slug = inCanary("can");
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(slug, "web-canary").getSpec().getReplicas()).isEqualTo(1);
            assertThat(deployment(slug, "web-stable").getSpec().getReplicas()).isEqualTo(3);
            assertThat(image(slug, "web-canary")).isEqualTo("registry.example.com/t/web:2");
            assertThat(image(slug, "web-stable")).isEqualTo("registry.example.com/t/web:1");
            Ingress canary = sandbox.client().network().v1().ingresses().inNamespace("berth-" + slug)
                    .withName("web-canary").get();
            assertThat(canary.getMetadata().getAnnotations())
                    .containsEntry("nginx.ingress.kubernetes.io/canary", "true")
                    .containsEntry("nginx.ingress.kubernetes.io/canary-weight", "25");
        });
        Service main = sandbox.client().services().inNamespace("berth-" + slug).withName("web").get();
        assertThat(main.getSpec().getSelector()).as("the canary gets its weight, not more: the main Service has "
                + "only stable pods").containsEntry("berth.dev/track", "stable");

        json().post(releases(slug, "web") + "/promote").then().statusCode(202);
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(slug, "web-canary")).isNull();
            assertThat(sandbox.managedObjects(slug)).doesNotContain("Ingress/web-canary", "Service/web-canary");
            assertThat(image(slug, "web-stable")).isEqualTo("registry.example.com/t/web:2");
            assertThat(deployment(slug, "web-stable").getSpec().getReplicas()).isEqualTo(4);
        });
        assertThat(releaseStatus(slug, "web", 2)).isEqualTo("live");

        release(slug, "web", "registry.example.com/t/web:3", 202);
        awaitRollout(slug, "web", "canary");
        json().post(releases(slug, "web") + "/abort").then().statusCode(202);
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(slug, "web-canary")).isNull();
            assertThat(image(slug, "web-stable")).isEqualTo("registry.example.com/t/web:2");
        });
        assertThat(releaseStatus(slug, "web", 3)).isEqualTo("aborted");
        json().post(releases(slug, "web") + "/abort").then().statusCode(204);
    }

    /**
     * A release created (by a finished build, or CI) while an abort of the app's canary restores the app's
     * configuration is created: it read the app before the abort committed and wrote it after, which the app's
     * version refused, so the build that made it went from succeeded to failed and its image was never released.
     */
    @Test
    void aReleaseCreatedWhileTheCanaryIsAbortedIsCreated() throws Exception {
        String slug = inCanary("canrace");
        long tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.findBySlug(slug).id);
        CompletableFuture<Integer> created = QuarkusTransaction.requiringNew().call(() -> {
            assertThat(rollouts.abort(tenantId, slug, "web")).isEqualTo(Rollouts.Action.STARTED);
            // The release reads the app now and waits for the abort's lock on the app's layout.
            CompletableFuture<Integer> post = CompletableFuture.supplyAsync(() -> json()
                    .body(Map.of("image", "registry.example.com/t/web:3")).post(releases(slug, "web")).then()
                    .extract().statusCode());
            RowLocks.awaitWaiterOn(RowLocks.backend(), post);
            return post;
        });
        assertThat(created.get(30, TimeUnit.SECONDS)).isEqualTo(202);
        assertThat(releaseStatus(slug, "web", 2)).isEqualTo("aborted");
        json().get(releases(slug, "web") + "/3").then().statusCode(200)
                .body("image", equalTo("registry.example.com/t/web:3"));
        awaitRollout(slug, "web", "canary");
    }

    @Test
    void rollingUsesTheConfiguredSurgeAndUnavailabilityAndRecreateReplacesAllPods() {
        String slug = Api.createTenant("roll");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 4));
        settings(slug, "web", Map.of("maxSurge", "2", "maxUnavailable", "25%"));
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            var s = deployment(slug, "web").getSpec().getStrategy();
            assertThat(s.getType()).isEqualTo("RollingUpdate");
            assertThat(s.getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(2);
            assertThat(s.getRollingUpdate().getMaxUnavailable().getStrVal()).isEqualTo("25%");
        });
        Problems.assertProblem(json().body(Map.of("maxSurge", "lots")).put(Api.app(slug, "web") + "/deploy-settings"),
                400, "maxSurge");
        Problems.assertProblem(json().body(Map.of("maxSurge", "0", "maxUnavailable", "0"))
                .put(Api.app(slug, "web") + "/deploy-settings"), 400, "maxUnavailable");
        Problems.assertProblem(json().body(Map.of("strategy", "big-bang"))
                .put(Api.app(slug, "web") + "/deploy-settings"), 400, "strategy");

        settings(slug, "web", Map.of("strategy", "recreate"));
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
            var s = deployment(slug, "web").getSpec().getStrategy();
            assertThat(s.getType()).isEqualTo("Recreate");
            assertThat(s.getRollingUpdate()).isNull();
        });
        release(slug, "web", "registry.example.com/t/web:2", 202);
        awaitRollout(slug, "web", "succeeded");
        assertThat(ready(slug, "web")).isEqualTo(4);
        assertThat(image(slug, "web")).isEqualTo("registry.example.com/t/web:2");
        assertThat(releaseStatus(slug, "web", 2)).isEqualTo("live");
    }
}
