package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A cluster that answers but refuses some writes (here: an administrator took Berth's right to create Roles away):
 * the region says "refusing-writes" and names the refused object with the apiserver's own message; every object
 * that does not depend on it, of that tenant and of other tenants, is still written; once the right is back the
 * object is written and the region is healthy again.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class RefusedWritesIT {
    private final KubernetesClient kube = ControlPlane.get().admin();

    @Test
    void aRefusedRoleIsNamedOnTheRegionAndStallsNothingElse() {
        ClusterRole original = kube.rbac().clusterRoles().withName("berth").get();
        ClusterRole withoutRoles = new ClusterRoleBuilder(original).editMetadata().withResourceVersion(null)
                .withManagedFields().endMetadata().build();
        withoutRoles.getRules().forEach(r -> r.getResources().removeIf(x -> x.equals("roles")));
        kube.rbac().clusterRoles().resource(withoutRoles).update();
        String slug;
        try {
            slug = Api.createTenant("refused");
            Api.createApp(slug, Api.app("web"));
            String ns = Names.namespace(slug);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(kube.apps().deployments().inNamespace(ns).withName("web").get())
                        .as("the app is written although its tenant's Role is refused").isNotNull();
                assertThat(kube.resourceQuotas().inNamespace(ns).withName("berth-quota").get()).as("quota").isNotNull();
                assertThat(kube.serviceAccounts().inNamespace(ns).withName("berth-workload").get()).as("sa").isNotNull();
                JsonPath region = json().get("/api/v1/regions/" + RealCluster.REGION).then().statusCode(200).extract()
                        .jsonPath();
                assertThat(region.getString("health")).isEqualTo("reachable");
                assertThat(region.getString("state")).isEqualTo("refusing-writes");
                // The Role, and the RoleBinding that grants it (the escalation check cannot resolve a missing Role).
                String role = "writeErrors.find { it.object == 'Role/" + ns + "/berth-tenant' }";
                assertThat(region.getInt(role + ".code")).isEqualTo(403);
                assertThat(region.getString(role + ".message")).contains("is forbidden").contains("roles");
            });
            assertThat(kube.rbac().roles().inNamespace(ns).withName("berth-tenant").get()).isNull();
        } finally {
            ClusterRole back = new ClusterRoleBuilder(original).editMetadata().withResourceVersion(null)
                    .withManagedFields().endMetadata().build();
            kube.rbac().clusterRoles().resource(back).update();
        }
        String ns = Names.namespace(slug);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(kube.rbac().roles().inNamespace(ns).withName("berth-tenant").get()).isNotNull();
            assertThat(kube.rbac().roleBindings().inNamespace(ns).withName("berth-tenant").get()).isNotNull();
            json().get("/api/v1/regions/" + RealCluster.REGION).then().statusCode(200)
                    .body("state", org.hamcrest.Matchers.equalTo("reachable"));
        });
        json().get(Api.app(slug, "web")).then().statusCode(200);
    }
}
