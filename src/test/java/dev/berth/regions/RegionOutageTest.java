package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.berth.reconcile.RegionHealthLoop;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A region that hangs every request delays nobody else, is shown unreachable, and catches up when it returns. */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionOutageTest {
    private final MockRegions regions = new MockRegions();
    @Inject
    RegionClients clients;
    @Inject
    RegionHealthLoop health;

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    @Test
    void aHangingRegionDelaysNoOtherRegionAndCatchesUpWhenItReturns() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion a = regions.registerWithDnsCrd("od-a", 1, 1, slug);
        json().body(Map.of("publishesDns", true)).put("/api/v1/regions/od-a").then().statusCode(200);
        MockRegion b = regions.register("od-b", 2, 2, slug);
        MockRegion down = regions.register("od-down", 3, 3, slug);
        down.proxy().hang();

        Api.createApp(slug, Api.app("web"));
        // Order of arrival: both healthy regions have the app running while the hanging one has nothing.
        List<String> arrived = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (MockRegion r : List.of(a, b, down)) {
                if (!arrived.contains(r.name()) && r != down && ReplicationTest.deployment(r, slug, "web") != null) {
                    arrived.add(r.name());
                }
            }
            return arrived.size() == 2;
        });
        assertThat(arrived).containsExactlyInAnyOrder("od-a", "od-b");
        assertThat(down.server().createClient().apps().deployments().inNamespace("berth-" + slug).withName("web")
                .get()).as("the hanging region got nothing yet, and held up no one").isNull();

        health.probeNow(clients.get("od-down").orElseThrow());
        json().get("/api/v1/regions/od-down").then().body("health", equalTo("unreachable"))
                .body("unreachableSince", notNullValue());
        json().get(Api.app(slug, "web") + "/placement/routing").then().statusCode(200)
                .body("endpoints.find { it.region == 'od-down' }.weight", equalTo(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("local", "od-a", "od-b")
                .equals(DnsPublishingTest.recordRegions(DnsPublishingTest.dnsEndpoint(a, "berth-system", slug))));

        down.proxy().up();
        await().atMost(Duration.ofSeconds(90)).until(() -> ReplicationTest.deployment(down, slug, "web") != null);
        health.probeNow(clients.get("od-down").orElseThrow());
        json().get("/api/v1/regions/od-down").then().body("health", equalTo("reachable"));
        // The routing table lists every region of the placement; the healthy ones carry weight.
        json().get(Api.app(slug, "web") + "/placement/routing").then().statusCode(200)
                .body("globalHost", equalTo("web." + slug + ".global.berth.localhost"))
                .body("endpoints.size()", equalTo(4))
                .body("endpoints.find { it.region == 'od-a' }.weight", equalTo(100));
        // The returned region's watch caches see its ready pod again, so it carries weight once more.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> json()
                .get(Api.app(slug, "web") + "/placement/routing").then().statusCode(200)
                .body("endpoints.find { it.region == 'od-down' }.weight", equalTo(100))
                .body("endpoints.find { it.region == 'od-down' }.reason", equalTo("ready")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            health.probeNow(clients.get("od-down").orElseThrow());
            assertThat(clients.get("od-down").orElseThrow().cache().notWatching()).as("informers without a watch")
                    .isEmpty();
        });
        // ... and its record is back in the published DNSEndpoint.
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("local", "od-a", "od-b", "od-down")
                .equals(DnsPublishingTest.recordRegions(DnsPublishingTest.dnsEndpoint(a, "berth-system", slug))));
    }

    @Test
    void theRegionMapShowsWhereAppsRunWithoutJavaScript() throws Exception {
        String slug = ReplicationTest.tenant(40);
        regions.register("om-a", 48.85, 2.35, slug);
        Api.createApp(slug, Api.app("web"));
        String dashboard = io.restassured.RestAssured.given().get("/t/" + slug).then().statusCode(200).extract()
                .asString();
        // The map and table are in the served HTML; the page's only scripts are the shared files that keep it live.
        assertThat(dashboard).contains("<svg", "om-a", "<table class=\"grid region-table\">")
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)");
        String admin = io.restassured.RestAssured.given().get("/regions").then().statusCode(200).extract().asString();
        assertThat(admin).contains("<svg", slug + "/web");
    }
}
