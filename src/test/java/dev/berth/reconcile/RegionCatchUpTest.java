package dev.berth.reconcile;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.kube.Names;
import dev.berth.regions.RegionsConfig;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A region that was down for longer than the reconciler's longest backoff is converged within seconds of its
 * return: the return is noticed and resynced at once, rather than when the worker's backoff runs out.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class RegionCatchUpTest {
    private static final String REGION = "cu-back";
    private final MockRegions regions = new MockRegions();
    @Inject
    RegionsConfig config;

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    @Test
    void aRegionDownLongerThanTheBackoffCapIsConvergedWithinFiveSecondsOfItsReturn() throws Exception {
        String slug = MockRegions.tenant("back");
        MockRegion region = regions.register(regions.start(REGION), slug);
        String ns = Names.namespace(slug);
        await().atMost(Duration.ofSeconds(20)).until(() -> region.client().namespaces().withName(ns).get() != null);

        region.proxy().down();
        long down = System.nanoTime();
        // Desired state changes while the region is down: its worker fails to write and backs off.
        Api.createApp(slug, Api.app("web"));
        // The outage outlasts the longest backoff by a few of the shorter ones (the worker reaches the cap meanwhile).
        Duration outage = config.maxBackoff().plusSeconds(6);
        await().atMost(outage.plusSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                System.nanoTime() - down > outage.toNanos()
                        && "unreachable".equals(json().get("/api/v1/regions/" + REGION).then().extract().path("health")));

        region.proxy().up();
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                region.client().apps().deployments().inNamespace(ns).withName("web").get() != null
                        && region.client().services().inNamespace(ns).withName("web").get() != null);
        long millis = (System.nanoTime() - back) / 1_000_000;
        System.out.printf("region %s: converged %d ms after it came back from a %d s outage%n", REGION, millis,
                (back - down) / 1_000_000_000);
        assertThat(millis).as("ms from the region's return until its app was written").isLessThan(5000);
    }
}
