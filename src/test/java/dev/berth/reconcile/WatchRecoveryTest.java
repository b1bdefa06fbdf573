package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.ClusterCache;
import dev.berth.kube.Labels;
import dev.berth.regions.RegionCluster;
import dev.berth.testsupport.FlakyProxy;
import dev.berth.testsupport.MockRegions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A region's watch caches survive an outage: after the connection to the API server is cut (refused, or hanging
 * beyond every timeout) and restored, every informer watches again (reopened by the client, or replaced as the
 * region's health loop does) and sees what changed in the meantime.
 */
class WatchRecoveryTest {
    private KubernetesMockServer server;
    private KubernetesClient admin;
    private FlakyProxy proxy;
    private KubernetesClient client;
    private ClusterCache cache;

    @BeforeEach
    void start() throws Exception {
        server = RegionCluster.startSandboxServer();
        admin = server.createClient();
        proxy = new FlakyProxy(server.getPort());
        Config config = Config.fromKubeconfig(MockRegions.kubeconfig("http://127.0.0.1:" + proxy.port(), "wr"));
        client = RegionCluster.client(config, Duration.ofSeconds(1), Duration.ofSeconds(2));
        cache = new ClusterCache(client);
        cache.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.synced() && cache.watching());
    }

    @AfterEach
    void stop() {
        cache.close();
        client.close();
        proxy.close();
        admin.close();
        server.destroy();
    }

    private void put(String name, String value) {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGER)).endMetadata()
                .withData(Map.of("v", value)).build();
        admin.configMaps().inNamespace("default").resource(cm).createOr(c -> c.update());
        Namespace ns = new NamespaceBuilder().withNewMetadata().withName("wr-" + name)
                .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGER, "v", value)).endMetadata().build();
        admin.namespaces().resource(ns).createOr(c -> c.update());
    }

    private String cached(String name) {
        ConfigMap cm = cache.get(ConfigMap.class, "default", name);
        Namespace ns = cache.get(Namespace.class, null, "wr-" + name);
        return cm == null || ns == null || !cm.getData().get("v").equals(ns.getMetadata().getLabels().get("v")) ? null
                : cm.getData().get("v");
    }

    @Test
    void afterARefusedConnectionEveryWatchReopensAndCatchesUp() throws Exception {
        put("before", "1");
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(cached("before")));
        proxy.down();
        put("during", "2");
        put("before", "3");
        Thread.sleep(3000);
        proxy.up();
        awaitRecovered(() -> "2".equals(cached("during")) && "3".equals(cached("before")));
        put("after", "4");
        await().atMost(Duration.ofSeconds(10)).until(() -> "4".equals(cached("after")));
    }

    @Test
    void afterAHangingConnectionEveryWatchReopensAndCatchesUp() throws Exception {
        put("before", "1");
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(cached("before")));
        proxy.hang();
        put("during", "2");
        Thread.sleep(5000);
        proxy.up();
        awaitRecovered(() -> "2".equals(cached("during")));
        put("after", "4");
        await().atMost(Duration.ofSeconds(10)).until(() -> "4".equals(cached("after")));
    }

    /**
     * Waits until the cache shows what {@code caughtUp} expects and every informer watches again, doing what the
     * region's health loop does while the API server answers: an informer whose watch stays closed beyond the grace
     * is replaced. Most reopen on their own; one whose reconnect landed on the hanging connection backs off for up
     * to about 30 s first, and on a loaded machine more than one such round was seen.
     */
    private void awaitRecovered(java.util.concurrent.Callable<Boolean> caughtUp) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            cache.restartStalledWatches(Duration.ofSeconds(5));
            assertThat(caughtUp.call()).as("the cache caught up with the cluster").isTrue();
            assertThat(cache.notWatching()).as("informers without a watch").isEmpty();
        });
    }

    /** Sync listeners hear of every time the cache becomes synced, and find it synced when they do. */
    @Test
    void syncListenersRunOnceTheCacheIsSyncedAndAtOnceWhenItAlreadyIs() {
        List<Boolean> calls = new CopyOnWriteArrayList<>();
        cache.onSynced(() -> calls.add(cache.synced()));
        assertThat(calls).as("registered on a synced cache").containsExactly(true);
    }

    /**
     * The case that used to leave a cache behind: the connection hangs while the informers start, and their
     * reconnects afterwards were sent without WebSocket upgrade headers (HTTP 400 on every retry).
     */
    @Test
    void aRegionThatHangsWhileItsCachesStartSyncsWhenItReturns() throws Exception {
        cache.close();
        put("before", "1");
        cache = new ClusterCache(client);
        List<Boolean> syncs = new CopyOnWriteArrayList<>();
        cache.onSynced(() -> syncs.add(cache.synced()));
        assertThat(syncs).as("not started, not synced").isEmpty();
        cache.start();
        proxy.hang();
        put("during", "2");
        Thread.sleep(4000);
        proxy.up();
        // What the health loop does while the API server answers: replace informers whose watch stays closed.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            cache.restartStalledWatches(Duration.ofSeconds(2));
            assertThat(cache.synced() && "2".equals(cached("during"))).isTrue();
            assertThat(cache.notWatching()).as("informers without a watch").isEmpty();
        });
        // Whatever was computed from the cache while replaced informers listed afresh is computed again.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(syncs).isNotEmpty().containsOnly(true));
        put("after", "4");
        await().atMost(Duration.ofSeconds(10)).until(() -> "4".equals(cached("after")));
    }
}
