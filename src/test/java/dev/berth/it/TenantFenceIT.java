package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tenant's whole life on a real apiserver, with Berth holding exactly the rights of {@code deploy/rbac.yaml}:
 * every fence object is accepted (RBAC escalation checks and admission included) and read back from the server,
 * an app reaches ready endpoints through the real controllers, a limit change reaches the ResourceQuota, and the
 * tenant's deletion lets the namespace controller finish.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class TenantFenceIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    private final KubernetesClient kube = ControlPlane.get().admin();

    @Test
    void aTenantIsFencedInTheRealClusterAndItsAppServes() {
        String slug = Api.createTenant("fence", "alice");
        String ns = Names.namespace(slug);
        await().atMost(WAIT).untilAsserted(() -> {
            Namespace n = kube.namespaces().withName(ns).get();
            assertThat(n).as("namespace").isNotNull();
            assertThat(n.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
            assertThat(kube.resourceQuotas().inNamespace(ns).withName("berth-quota").get()).as("quota").isNotNull();
            assertThat(kube.limitRanges().inNamespace(ns).withName("berth-limits").get()).as("limits").isNotNull();
            assertThat(kube.network().v1().networkPolicies().inNamespace(ns).withName("berth-default-deny").get())
                    .as("network policy").isNotNull();
            assertThat(kube.serviceAccounts().inNamespace(ns).withName("berth-workload").get()).as("sa").isNotNull();
            assertThat(kube.rbac().roles().inNamespace(ns).withName("berth-tenant").get()).as("role").isNotNull();
            assertThat(kube.rbac().roleBindings().inNamespace(ns).withName("berth-tenant").get()).as("binding")
                    .isNotNull();
        });
        ResourceQuota quota = kube.resourceQuotas().inNamespace(ns).withName("berth-quota").get();
        assertThat(quota.getSpec().getHard().get("limits.cpu").toString()).isEqualTo("4");
        assertThat(quota.getSpec().getHard().get("pods").toString()).isEqualTo("20");
        LimitRange limits = kube.limitRanges().inNamespace(ns).withName("berth-limits").get();
        assertThat(limits.getSpec().getLimits().get(0).getMax().get("cpu").toString()).isEqualTo("4");
        NetworkPolicy deny = kube.network().v1().networkPolicies().inNamespace(ns).withName("berth-default-deny").get();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress");
        ServiceAccount sa = kube.serviceAccounts().inNamespace(ns).withName("berth-workload").get();
        assertThat(sa.getAutomountServiceAccountToken()).isFalse();
        Role role = kube.rbac().roles().inNamespace(ns).withName("berth-tenant").get();
        assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).containsExactly("get", "list", "watch"));
        RoleBinding binding = kube.rbac().roleBindings().inNamespace(ns).withName("berth-tenant").get();
        assertThat(binding.getSubjects().get(0).getName()).isEqualTo("berth:tenant:" + slug);

        Map<String, Object> app = Api.app("web");
        app.put("replicas", 2);
        Api.createApp(slug, app);
        await().atMost(WAIT).untilAsserted(() -> assertThat(readyAddresses(ns, "web")).isEqualTo(2));

        json().body(Map.of("displayName", "Team " + slug, "cpu", "6", "memory", "8Gi", "pods", 30, "apps", 10))
                .put("/api/v1/tenants/" + slug).then().log().ifValidationFails().statusCode(200);
        await().atMost(WAIT).untilAsserted(() -> {
            ResourceQuota q = kube.resourceQuotas().inNamespace(ns).withName("berth-quota").get();
            assertThat(q.getSpec().getHard().get("limits.cpu").toString()).isEqualTo("6");
            assertThat(q.getSpec().getHard().get("pods").toString()).isEqualTo("30");
        });

        json().delete("/api/v1/tenants/" + slug + "?confirm=" + slug).then().log().ifValidationFails().statusCode(204);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(kube.namespaces().withName(ns).get()).as("namespace finalized and gone").isNull());
    }

    /** Ready addresses of the app's Service, as the Endpoints controller keeps them. */
    int readyAddresses(String ns, String service) {
        Endpoints e = kube.endpoints().inNamespace(ns).withName(service).get();
        if (e == null || e.getSubsets() == null) {
            return 0;
        }
        return e.getSubsets().stream().mapToInt(s -> s.getAddresses() == null ? 0 : s.getAddresses().size()).sum();
    }
}
