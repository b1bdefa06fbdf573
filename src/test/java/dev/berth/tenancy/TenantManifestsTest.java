package dev.berth.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.kube.Labels;
import dev.berth.testsupport.Fixtures;
import dev.berth.testsupport.Golden;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantManifestsTest {
    private static List<HasMetadata> desired() {
        return TenantManifests.desired(Fixtures.tenant(), Fixtures.region(), Fixtures.containerDefaults());
    }

    private static <T> T only(Class<T> kind) {
        return desired().stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    @Test
    void tenantObjectsMatchTheReviewedGoldenYaml() {
        Golden.assertMatches("tenant-acme.yaml", desired());
    }

    @Test
    void everyObjectIsLabelledAsBerthManagedAndBelongsToTheTenantNamespace() {
        for (HasMetadata o : desired()) {
            assertThat(o.getMetadata().getLabels()).as(o.getKind())
                    .containsEntry(Labels.MANAGED_BY, "berth").containsEntry(Labels.TENANT, "acme");
            if (!(o instanceof Namespace)) {
                assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("berth-acme");
            }
        }
        assertThat(desired()).extracting(HasMetadata::getKind).containsExactly("Namespace", "ResourceQuota",
                "LimitRange", "NetworkPolicy", "ServiceAccount", "Role", "RoleBinding");
    }

    @Test
    void namespaceEnforcesRestrictedPodSecurity() {
        assertThat(only(Namespace.class).getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
                .containsEntry("pod-security.kubernetes.io/audit", "restricted")
                .containsEntry("pod-security.kubernetes.io/warn", "restricted");
    }

    @Test
    void quotaCapsCpuMemoryAndPodsAtTheTenantLimits() {
        var hard = only(ResourceQuota.class).getSpec().getHard();
        assertThat(hard.get("requests.cpu").toString()).isEqualTo("4");
        assertThat(hard.get("limits.cpu").toString()).isEqualTo("4");
        assertThat(hard.get("requests.memory").toString()).isEqualTo("8Gi");
        assertThat(hard.get("limits.memory").toString()).isEqualTo("8Gi");
        assertThat(hard.get("pods").toString()).isEqualTo("20");
    }

    @Test
    void limitRangeGivesContainersTheConfiguredDefaults() {
        var limit = only(LimitRange.class).getSpec().getLimits().get(0);
        assertThat(limit.getType()).isEqualTo("Container");
        assertThat(limit.getDefault().get("cpu").toString()).isEqualTo("500m");
        assertThat(limit.getDefault().get("memory").toString()).isEqualTo("256Mi");
        assertThat(limit.getDefaultRequest().get("cpu").toString()).isEqualTo("100m");
        assertThat(limit.getDefaultRequest().get("memory").toString()).isEqualTo("128Mi");
    }

    @Test
    void networkPolicyDeniesIngressExceptFromTheNamespaceItselfAndTheIngressController() {
        var spec = only(NetworkPolicy.class).getSpec();
        assertThat(spec.getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(spec.getPolicyTypes()).containsExactly("Ingress");
        assertThat(spec.getIngress()).hasSize(1);
        var from = spec.getIngress().get(0).getFrom();
        assertThat(from).hasSize(2);
        assertThat(from.get(0).getPodSelector()).isNotNull();
        assertThat(from.get(0).getNamespaceSelector()).isNull();
        assertThat(from.get(1).getNamespaceSelector().getMatchLabels())
                .containsExactlyEntriesOf(java.util.Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
    }

    @Test
    void workloadServiceAccountDoesNotMountAToken() {
        assertThat(only(ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
    }
}
