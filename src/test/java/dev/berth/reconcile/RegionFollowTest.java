package dev.berth.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several Berth instances share one database: a region another instance registered, changed or deleted (its row
 * written there, no event here) is connected, reconnected with its new settings, or disconnected here too.
 */
@QuarkusTest
class RegionFollowTest {
    private static final String NAME = "zz-follow";
    @Inject
    RegionConnections connections;
    @Inject
    RegionClients clients;
    private final KubernetesMockServer first = RegionCluster.startSandboxServer();
    private final KubernetesMockServer second = RegionCluster.startSandboxServer();

    @AfterEach
    void cleanUp() {
        QuarkusTransaction.requiringNew().run(() -> Region.delete("name", NAME));
        connections.disconnect(NAME);
        first.destroy();
        second.destroy();
    }

    /** What another instance's admin request leaves in the database. */
    private static void storeElsewhere(KubernetesMockServer server, String baseDomain) {
        QuarkusTransaction.requiringNew().run(() -> {
            Region r = Region.findByName(NAME);
            if (r == null) {
                r = new Region();
                r.name = NAME;
                r.displayName = "Followed";
                r.ingressClass = "nginx";
                r.ingressNamespace = "ingress-nginx";
                r.connectionKind = Region.ConnectionKind.URL;
                r.openToNewTenants = false;
            }
            r.baseDomain = baseDomain;
            r.kubeconfigPath = "http://127.0.0.1:" + server.getPort();
            r.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            r.persist();
        });
    }

    private RegionCluster connected() {
        return clients.get(NAME).orElseThrow(() -> new AssertionError(NAME + " is not connected here"));
    }

    @Test
    void aRegionStoredChangedAndDeletedByAnotherInstanceIsFollowedHere() throws Exception {
        storeElsewhere(first, "apps.one.test");
        assertThat(clients.get(NAME)).as("no event reached this instance").isEmpty();

        assertThat(connections.follow()).contains(NAME + ": connected");
        assertThat(connected().info().baseDomain()).isEqualTo("apps.one.test");
        await().atMost(Duration.ofSeconds(20)).until(() -> connected().cache().synced());
        assertThat(connections.follow()).as("nothing changed since").doesNotContain(NAME + ": connected",
                NAME + ": reconnected", NAME + ": disconnected");

        // Another instance moved the region to another API server and base domain.
        Thread.sleep(2);
        storeElsewhere(second, "apps.two.test");
        assertThat(connections.follow()).contains(NAME + ": reconnected");
        RegionCluster moved = connected();
        assertThat(moved.info().baseDomain()).isEqualTo("apps.two.test");
        assertThat(moved.client().getMasterUrl().getPort()).isEqualTo(second.getPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> connected().cache().synced());

        QuarkusTransaction.requiringNew().run(() -> Region.delete("name", NAME));
        assertThat(connections.follow()).contains(NAME + ": disconnected");
        assertThat(clients.get(NAME)).isEmpty();
    }
}
