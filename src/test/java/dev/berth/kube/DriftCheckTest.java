package dev.berth.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftCheckTest {
    private static <T> T copy(T o) {
        return Serialization.clone(o);
    }

    private static Deployment deployment(int replicas, String cpuLimit, Map<String, String> selector) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("berth-acme")
                .addToLabels(Labels.MANAGED_BY, "berth").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels(selector).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("web:1")
                .addNewEnv().withName("A").withValue("1").endEnv()
                .withNewResources().addToLimits("cpu", new Quantity(cpuLimit)).endResources()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static Deployment deployment() {
        return deployment(2, "500m", Map.of("berth.dev/app", "web"));
    }

    private static ResourceQuota quota(String cpu, String memory) {
        return new ResourceQuotaBuilder().withNewMetadata().withName("berth-quota").withNamespace("berth-acme")
                .endMetadata().withNewSpec().addToHard("limits.cpu", new Quantity(cpu))
                .addToHard("limits.memory", new Quantity(memory)).endSpec().build();
    }

    @Test
    void objectMissingFromTheClusterIsDrift() {
        assertThat(DriftCheck.covers(deployment(), null)).isFalse();
    }

    @Test
    void identicalObjectIsNotDrift() {
        assertThat(DriftCheck.covers(deployment(), copy(deployment()))).isTrue();
    }

    @Test
    void fieldsTheApiServerAddsAreIgnored() {
        Deployment actual = copy(deployment());
        actual.getMetadata().setResourceVersion("42");
        actual.getMetadata().setUid("u-1");
        actual.getMetadata().getLabels().put("added-by-someone", "x");
        actual.getMetadata().setAnnotations(Map.of("deployment.kubernetes.io/revision", "3"));
        actual.getSpec().setProgressDeadlineSeconds(600);
        actual.getSpec().getTemplate().getSpec().getContainers().get(0).setImagePullPolicy("IfNotPresent");
        actual.getSpec().getTemplate().getSpec().setRestartPolicy("Always");
        actual.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(2).build());
        assertThat(DriftCheck.covers(deployment(), actual)).isTrue();
    }

    @Test
    void changedScalarIsDrift() {
        assertThat(DriftCheck.covers(deployment(), deployment(3, "500m", Map.of("berth.dev/app", "web")))).isFalse();
    }

    @Test
    void changedLabelValueIsDrift() {
        Deployment actual = copy(deployment());
        actual.getMetadata().getLabels().put(Labels.MANAGED_BY, "someone-else");
        assertThat(DriftCheck.covers(deployment(), actual)).isFalse();
    }

    @Test
    void quantitiesCompareByAmountNotByText() {
        assertThat(DriftCheck.covers(deployment(2, "1", Map.of("berth.dev/app", "web")),
                deployment(2, "1000m", Map.of("berth.dev/app", "web")))).isTrue();
        assertThat(DriftCheck.covers(quota("2", "1Gi"), quota("2000m", "1024Mi"))).isTrue();
        assertThat(DriftCheck.covers(quota("2", "1Gi"), quota("2", "1G"))).isFalse();
        assertThat(DriftCheck.covers(quota("2", "1Gi"), quota("3", "1Gi"))).isFalse();
    }

    @Test
    void equalLookingTextOutsideQuantityFieldsIsNotTreatedAsAQuantity() {
        ConfigMap want = new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("c")
                .endMetadata().addToData("x", "1").build();
        ConfigMap have = copy(want);
        have.getData().put("x", "1000m");
        assertThat(DriftCheck.covers(want, have)).isFalse();
    }

    @Test
    void extraSelectorLabelInTheClusterIsDrift() {
        Deployment actual = deployment(2, "500m", Map.of("berth.dev/app", "web", "extra", "x"));
        assertThat(DriftCheck.covers(deployment(), actual)).isFalse();
    }

    @Test
    void extraServiceSelectorKeyIsDrift() {
        Service want = new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("berth.dev/app", "web").endSpec().build();
        Service have = copy(want);
        have.getSpec().getSelector().put("stale", "yes");
        assertThat(DriftCheck.covers(want, have)).isFalse();
        have.getSpec().getSelector().remove("stale");
        have.getSpec().setClusterIP("10.0.0.1");
        assertThat(DriftCheck.covers(want, have)).isTrue();
    }

    @Test
    void extraSecretKeyIsDrift() {
        Secret want = new SecretBuilder().withNewMetadata().withName("web-env").endMetadata()
                .addToData("A", "YQ==").build();
        Secret have = copy(want);
        have.getData().put("REMOVED", "Yg==");
        assertThat(DriftCheck.covers(want, have)).isFalse();
    }

    @Test
    void listsMustMatchInLength() {
        Deployment actual = copy(deployment());
        actual.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("B").withValue("2").build());
        assertThat(DriftCheck.covers(deployment(), actual)).isFalse();
        Deployment shorter = copy(deployment());
        shorter.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().clear();
        assertThat(DriftCheck.covers(deployment(), shorter)).isFalse();
    }
}
