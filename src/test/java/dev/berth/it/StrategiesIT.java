package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.releases.RolloutEngine;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every deploy strategy on the real apiserver, with the controller-manager rolling ReplicaSets and keeping
 * Endpoints, and Berth's writes counted in the server's audit log: a blue/green switch is exactly one PATCH of the
 * Service and so is the switch back, an unchanged deploy and an idle resync write nothing.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class StrategiesIT {
    static final Duration WAIT = Duration.ofSeconds(40);
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();
    @Inject
    RegionWorkers workers;
    @Inject
    RolloutEngine engine;

    static String releases(String slug) {
        return Api.app(slug, "web") + "/releases";
    }

    static String rolloutState(String slug) {
        return json().get(releases(slug) + "/rollout").then().statusCode(200).extract().path("state");
    }

    static void awaitRollout(String slug, String state) {
        await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> assertThat(rolloutState(slug))
                .as(() -> "rollout of " + slug + ": " + json().get(releases(slug) + "/rollout").asString())
                .isEqualTo(state));
    }

    static void release(String slug, String image) {
        json().body(Map.of("image", image)).post(releases(slug)).then().log().ifValidationFails().statusCode(202);
    }

    static void settings(String slug, Map<String, Object> body) {
        json().body(body).put(Api.app(slug, "web") + "/deploy-settings").then().log().ifValidationFails()
                .statusCode(200);
    }

    Deployment deployment(String slug, String name) {
        return kube.apps().deployments().inNamespace(Names.namespace(slug)).withName(name).get();
    }

    int ready(String slug, String name) {
        Deployment d = deployment(slug, name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
    }

    String image(String slug, String name) {
        return deployment(slug, name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    String liveColour(String slug) {
        Service s = kube.services().inNamespace(Names.namespace(slug)).withName("web").get();
        return s == null ? null : s.getSpec().getSelector().get("berth.dev/color");
    }

    /** A tenant with the app "web" (2 replicas) running its first release, and Berth's work for it done. */
    String runningApp(String prefix) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        awaitRollout(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> assertThat(ready(slug, "web")).isEqualTo(2));
        return slug;
    }

    @Test
    void rollingAndRecreateReleasesReachReadyPodsOfTheNewImage() {
        String slug = runningApp("roll");
        release(slug, "registry.example.com/t/web:2");
        awaitRollout(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(image(slug, "web")).isEqualTo("registry.example.com/t/web:2");
            assertThat(ready(slug, "web")).isEqualTo(2);
            assertThat(deployment(slug, "web").getStatus().getUpdatedReplicas()).isEqualTo(2);
        });

        settings(slug, Map.of("strategy", "recreate"));
        release(slug, "registry.example.com/t/web:3");
        awaitRollout(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment(slug, "web");
            assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
            assertThat(image(slug, "web")).isEqualTo("registry.example.com/t/web:3");
            assertThat(ready(slug, "web")).isEqualTo(2);
        });
    }

    @Test
    void aBlueGreenSwitchAndItsSwitchBackAreOneServicePatchEach() {
        String slug = runningApp("bg");
        String ns = Names.namespace(slug);
        Map<String, Object> s = new HashMap<>();
        s.put("strategy", "blue-green");
        s.put("autoPromote", false);
        s.put("holdSeconds", 600);
        settings(slug, s);
        awaitRollout(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(liveColour(slug)).isEqualTo("blue");
            assertThat(ready(slug, "web-blue")).isEqualTo(2);
        });
        release(slug, "registry.example.com/t/web:2");
        awaitRollout(slug, "awaiting-promote");
        await().atMost(WAIT).untilAsserted(() -> assertThat(ready(slug, "web-green")).isEqualTo(2));
        workers.awaitIdle(RealCluster.REGION);

        Instant before = Instant.now();
        json().post(releases(slug) + "/promote").then().log().ifValidationFails().statusCode(202);
        await().atMost(WAIT).untilAsserted(() -> assertThat(liveColour(slug)).isEqualTo("green"));
        awaitRollout(slug, "holding");
        workers.awaitIdle(RealCluster.REGION);
        assertThat(serviceWrites(before, ns)).as("the switch writes the Service's selector once, nothing else")
                .containsExactly("patch services/web");

        // The engine scales the abandoned colour down in a later step; hold it so the switch itself is counted alone.
        engine.stop();
        try {
            Instant beforeBack = Instant.now();
            json().post(releases(slug) + "/switch-back").then().log().ifValidationFails().statusCode(202);
            await().atMost(WAIT).untilAsserted(() -> assertThat(liveColour(slug)).isEqualTo("blue"));
            workers.awaitIdle(RealCluster.REGION);
            assertThat(serviceWrites(beforeBack, ns)).as("the switch back is one PATCH of the Service too")
                    .containsExactly("patch services/web");
            assertThat(ready(slug, "web-blue")).isEqualTo(2);
        } finally {
            engine.start();
        }
        awaitRollout(slug, "switched-back");
    }

    /** Berth's writes to the namespace since the given time, as "verb resource/name", ignoring pod churn. */
    private List<String> serviceWrites(Instant since, String ns) {
        return cp.writes(since, ns).stream().map(w -> w.verb() + " " + w.resource() + "/" + w.name()).toList();
    }

    @Test
    void aCanaryRunsItsShareBehindAWeightedIngressAndIsPromoted() {
        String slug = Api.createTenant("can");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 4));
        awaitRollout(slug, "succeeded");
        settings(slug, Map.of("strategy", "canary", "canaryWeight", 25));
        awaitRollout(slug, "succeeded");
        release(slug, "registry.example.com/t/web:2");
        awaitRollout(slug, "canary");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ready(slug, "web-canary")).isEqualTo(1);
            Ingress canary = kube.network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web-canary").get();
            assertThat(canary.getMetadata().getAnnotations())
                    .containsEntry("nginx.ingress.kubernetes.io/canary-weight", "25");
        });
        json().post(releases(slug) + "/promote").then().log().ifValidationFails().statusCode(202);
        awaitRollout(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(slug, "web-canary")).isNull();
            assertThat(kube.network().v1().ingresses().inNamespace(Names.namespace(slug)).withName("web-canary").get())
                    .isNull();
        });
    }

    @Test
    void anUnchangedDeployAndAnIdleResyncWriteNothing() {
        String slug = runningApp("idle");
        workers.awaitIdle(RealCluster.REGION);
        Instant before = Instant.now();
        json().body(Map.of("image", "registry.example.com/t/web:1", "replicas", 2)).patch(Api.app(slug, "web")).then()
                .log().ifValidationFails().statusCode(200);
        workers.awaitIdle(RealCluster.REGION);
        int resyncWrites = workers.resyncNow(RealCluster.REGION).writes();
        assertThat(resyncWrites).as("writes the resync counted itself").isZero();
        assertThat(cp.writes(before, w -> true)).as("Berth's writes in the audit log, whole cluster").isEmpty();
    }
}
