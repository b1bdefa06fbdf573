package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.berth.kube.Names;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import dev.berth.regions.RegionClients;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The region's apiserver stopped (a real outage, not a mock) for longer than the reconcile backoff's cap: the UI and
 * the API keep answering and say the region is unreachable, changes made meanwhile are kept, and once the apiserver is
 * back Berth converges them within 5 seconds of its return, and its watches follow the cluster again (drift made
 * in the cluster afterwards is repaired).
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionOutageIT {
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();
    @Inject
    RegionClients clients;

    Deployment deployment(String slug, String app) {
        return kube.apps().deployments().inNamespace(Names.namespace(slug)).withName(app).get();
    }

    @Test
    void aRegionThatComesBackIsConvergedWithinFiveSeconds() throws Exception {
        String slug = Api.createTenant("outage");
        Api.createApp(slug, Api.app("web"));
        await().atMost(Duration.ofSeconds(30)).until(() -> deployment(slug, "web") != null);

        cp.stopApiServer();
        long returned;
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> json().get("/api/v1/regions/" + RealCluster.REGION)
                    .then().statusCode(200).body("health", equalTo("unreachable")));
            // Changes while the region is down are accepted and kept in PostgreSQL.
            Api.createApp(slug, Api.app("worker"));
            json().body(Map.of("replicas", 2)).patch(Api.app(slug, "web")).then().statusCode(200);
            io.restassured.RestAssured.given().accept("text/html").get("/t/" + slug).then().statusCode(200);
            // Longer than the backoff's growth to its cap would take with the old doubling (0.5 s ... 32 s).
            Thread.sleep(Duration.ofSeconds(35).toMillis());
        } finally {
            cp.startApiServer();
            returned = System.nanoTime();
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Deployment web = deployment(slug, "web");
            return deployment(slug, "worker") != null && web != null && web.getSpec().getReplicas() == 2;
        });
        double seconds = (System.nanoTime() - returned) / 1e9;
        System.out.printf("region converged %.2f s after its apiserver was ready again%n", seconds);
        assertThat(seconds).as("seconds from the apiserver's return to convergence").isLessThanOrEqualTo(5.0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> json().get("/api/v1/regions/" + RealCluster.REGION)
                .then().statusCode(200).body("health", equalTo("reachable")));
        // Watches closed by the outage are open again at once (the health loop replaces them on the region's return
        // instead of waiting for the client's reconnect backoff), so a change made in the cluster reaches Berth.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(clients.get(RealCluster.REGION).orElseThrow().cache().notWatching()).isEmpty();
            assertThat(clients.get(RealCluster.REGION).orElseThrow().cache().synced()).isTrue();
        });
        kube.apps().deployments().inNamespace(Names.namespace(slug)).withName("web").edit(d -> {
            d.getSpec().setReplicas(3);
            return d;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> deployment(slug, "web").getSpec().getReplicas() == 2);
        // The cluster's own clients came back with their reconnect backoff (the controller-manager's grows to 30 s,
        // the test kubelet's to 32 s). The next test class shares this cluster: leave it once its controllers and
        // kubelet run pods again, so no test after this one waits out a backoff that is not its own.
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Deployment web = deployment(slug, "web");
            return web.getStatus() != null && Integer.valueOf(2).equals(web.getStatus().getReadyReplicas());
        });
    }
}
