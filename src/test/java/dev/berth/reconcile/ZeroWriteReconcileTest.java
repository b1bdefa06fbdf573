package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testsupport.Api;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class ZeroWriteReconcileTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Inject
    Sandbox sandbox;

    /** A tenant with one app, deployed and ready, and every reconcile it triggered done. */
    private String settledTenant(String prefix) {
        String slug = Api.createTenant(prefix);
        Api.createApp(slug, Map.of("name", "web", "image", "registry.example.com/t/web:1", "replicas", 2,
                "env", Map.of("A", "1"), "secretEnv", Map.of("S", "v"), "healthPath", "/healthz"));
        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment(slug);
            assertThat(d).isNotNull();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
        });
        sandbox.settle();
        return slug;
    }

    private Deployment deployment(String slug) {
        return sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName("web").get();
    }

    @Test
    void aFullReconcileOfASettledRegionSendsNoWrites() {
        // Counted in the tenant's namespace: in a random order another test's tenant may still be converging (a
        // rollout it left, drift it made on purpose) while the resyncs run over the whole region.
        String slug = settledTenant("zero");
        sandbox.resyncWrites();
        sandbox.settle();
        long before = sandbox.writes(slug);
        assertThat(sandbox.resyncWrites(slug)).isZero();
        assertThat(sandbox.resyncWrites(slug)).isZero();
        sandbox.settle();
        assertThat(sandbox.writes(slug)).isEqualTo(before);
    }

    @Test
    void changesMadeWhileFullResyncsRunAreWrittenAndNeverUndoneByThem() throws Exception {
        String slug = settledTenant("midsync");
        for (int i = 0; i < 6; i++) {
            settledTenant("midsync-other");
        }
        // Full resyncs back to back on the region's worker while the app is scaled again and again: each resync loaded
        // the desired state when it began, and must neither write that older state back nor hold the changes until
        // it ends.
        CompletableFuture<Void> resyncs = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 4; i++) {
                sandbox.resyncWrites();
            }
        });
        int replicas = 2;
        for (int n : new int[] {3, 1, 4, 2, 5}) {
            Api.json().body(Map.of("replicas", n)).patch(Api.app(slug, "web")).then().statusCode(200);
            replicas = n;
            int expected = replicas;
            await().atMost(WAIT).untilAsserted(() -> assertThat(deployment(slug).getSpec().getReplicas())
                    .as("the change is written while resyncs run").isEqualTo(expected));
        }
        resyncs.get(2, TimeUnit.MINUTES);
        sandbox.settle();
        assertThat(deployment(slug).getSpec().getReplicas()).as("no resync wrote an older state back").isEqualTo(5);
        assertThat(sandbox.resyncWrites(slug)).isZero();
    }

    @Test
    void replicasChangedInTheClusterAreSetBackByTheReconciler() {
        String slug = settledTenant("drift");
        long before = sandbox.writes();

        sandbox.client().apps().deployments().inNamespace("berth-" + slug).withName("web").edit(d -> {
            d.getSpec().setReplicas(5);
            return d;
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(deployment(slug).getSpec().getReplicas()).isEqualTo(2));
        assertThat(sandbox.writes()).isGreaterThan(before);
    }

    @Test
    void quotaChangedInTheClusterIsSetBackByTheReconciler() {
        String slug = settledTenant("qdrift");
        long before = sandbox.writes();

        sandbox.client().resourceQuotas().inNamespace("berth-" + slug).withName("berth-quota").edit(q -> {
            q.getSpec().getHard().put("limits.cpu", new Quantity("100"));
            return q;
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(sandbox.client().resourceQuotas()
                .inNamespace("berth-" + slug).withName("berth-quota").get().getSpec().getHard().get("limits.cpu")
                .toString()).isEqualTo("4"));
        assertThat(sandbox.writes()).isGreaterThan(before);
    }

    @Test
    void deletedNetworkPolicyAndForeignSelectorKeysAreRepaired() {
        String slug = settledTenant("repair");
        String ns = "berth-" + slug;

        sandbox.client().network().networkPolicies().inNamespace(ns).withName("berth-default-deny").delete();
        sandbox.client().services().inNamespace(ns).withName("web").edit(s -> {
            s.getSpec().getSelector().put("hijack", "yes");
            return s;
        });

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(sandbox.client().network().networkPolicies().inNamespace(ns).withName("berth-default-deny")
                    .get()).isNotNull();
            assertThat(sandbox.client().services().inNamespace(ns).withName("web").get().getSpec().getSelector())
                    .doesNotContainKey("hijack");
        });
    }
}
