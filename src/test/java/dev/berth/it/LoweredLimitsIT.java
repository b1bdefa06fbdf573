package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Limits lowered below what runs: the ResourceQuota admission refuses the pods the ReplicaSet controller creates
 * ({@code FailedCreate}), and the app's status in the API and on the dashboard says so, with the server's message,
 * instead of showing the app as progressing forever.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class LoweredLimitsIT {
    private final KubernetesClient kube = ControlPlane.get().admin();

    @Test
    void podsRefusedByTheQuotaShowInTheAppsStatusWithTheServersMessage() {
        String slug = Api.createTenant("lowered");
        String ns = Names.namespace(slug);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(EndpointsWatch.ready(kube, ns, "web")).hasSize(2));

        json().body(Map.of("displayName", "Team " + slug, "cpu", "4", "memory", "8Gi", "pods", 1, "apps", 10))
                .put("/api/v1/tenants/" + slug).then().log().ifValidationFails().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(kube.resourceQuotas().inNamespace(ns)
                .withName("berth-quota").get().getSpec().getHard().get("pods").toString()));
        // A pod goes away (a node drained, a crash): its ReplicaSet must create a new one, which the quota refuses.
        List<Pod> pods = kube.pods().inNamespace(ns).withLabel("berth.dev/app", "web").list().getItems();
        kube.pods().inNamespace(ns).withName(pods.get(0).getMetadata().getName()).withGracePeriod(0).delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath app = json().get(Api.app(slug, "web")).then().statusCode(200).extract().jsonPath();
            assertThat(app.getString("status[0].state")).isEqualTo("Degraded");
            assertThat(app.getString("status[0].reason")).isEqualTo("FailedCreate");
            assertThat(app.getString("status[0].message")).contains("exceeded quota: berth-quota");
            assertThat(app.getList("status[0].conditions", String.class)).anySatisfy(c -> assertThat(c)
                    .startsWith("ReplicaFailure=True (FailedCreate)").contains("exceeded quota: berth-quota"));
        });
        JsonPath list = json().get(Api.apps(slug)).then().extract().jsonPath();
        assertThat(list.getString("items[0].status[0].state")).as("the app list's glance").isEqualTo("Degraded");
        assertThat(list.getString("items[0].status[0].message")).contains("exceeded quota: berth-quota");
        String page = io.restassured.RestAssured.given().accept("text/html").get("/t/" + slug + "/apps/web").then()
                .statusCode(200).extract().asString();
        assertThat(page).contains("Degraded").contains("exceeded quota");
    }
}
