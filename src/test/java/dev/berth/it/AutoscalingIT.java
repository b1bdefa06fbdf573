package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Autoscalers and disruption budgets on the real apiserver (v1.20: autoscaling/v2beta2 and policy/v1beta1 only),
 * written by Berth with exactly the rights of {@code deploy/rbac.yaml}: the server accepts both, the disruption
 * controller computes the budget's status from the pods the test kubelet reports ready, the controller-manager's
 * autoscaler reports its conditions (it cannot compute metrics: the cluster has no metrics API), a resync after the
 * autoscaler's scale write writes nothing back, and a blue/green switch and its switch back move the autoscaler's
 * target to the live colour.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class AutoscalingIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();
    @Inject
    RegionWorkers workers;

    private HorizontalPodAutoscaler hpa(String ns) {
        return kube.autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(ns).withName("web").get();
    }

    private PodDisruptionBudget pdb(String ns, String name) {
        return kube.policy().v1beta1().podDisruptionBudget().inNamespace(ns).withName(name).get();
    }

    private Deployment deployment(String ns, String name) {
        return kube.apps().deployments().inNamespace(ns).withName(name).get();
    }

    private static String autoscaling(String slug) {
        return Api.app(slug, "web") + "/autoscaling";
    }

    /** Berth's writes to the namespace since the given time, as "verb resource/name code". */
    private List<String> writes(Instant since, String ns) {
        return cp.writes(since, ns).stream().map(w -> w.verb() + " " + w.resource() + "/" + w.name() + " " + w.code())
                .toList();
    }

    @Test
    void theAutoscalerAndBudgetAreAcceptedFollowedByTheControllersAndNotFoughtOver() {
        String slug = Api.createTenant("hpa");
        String ns = Names.namespace(slug);
        Instant start = Instant.now();
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        StrategiesIT.awaitRollout(slug, "succeeded");

        // Two replicas: a budget, whose status the real disruption controller computes from the ready pods.
        await().atMost(WAIT).untilAsserted(() -> {
            PodDisruptionBudget b = pdb(ns, "web");
            assertThat(b).isNotNull();
            assertThat(b.getStatus()).isNotNull();
            assertThat(b.getStatus().getExpectedPods()).isEqualTo(2);
            assertThat(b.getStatus().getCurrentHealthy()).isEqualTo(2);
            assertThat(b.getStatus().getDesiredHealthy()).as("maxUnavailable 1 of 2").isEqualTo(1);
            assertThat(b.getStatus().getDisruptionsAllowed()).isEqualTo(1);
        });
        assertThat(writes(start, ns)).as("created by Berth's own account").contains("create poddisruptionbudgets/web 201");

        Instant set = Instant.now();
        json().body(Map.of("minReplicas", 2, "maxReplicas", 4, "cpuPercent", 60, "memoryPercent", 80))
                .put(autoscaling(slug)).then().log().ifValidationFails().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> {
            HorizontalPodAutoscaler h = hpa(ns);
            assertThat(h).isNotNull();
            assertThat(h.getSpec().getScaleTargetRef().getName()).isEqualTo("web");
            assertThat(h.getSpec().getMinReplicas()).isEqualTo(2);
            assertThat(h.getSpec().getMaxReplicas()).isEqualTo(4);
            // Read back in the order Berth wrote it (the server puts CPU last), so the drift check finds no change.
            assertThat(h.getSpec().getMetrics()).extracting(m -> m.getResource().getName())
                    .containsExactly("memory", "cpu");
        });
        assertThat(writes(set, ns)).contains("create horizontalpodautoscalers/web 201");
        // The controller-manager's autoscaler runs but has no metrics API to read: it says so in its conditions,
        // which the API shows with the served versions.
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath view = json().get(autoscaling(slug)).then().statusCode(200).extract().jsonPath();
            assertThat(view.getString("regions[0].autoscalingApi")).isEqualTo("autoscaling/v2beta2");
            assertThat(view.getString("regions[0].policyApi")).isEqualTo("policy/v1beta1");
            assertThat(view.getString("regions[0].target")).isEqualTo("web");
            assertThat(view.getList("regions[0].conditions.type")).contains("AbleToScale", "ScalingActive");
            assertThat(view.getInt("regions[0].disruptionBudgets[0].currentHealthy")).isEqualTo(2);
        });

        // "The autoscaler" scales the Deployment (its scale write); Berth's resync leaves the decision alone.
        workers.awaitIdle(RealCluster.REGION);
        kube.apps().deployments().inNamespace(ns).withName("web").scale(3);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(ns, "web").getStatus().getReadyReplicas()).isEqualTo(3);
            assertThat(pdb(ns, "web").getStatus().getExpectedPods()).isEqualTo(3);
            assertThat(pdb(ns, "web").getStatus().getDesiredHealthy()).isEqualTo(2);
        });
        workers.awaitIdle(RealCluster.REGION);
        Instant resync = Instant.now();
        assertThat(workers.resyncNow(RealCluster.REGION).writes()).as("writes the resync counted").isZero();
        workers.awaitIdle(RealCluster.REGION);
        assertThat(writes(resync, ns)).as("Berth's writes in the audit log").isEmpty();
        assertThat(deployment(ns, "web").getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void aBlueGreenSwitchAndItsSwitchBackMoveTheAutoscalerToTheLiveColour() {
        String slug = Api.createTenant("hpabg");
        String ns = Names.namespace(slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        StrategiesIT.awaitRollout(slug, "succeeded");
        json().body(Map.of("minReplicas", 2, "maxReplicas", 4, "cpuPercent", 60)).put(autoscaling(slug)).then()
                .statusCode(200);
        Map<String, Object> s = new HashMap<>();
        s.put("strategy", "blue-green");
        s.put("autoPromote", false);
        s.put("holdSeconds", 600);
        StrategiesIT.settings(slug, s);
        StrategiesIT.awaitRollout(slug, "succeeded");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(hpa(ns).getSpec().getScaleTargetRef().getName()).isEqualTo("web-blue");
            assertThat(deployment(ns, "web")).as("the rolling Deployment is gone").isNull();
            assertThat(pdb(ns, "web")).isNull();
            assertThat(pdb(ns, "web-blue")).isNotNull();
        });
        StrategiesIT.release(slug, "registry.example.com/t/web:2");
        StrategiesIT.awaitRollout(slug, "awaiting-promote");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deployment(ns, "web-green").getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(pdb(ns, "web-green")).as("the new colour's budget, before the switch").isNotNull();
        });
        // The autoscaler has scaled the live colour up meanwhile.
        kube.apps().deployments().inNamespace(ns).withName("web-blue").scale(3);
        workers.awaitIdle(RealCluster.REGION);

        Instant before = Instant.now();
        json().post(StrategiesIT.releases(slug) + "/promote").then().statusCode(202);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(hpa(ns).getSpec().getScaleTargetRef().getName()).isEqualTo("web-green");
            assertThat(kube.services().inNamespace(ns).withName("web").get().getSpec().getSelector())
                    .containsEntry("berth.dev/color", "green");
        });
        StrategiesIT.awaitRollout(slug, "holding");
        workers.awaitIdle(RealCluster.REGION);
        assertThat(writes(before, ns)).as("the switch: the Service, the autoscaler's target, and the previous colour "
                + "back to the app's own count; no budget changes").containsExactlyInAnyOrder(
                        "patch services/web 200", "patch horizontalpodautoscalers/web 200",
                        "patch deployments/web-blue 200");
        assertThat(deployment(ns, "web-blue").getSpec().getReplicas()).isEqualTo(2);

        Instant beforeBack = Instant.now();
        json().post(StrategiesIT.releases(slug) + "/switch-back").then().statusCode(202);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(hpa(ns).getSpec().getScaleTargetRef().getName()).isEqualTo("web-blue");
            assertThat(kube.services().inNamespace(ns).withName("web").get().getSpec().getSelector())
                    .containsEntry("berth.dev/color", "blue");
        });
        StrategiesIT.awaitRollout(slug, "switched-back");
        workers.awaitIdle(RealCluster.REGION);
        assertThat(writes(beforeBack, ns)).contains("patch services/web 200", "patch horizontalpodautoscalers/web 200")
                .noneMatch(w -> w.contains("poddisruptionbudgets") && !w.startsWith("delete"));
    }
}
