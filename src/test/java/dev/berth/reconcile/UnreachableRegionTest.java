package dev.berth.reconcile;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionHealth;
import dev.berth.tenancy.TenantRegion;
import dev.berth.testsupport.Api;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class UnreachableRegionTest {
    /** Sorts after the sandbox region "local", so the sandbox stays first in every status list. */
    private static final String OFFLINE = "zz-offline";
    private static final long QUICK_MS = 2000;
    @Inject
    RegionConnections connections;
    @Inject
    RegionClients clients;
    @Inject
    RegionHealthLoop health;

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void registerOfflineRegion() throws IOException {
        Region r = new Region();
        r.name = OFFLINE;
        r.displayName = "Offline cluster";
        r.baseDomain = "apps.offline.test";
        r.ingressClass = "nginx";
        r.ingressNamespace = "ingress-nginx";
        r.connectionKind = Region.ConnectionKind.URL;
        r.kubeconfigPath = "http://127.0.0.1:" + closedPort();
        connections.register(r);
    }

    @AfterEach
    void removeOfflineRegion() {
        connections.disconnect(OFFLINE);
        QuarkusTransaction.requiringNew().run(() -> {
            Region r = Region.findByName(OFFLINE);
            if (r != null) {
                Region.getEntityManager().createNativeQuery("delete from app_region where region_id = ?1")
                        .setParameter(1, r.id).executeUpdate();
                TenantRegion.delete("regionId", r.id);
                r.delete();
            }
        });
    }

    @Test
    void anUnreachableRegionIsShownAsUnknownWhileTheApiKeepsAnsweringQuickly() throws IOException {
        registerOfflineRegion();
        String slug = Api.createTenant("offline");
        json().body(Map.of("name", "web", "image", "registry.example.com/t/web:1")).post(Api.apps(slug))
                .then().time(lessThan(QUICK_MS), TimeUnit.MILLISECONDS).statusCode(201);

        health.probe(clients.get(OFFLINE).orElseThrow());

        json().get("/api/v1/regions/" + OFFLINE).then().statusCode(200).body("health", equalTo("unreachable"))
                .body("unreachableSince", notNullValue());
        json().get("/api/v1/tenants").then().time(lessThan(QUICK_MS), TimeUnit.MILLISECONDS).statusCode(200);
        json().get("/api/v1/tenants/" + slug).then().time(lessThan(QUICK_MS), TimeUnit.MILLISECONDS)
                .statusCode(200).body("regions", hasItem(OFFLINE));
        json().get(Api.apps(slug)).then().time(lessThan(QUICK_MS), TimeUnit.MILLISECONDS).statusCode(200)
                .body("items[0].status.find { it.region == '" + OFFLINE + "' }.state", equalTo("Unknown"));
        json().get(Api.app(slug, "web")).then().time(lessThan(QUICK_MS), TimeUnit.MILLISECONDS).statusCode(200)
                .body("status.find { it.region == '" + OFFLINE + "' }.state", equalTo("Unknown"))
                .body("status.find { it.region == '" + OFFLINE + "' }.unreachableSince", notNullValue());
        // The sandbox region is unaffected: the app still comes up there.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> json().get(Api.app(slug, "web")).then()
                .body("status.find { it.region == 'local' }.state", equalTo("Running")));
    }

    @Test
    void healthLoopRecordsWhenARegionBecameUnreachable() throws IOException {
        registerOfflineRegion();
        health.probe(clients.get(OFFLINE).orElseThrow());
        Region r = QuarkusTransaction.requiringNew().call(() -> Region.findByName(OFFLINE));
        assertThat(r.health()).isEqualTo(RegionHealth.UNREACHABLE);
        assertThat(r.unreachableSince).isNotNull();
        assertThat(r.lastError).isNotBlank();

        health.probe(clients.get(OFFLINE).orElseThrow());
        Region again = QuarkusTransaction.requiringNew().call(() -> Region.findByName(OFFLINE));
        assertThat(again.unreachableSince).as("the first failure time is kept").isEqualTo(r.unreachableSince);
    }
}
