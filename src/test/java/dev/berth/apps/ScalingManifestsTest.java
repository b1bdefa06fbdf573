package dev.berth.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.kube.ScalingApis;
import dev.berth.testsupport.Fixtures;
import dev.berth.testsupport.Golden;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler and disruption budgets of an app in each API version against reviewed golden YAML, which objects
 * each layout gets, and the version choice from a discovery answer.
 */
class ScalingManifestsTest {
    static final Autoscaler CPU_AND_MEMORY = new Autoscaler(2, 10, 70, 80);
    static final ScalingApis V1_20 = new ScalingApis("v2beta2", "v1beta1");

    static AppLayout blueGreen(String live, int blue, int green) {
        AppSpec app = Fixtures.app();
        return new AppLayout(AppLayout.BLUE_GREEN, "25%", "0", live, 0, List.of(
                new AppLayout.Track("blue", app, blue, 1), new AppLayout.Track("green", app, green, 2)));
    }

    static AppLayout canary(int stable, int canary) {
        AppSpec app = Fixtures.app();
        return new AppLayout(AppLayout.CANARY, "25%", "0", null, 20, List.of(
                new AppLayout.Track("stable", app, stable, 1), new AppLayout.Track("canary", app, canary, 2)));
    }

    static List<String> names(List<HasMetadata> objects) {
        return objects.stream().map(o -> o.getApiVersion() + " " + o.getKind() + "/" + o.getMetadata().getName())
                .toList();
    }

    @Test
    void autoscalerAndBudgetInAutoscalingV2beta2AndPolicyV1beta1MatchTheGoldenYaml() {
        Golden.assertMatches("scaling-v2beta2-v1beta1.yaml",
                ScalingManifests.desired(Fixtures.app(), null, CPU_AND_MEMORY, V1_20));
    }

    @Test
    void autoscalerAndBudgetInAutoscalingV2AndPolicyV1MatchTheGoldenYaml() {
        Golden.assertMatches("scaling-v2-v1.yaml",
                ScalingManifests.desired(Fixtures.app(), null, new Autoscaler(2, 10, 70, null), ScalingApis.NEWEST));
    }

    @Test
    void blueGreenBudgetsFollowEachColourAndTheAutoscalerTheLiveOne() {
        assertThat(names(ScalingManifests.desired(Fixtures.app(), blueGreen("blue", 2, 2), CPU_AND_MEMORY, V1_20)))
                .containsExactly("autoscaling/v2beta2 HorizontalPodAutoscaler/web",
                        "policy/v1beta1 PodDisruptionBudget/web-blue", "policy/v1beta1 PodDisruptionBudget/web-green");
        Golden.assertMatches("scaling-blue-green.yaml",
                ScalingManifests.desired(Fixtures.app(), blueGreen("green", 0, 3), CPU_AND_MEMORY, V1_20));
        // The switch moves the autoscaler's target and nothing in the budgets (their selectors are the colours').
        List<HasMetadata> blue = ScalingManifests.desired(Fixtures.app(), blueGreen("blue", 2, 2), CPU_AND_MEMORY, V1_20);
        List<HasMetadata> green = ScalingManifests.desired(Fixtures.app(), blueGreen("green", 2, 2), CPU_AND_MEMORY, V1_20);
        assertThat(target(blue.get(0))).isEqualTo("web-blue");
        assertThat(target(green.get(0))).isEqualTo("web-green");
        assertThat(blue.subList(1, 3)).isEqualTo(green.subList(1, 3));
        assertThat(((PodDisruptionBudget) green.get(2)).getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("berth.dev/tenant", "acme", "berth.dev/app", "web", "berth.dev/color", "green"));
    }

    @Test
    void withCanaryTheStableTrackIsScaledAndTheCanaryKeepsItsCount() {
        List<HasMetadata> objects = ScalingManifests.desired(Fixtures.app(), canary(3, 1), CPU_AND_MEMORY, V1_20);
        assertThat(names(objects)).containsExactly("autoscaling/v2beta2 HorizontalPodAutoscaler/web",
                "policy/v1beta1 PodDisruptionBudget/web-stable");
        assertThat(target(objects.get(0))).isEqualTo("web-stable");
    }

    @Test
    void aBudgetNeedsTwoReplicasOrAnAutoscalerMinimumOfTwo() {
        AppSpec one = dev.berth.placement.RegionReplicas.withReplicas(Fixtures.app(), 1);
        assertThat(ScalingManifests.desired(one, null, null, V1_20)).isEmpty();
        assertThat(names(ScalingManifests.desired(Fixtures.app(), null, null, V1_20)))
                .containsExactly("policy/v1beta1 PodDisruptionBudget/web");
        // The autoscaled Deployment counts its minimum, not its fixed replicas.
        assertThat(names(ScalingManifests.desired(Fixtures.app(), null, new Autoscaler(1, 5, 60, null), V1_20)))
                .containsExactly("autoscaling/v2beta2 HorizontalPodAutoscaler/web");
        assertThat(names(ScalingManifests.desired(one, null, new Autoscaler(2, 5, 60, null), V1_20)))
                .containsExactly("autoscaling/v2beta2 HorizontalPodAutoscaler/web",
                        "policy/v1beta1 PodDisruptionBudget/web");
        assertThat(ScalingManifests.desired(Fixtures.app(), null, CPU_AND_MEMORY, ScalingApis.NONE)).isEmpty();
    }

    @Test
    void anExistingAutoscaledDeploymentKeepsItsReplicasAndANewOneStartsWithinTheBounds() {
        Deployment desired = new DeploymentBuilder().withNewSpec().withReplicas(1).endSpec().build();
        ScalingManifests.yieldReplicas(desired, null, CPU_AND_MEMORY);
        assertThat(desired.getSpec().getReplicas()).isEqualTo(2);
        Deployment many = new DeploymentBuilder().withNewSpec().withReplicas(40).endSpec().build();
        ScalingManifests.yieldReplicas(many, null, CPU_AND_MEMORY);
        assertThat(many.getSpec().getReplicas()).isEqualTo(10);
        Deployment existing = new DeploymentBuilder().withNewSpec().withReplicas(2).endSpec().build();
        ScalingManifests.yieldReplicas(existing, new DeploymentBuilder().withNewSpec().withReplicas(7).endSpec().build(),
                CPU_AND_MEMORY);
        assertThat(existing.getSpec().getReplicas()).as("left out, so neither compared nor patched").isNull();
    }

    @Test
    void theServedVersionsComeFromDiscovery() {
        assertThat(ScalingApis.of(groups(Map.of("autoscaling", "v1,v2beta1,v2beta2", "policy", "v1beta1", "apps", "v1"))))
                .isEqualTo(new ScalingApis("v2beta2", "v1beta1"));
        assertThat(ScalingApis.of(groups(Map.of("autoscaling", "v1,v2,v2beta2", "policy", "v1,v1beta1"))))
                .isEqualTo(new ScalingApis("v2", "v1"));
        assertThat(ScalingApis.of(groups(Map.of("autoscaling", "v1", "apps", "v1")))).isEqualTo(ScalingApis.NONE);
        assertThat(ScalingApis.of(groups(Map.of("autoscaling", "v1,v2beta2", "policy", "v1beta1"))).kinds())
                .containsExactly(io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler.class,
                        PodDisruptionBudget.class);
    }

    private static APIGroupList groups(Map<String, String> versions) {
        APIGroupListBuilder b = new APIGroupListBuilder();
        versions.forEach((group, list) -> b.addToGroups(new APIGroupBuilder().withName(group)
                .withVersions(Arrays.stream(list.split(",")).map(v -> new GroupVersionForDiscovery(group + "/" + v, v))
                        .toList()).build()));
        return b.build();
    }

    private static String target(HasMetadata hpa) {
        return ((io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler) hpa).getSpec()
                .getScaleTargetRef().getName();
    }
}
