package dev.berth.kube;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

class ClusterCacheTest {

    private static Deployment deployment(int replicas, int ready) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("berth-acme")
                .withResourceVersion(String.valueOf(ready)).addToLabels(Labels.APP, "web").endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec()
                .withNewStatus().withReadyReplicas(ready).endStatus().build();
    }

    @Test
    void aDeploymentWhoseReadyCountChangesIsAStatusOnlyUpdate() {
        assertFalse(ObjectEvents.beyondStatus(deployment(3, 1), deployment(3, 2)));
    }

    @Test
    void aSpecChangeMadeInTheClusterIsDrift() {
        assertTrue(ObjectEvents.beyondStatus(deployment(3, 3), deployment(5, 3)));
    }

    @Test
    void labelAndAnnotationChangesCount() {
        Deployment relabelled = deployment(3, 3);
        relabelled.getMetadata().getLabels().remove(Labels.APP);
        assertTrue(ObjectEvents.beyondStatus(deployment(3, 3), relabelled));
        Deployment annotated = deployment(3, 3);
        annotated.getMetadata().setAnnotations(java.util.Map.of("someone", "edited"));
        assertTrue(ObjectEvents.beyondStatus(deployment(3, 3), annotated));
    }

    @Test
    void quotaUseIsStatusButItsHardLimitsAreNot() {
        assertFalse(ObjectEvents.beyondStatus(quota("10", "1"), quota("10", "4")));
        assertTrue(ObjectEvents.beyondStatus(quota("10", "1"), quota("20", "1")));
    }

    @Test
    void kindsWithoutStatusCountEveryUpdate() {
        HasMetadata a = new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().addToData("k", "1").build();
        HasMetadata b = new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().addToData("k", "2").build();
        assertTrue(ObjectEvents.beyondStatus(a, b));
    }

    private static ResourceQuota quota(String hardPods, String usedPods) {
        return new ResourceQuotaBuilder().withNewMetadata().withName("q").endMetadata()
                .withNewSpec().addToHard("pods", new Quantity(hardPods)).endSpec()
                .withNewStatus().addToUsed("pods", new Quantity(usedPods)).endStatus().build();
    }
}
