package dev.berth.reconcile;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A region whose API server answers but refuses some of Berth's writes (RBAC's 403, an admission webhook's 422):
 * every other object of the tenant and every other tenant is still converged, the region says it is refusing
 * writes and names each refused object with the server's message, and a write that goes through again clears it.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RefusedWritesTest {
    private static final String REGION = "rw-refusing";
    private static final String FORBIDDEN = "roles.rbac.authorization.k8s.io \"berth-tenant\" is forbidden: user"
            + " \"system:serviceaccount:berth:berth\" is attempting to grant RBAC permissions not currently held";
    private static final String DENIED = "admission webhook \"policy.example.com\" denied the request: image"
            + " registry.example.com is not allowed";
    private final MockRegions regions = new MockRegions();
    @Inject
    RegionWorkers workers;

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    private static Status status(int code, String reason, String message) {
        return new StatusBuilder().withApiVersion("v1").withKind("Status").withStatus("Failure").withCode(code)
                .withReason(reason).withMessage(message).build();
    }

    private static String collection(String group, String tenant, String plural) {
        return group + "/namespaces/" + Names.namespace(tenant) + "/" + plural;
    }

    @Test
    void refusedObjectsHoldBackNothingElseAreShownOnTheRegionAndClearOnceWritten() throws Exception {
        // Sorted by slug, the tenants with refusals come before the one without: nothing may stop at them.
        String rbac = MockRegions.tenant("aa-rbac");
        String admission = MockRegions.tenant("ab-admission");
        String other = MockRegions.tenant("zz-other");
        MockRegion region = regions.startMixed(REGION);
        region.server().expect().post().withPath(collection("/apis/rbac.authorization.k8s.io/v1", rbac, "roles"))
                .andReturn(403, status(403, "Forbidden", FORBIDDEN)).always();
        region.server().expect().post().withPath(collection("/apis/apps/v1", admission, "deployments"))
                .andReturn(422, status(422, "Invalid", DENIED)).always();
        regions.register(region, rbac, admission, other);
        for (String tenant : new String[] {rbac, admission, other}) {
            Api.createApp(tenant, Api.app("web"));
        }

        KubernetesClient k = region.client();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(objects(k, rbac)).as("the refused Role's tenant").containsExactlyInAnyOrder(
                    "Deployment", "Service", "Ingress", "RoleBinding", "ServiceAccount", "NetworkPolicy");
            assertThat(objects(k, admission)).as("the refused Deployment's tenant").containsExactlyInAnyOrder(
                    "Role", "Service", "Ingress", "RoleBinding", "ServiceAccount", "NetworkPolicy");
            assertThat(objects(k, other)).as("a tenant without refusals").containsExactlyInAnyOrder(
                    "Deployment", "Role", "Service", "Ingress", "RoleBinding", "ServiceAccount", "NetworkPolicy");
        });
        String role = "Role/" + Names.namespace(rbac) + "/berth-tenant";
        String deployment = "Deployment/" + Names.namespace(admission) + "/web";
        json().get("/api/v1/regions/" + REGION).then().statusCode(200)
                .body("health", equalTo("reachable"))
                .body("state", equalTo("refusing-writes"))
                .body("writeErrorCount", equalTo(2))
                .body("writeErrors.find { it.object == '" + role + "' }.tenant", equalTo(rbac))
                .body("writeErrors.find { it.object == '" + role + "' }.code", equalTo(403))
                .body("writeErrors.find { it.object == '" + role + "' }.message", equalTo(FORBIDDEN))
                .body("writeErrors.find { it.object == '" + role + "' }.since", notNullValue())
                .body("writeErrors.find { it.object == '" + deployment + "' }.code", equalTo(422))
                .body("writeErrors.find { it.object == '" + deployment + "' }.message", equalTo(DENIED));
        json().accept("text/html").get("/regions/" + REGION).then().statusCode(200)
                .body(containsString("refusing writes")).body(containsString(role))
                .body(containsString("is attempting to grant RBAC permissions not currently held"));

        // A full resync goes through every tenant and writes nothing: the refused writes wait for their own retry.
        workers.awaitIdle(REGION);
        assertThat(workers.resyncNow(REGION).writes()).isZero();

        region.server().clearExpectations();
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(objects(k, rbac)).contains("Role");
            assertThat(objects(k, admission)).contains("Deployment");
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> json().get("/api/v1/regions/" + REGION).then()
                .body("state", equalTo("reachable")).body("writeErrors", empty()).body("writeErrorCount", equalTo(0)));
    }

    /** The kinds of the tenant's namespaced objects in the region's API server (not Berth's caches). */
    private static List<String> objects(KubernetesClient k, String tenant) {
        String ns = Names.namespace(tenant);
        List<String> kinds = new ArrayList<>();
        k.apps().deployments().inNamespace(ns).list().getItems().forEach(o -> kinds.add("Deployment"));
        k.services().inNamespace(ns).list().getItems().forEach(o -> kinds.add("Service"));
        k.network().v1().ingresses().inNamespace(ns).list().getItems().forEach(o -> kinds.add("Ingress"));
        k.rbac().roles().inNamespace(ns).list().getItems().forEach(o -> kinds.add("Role"));
        k.rbac().roleBindings().inNamespace(ns).list().getItems().forEach(o -> kinds.add("RoleBinding"));
        k.serviceAccounts().inNamespace(ns).list().getItems().forEach(o -> kinds.add("ServiceAccount"));
        k.network().v1().networkPolicies().inNamespace(ns).list().getItems().forEach(o -> kinds.add("NetworkPolicy"));
        return kinds;
    }
}
