package dev.berth.regions;

import static dev.berth.testsupport.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.berth.kube.Labels;
import dev.berth.reconcile.RegionHealthLoop;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.testsupport.Api;
import dev.berth.testsupport.MockRegions;
import dev.berth.testsupport.MockRegions.MockRegion;
import dev.berth.testsupport.Sandbox;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The routing table reaches a cluster: the region that publishes DNS gets each app's external-dns DNSEndpoint with
 * one weighted record per healthy region, written only when it drifts, following regions going down and coming
 * back, and removed with the app. A cluster without the CRD is shown as such and is reconciled as usual.
 */
@QuarkusTest
@TestSecurity(user = "admin", roles = "platform-admin")
class DnsPublishingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MockRegions regions = new MockRegions();
    @Inject
    RegionWorkers workers;
    @Inject
    RegionHealthLoop health;
    @Inject
    RegionClients clients;
    @Inject
    RegionsConfig config;
    @Inject
    Sandbox sandbox;

    @AfterEach
    void cleanUp() {
        regions.close();
    }

    static GenericKubernetesResource dnsEndpoint(MockRegion r, String namespace, String slug) {
        return r.client().genericKubernetesResources(RegionCluster.DNS_ENDPOINTS).inNamespace(namespace)
                .withName("web." + slug).get();
    }

    /** The regions (set identifiers) with a record in the DNSEndpoint, in order. */
    @SuppressWarnings("unchecked")
    static List<String> recordRegions(GenericKubernetesResource d) {
        if (d == null) {
            return null;
        }
        Map<String, Object> spec = (Map<String, Object>) d.getAdditionalProperties().get("spec");
        return ((List<Map<String, Object>>) spec.get("endpoints")).stream().map(e -> (String) e.get("setIdentifier"))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> record(GenericKubernetesResource d, String region) {
        Map<String, Object> spec = (Map<String, Object>) d.getAdditionalProperties().get("spec");
        return ((List<Map<String, Object>>) spec.get("endpoints")).stream()
                .filter(e -> region.equals(e.get("setIdentifier"))).findFirst().orElseThrow();
    }

    @Test
    void thePublishingRegionGetsOneWeightedRecordPerHealthyRegionFollowingHealth() throws Exception {
        String slug = ReplicationTest.tenant(40);
        MockRegion pub = regions.registerWithDnsCrd("dn-pub", 50.1, 8.7, slug);
        MockRegion b = regions.register("dn-b", 40.7, -74.0, slug);
        regions.register("dn-c", 35.7, 139.7, slug);
        json().body(Map.of("publishesDns", true)).put("/api/v1/regions/dn-pub").then().log().ifValidationFails()
                .statusCode(200).body("publishesDns", equalTo(true));
        String ns = config.dnsNamespace();

        Api.createApp(slug, Api.app("web"));
        List<String> all = List.of("dn-b", "dn-c", "dn-pub", "local");
        await().atMost(WAIT).until(() -> all.equals(recordRegions(dnsEndpoint(pub, ns, slug))));
        GenericKubernetesResource d = dnsEndpoint(pub, ns, slug);
        assertThat(d.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.MANAGER)
                .containsEntry(Labels.TENANT, slug).containsEntry(Labels.APP, "web").containsEntry(Labels.NAME, "web");
        Map<String, Object> rec = record(d, "dn-b");
        assertThat(rec).containsEntry("dnsName", "web." + slug + ".global.berth.localhost")
                .containsEntry("recordType", "CNAME").containsEntry("targets", List.of("web." + slug + ".dn-b.apps.test"))
                .containsEntry("providerSpecific", List.of(Map.of("name", "aws/weight", "value", "100")));
        assertThat(pub.client().namespaces().withName(ns).get().getMetadata().getLabels())
                .containsEntry(Labels.MANAGED_BY, Labels.MANAGER).doesNotContainKey(Labels.TENANT);
        json().get("/api/v1/regions/dn-pub").then().body("dns", startsWith("publishing"));
        // The sandbox region publishes too (it is the default region), but its cluster has no CRD: it says so and
        // reconciles the app as usual.
        json().get("/api/v1/regions/local").then().body("publishesDns", equalTo(true))
                .body("dns", startsWith("external-dns CRD not installed")).body("health", equalTo("reachable"));
        assertThat(sandbox.managedObjects(slug)).contains("Deployment/web", "Service/web", "Ingress/web");

        // Nothing changed: a second pass, and a re-publish after a health probe, write nothing.
        assertThat(workers.resyncNow("dn-pub").writes()).isZero();
        health.probeNow(clients.get("dn-b").orElseThrow());
        assertThat(workers.resyncNow("dn-pub").writes()).isZero();
        assertThat(sandbox.resyncWrites(slug)).as("the sandbox region, in this tenant's namespace").isZero();

        // A region that goes down drops out of the record set, and returns with it.
        b.proxy().down();
        health.probeNow(clients.get("dn-b").orElseThrow());
        await().atMost(WAIT).until(() -> List.of("dn-c", "dn-pub", "local")
                .equals(recordRegions(dnsEndpoint(pub, ns, slug))));
        json().get(Api.app(slug, "web") + "/placement/routing").then()
                .body("endpoints.find { it.region == 'dn-b' }.weight", equalTo(0))
                .body("dnsEndpoint.metadata.name", equalTo("web." + slug))
                .body("dnsEndpoint.spec.endpoints.size()", equalTo(3));
        b.proxy().up();
        health.probeNow(clients.get("dn-b").orElseThrow());
        await().atMost(WAIT).until(() -> all.equals(recordRegions(dnsEndpoint(pub, ns, slug))));

        // The app goes away: so does its DNSEndpoint.
        json().delete(Api.app(slug, "web")).then().statusCode(204);
        await().atMost(WAIT).until(() -> dnsEndpoint(pub, ns, slug) == null);
    }
}
