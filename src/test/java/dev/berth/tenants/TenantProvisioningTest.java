package dev.berth.tenants;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.audit.AuditEvent;
import dev.berth.kube.DriftCheck;
import dev.berth.tenancy.TenantManifests;
import dev.berth.tenancy.TenantSpec;
import dev.berth.tenancy.TenantsConfig;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class TenantProvisioningTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Inject
    Sandbox sandbox;
    @Inject
    TenantsConfig tenantsConfig;

    private static List<String> expectedObjects(String slug) {
        return List.of("LimitRange/berth-limits", "Namespace/berth-" + slug, "NetworkPolicy/berth-default-deny",
                "ResourceQuota/berth-quota", "Role/berth-tenant", "RoleBinding/berth-tenant",
                "ServiceAccount/berth-workload");
    }

    private ResourceQuota quota(String slug) {
        return sandbox.client().resourceQuotas().inNamespace("berth-" + slug).withName("berth-quota").get();
    }

    @Test
    void creatingATenantCreatesExactlyItsFencedNamespaceInTheCluster() {
        String slug = Api.createTenant("prov", "alice");
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(sandbox.managedObjects(slug)).containsExactlyElementsOf(expectedObjects(slug)));

        TenantSpec spec = new TenantSpec(slug, "Team " + slug, 4000, 4000, 8L << 30, 8L << 30, 20, 10);
        List<HasMetadata> desired = TenantManifests.desired(spec, sandbox.cluster().info(),
                tenantsConfig.containerDefaults());
        List<HasMetadata> actual = sandbox.managedObjectList(slug);
        for (HasMetadata want : desired) {
            HasMetadata have = actual.stream().filter(o -> o.getKind().equals(want.getKind())
                    && o.getMetadata().getName().equals(want.getMetadata().getName())).findFirst().orElseThrow();
            assertThat(DriftCheck.covers(want, have)).as(want.getKind() + " carries every desired field").isTrue();
        }
        assertThat(quota(slug).getSpec().getHard().get("limits.cpu").toString()).isEqualTo("4");
    }

    @Test
    void changingLimitsUpdatesTheResourceQuota() {
        String slug = Api.createTenant("limits");
        await().atMost(WAIT).until(() -> quota(slug) != null);

        json().body(Map.of("cpu", "6", "memory", "12Gi", "pods", 30)).put("/api/v1/tenants/" + slug).then()
                .statusCode(200).body("limits.cpu", equalTo("6")).body("limits.memory", equalTo("12Gi"))
                .body("limits.pods", equalTo(30)).body("limits.apps", equalTo(10));

        await().atMost(WAIT).untilAsserted(() -> {
            var hard = quota(slug).getSpec().getHard();
            assertThat(hard.get("limits.cpu").toString()).isEqualTo("6");
            assertThat(hard.get("requests.cpu").toString()).isEqualTo("6");
            assertThat(hard.get("limits.memory").toString()).isEqualTo("12Gi");
            assertThat(hard.get("pods").toString()).isEqualTo("30");
        });
    }

    @Test
    void deletingATenantRemovesItsNamespaceAndEveryManagedObjectButKeepsTheAuditRecord() {
        String slug = Api.createTenant("gone");
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1,
                "secretEnv", Map.of("TOKEN", "x")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.managedObjects(slug))
                .contains("Deployment/web", "Secret/web-env", "Namespace/berth-" + slug));

        json().delete("/api/v1/tenants/" + slug + "?confirm=" + slug).then().statusCode(204);

        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.managedObjects(slug)).isEmpty());
        assertThat(sandbox.client().namespaces().withName("berth-" + slug).get()).isNull();
        assertThat(sandbox.client().pods().inNamespace("berth-" + slug).list().getItems()).isEmpty();
        json().get("/api/v1/tenants/" + slug).then().statusCode(404);
        List<AuditEvent> audit = QuarkusTransaction.requiringNew().call(() ->
                AuditEvent.<AuditEvent>list("tenantSlug = ?1 and action = 'tenant.delete'", slug));
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).actor).isEqualTo("admin");
        assertThat(audit.get(0).summary).contains(slug).contains("1 app");
    }

    @Test
    void deletingWithTheWrongConfirmationIsRefusedAndDeletesNothing() {
        String slug = Api.createTenant("keep");
        await().atMost(WAIT).until(() -> sandbox.managedObjects(slug).size() == expectedObjects(slug).size());

        json().delete("/api/v1/tenants/" + slug + "?confirm=" + slug + "x").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("confirm"));
        json().delete("/api/v1/tenants/" + slug).then().statusCode(400).body("field", equalTo("confirm"));

        sandbox.settle();
        json().get("/api/v1/tenants/" + slug).then().statusCode(200);
        assertThat(sandbox.managedObjects(slug)).containsExactlyElementsOf(expectedObjects(slug));
    }
}
