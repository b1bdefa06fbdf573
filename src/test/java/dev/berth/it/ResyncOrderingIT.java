package dev.berth.it;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Full resyncs of the region and changes made while they run, on the real apiserver: every change reaches the
 * cluster while resyncs run back to back (it does not wait for one to end), and no resync ever writes back the
 * older desired state it loaded when it began. The apiserver's own watch of the Deployment is the witness: it sees
 * every version the server stored, so a value written back, even for a moment, would show in the sequence.
 */
@QuarkusTest
@TestProfile(RealCluster.class)
@TestSecurity(user = "admin", roles = "platform-admin")
class ResyncOrderingIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    private final ControlPlane cp = ControlPlane.get();
    private final KubernetesClient kube = cp.admin();
    @Inject
    RegionWorkers workers;

    private String settledTenant(String prefix) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 1));
        StrategiesIT.awaitRollout(slug, "succeeded");
        return slug;
    }

    private Deployment deployment(String ns) {
        return kube.apps().deployments().inNamespace(ns).withName("web").get();
    }

    @Test
    void changesMadeWhileFullResyncsRunReachTheClusterAndAreNeverWrittenBack() throws Exception {
        for (int i = 0; i < 6; i++) {
            settledTenant("midsync");
        }
        // A full resync converges the tenants in the order of their slugs: this one comes last, so a change to it
        // commits while the resync still works through the others, after the resync loaded what it will write.
        String slug = settledTenant("zz-midsync");
        String ns = Names.namespace(slug);
        workers.awaitIdle(RealCluster.REGION);

        List<Integer> seen = new CopyOnWriteArrayList<>();
        seen.add(deployment(ns).getSpec().getReplicas());
        Instant start = Instant.now();
        try (Watch watch = kube.apps().deployments().inNamespace(ns).withName("web")
                .withResourceVersion(deployment(ns).getMetadata().getResourceVersion()).watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                        Integer replicas = d.getSpec().getReplicas();
                        if (!replicas.equals(seen.get(seen.size() - 1))) {
                            seen.add(replicas);
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            // Full resyncs back to back for as long as the changes go on, so that every change meets one.
            AtomicBoolean changing = new AtomicBoolean(true);
            CompletableFuture<Integer> resyncs = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                do {
                    workers.resyncNow(RealCluster.REGION);
                    n++;
                } while (changing.get());
                return n;
            });
            List<Integer> asked = new ArrayList<>(List.of(1));
            for (int n : new int[] {3, 1, 4, 2, 5}) {
                json().body(Map.of("replicas", n)).patch(Api.app(slug, "web")).then().statusCode(200);
                asked.add(n);
                await().atMost(WAIT).untilAsserted(() -> assertThat(deployment(ns).getSpec().getReplicas())
                        .as("the change is written while resyncs run").isEqualTo(n));
            }
            changing.set(false);
            int ran = resyncs.get(2, TimeUnit.MINUTES);
            workers.awaitIdle(RealCluster.REGION);
            assertThat(seen).as("every replica count the apiserver stored, in order: none written back").isEqualTo(asked);
            System.out.printf("replica counts stored while %d full resyncs ran: %s (%d ms)%n", ran, seen,
                    Duration.between(start, Instant.now()).toMillis());
        }
        assertThat(deployment(ns).getSpec().getReplicas()).isEqualTo(5);
        Instant quiet = Instant.now();
        workers.resyncNow(RealCluster.REGION);
        workers.awaitIdle(RealCluster.REGION);
        assertThat(cp.writes(quiet, ns)).as("a resync after the changes writes nothing to the tenant").isEmpty();
    }
}
