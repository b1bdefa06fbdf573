package dev.berth.testsupport;

import static dev.berth.testsupport.Api.json;

import dev.berth.reconcile.RegionConnections;
import dev.berth.regions.Region;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.SimulatedKubelet;
import dev.berth.tenants.TenantRegion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several independent regions for one test: each is its own Fabric8 CRUD API server (with a simulated kubelet),
 * reached through a {@link FlakyProxy} so the test can take it down, and registered through the regions API with a
 * kubeconfig, exactly as an admin would. {@link #close()} removes them again (apps' placements, grants, rows).
 */
public final class MockRegions implements AutoCloseable {
    /** One region of the test. */
    public record MockRegion(String name, KubernetesMockServer server, KubernetesClient client, FlakyProxy proxy,
            SimulatedKubelet kubelet) {
        /** The kubeconfig Berth gets: the proxy's address, one context named after the region. */
        public String kubeconfig() {
            return MockRegions.kubeconfig("http://127.0.0.1:" + proxy.port(), name);
        }
    }

    private final List<MockRegion> regions = new ArrayList<>();

    public static String kubeconfig(String server, String context) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                users:
                - name: admin
                  user:
                    token: test-token
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: admin
                    namespace: default
                current-context: %1$s
                """.formatted(context, server);
    }

    /** Starts an API server and its proxy without registering it. */
    public MockRegion start(String name) throws IOException {
        KubernetesMockServer server = RegionCluster.startSandboxServer();
        KubernetesClient client = server.createClient();
        FlakyProxy proxy = new FlakyProxy(server.getPort());
        SimulatedKubelet kubelet = new SimulatedKubelet(client, Duration.ofMillis(100));
        MockRegion r = new MockRegion(name, server, client, proxy, kubelet);
        regions.add(r);
        return r;
    }

    /** Starts and registers a region through the API (the caller must be a platform admin). */
    public MockRegion register(String name, double lat, double lon, String... tenants) throws IOException {
        return register(start(name), lat, lon, tenants);
    }

    /**
     * Starts a region whose API server has external-dns's DNSEndpoint CRD installed (as its administrators would),
     * and registers it.
     */
    public MockRegion registerWithDnsCrd(String name, double lat, double lon, String... tenants) throws IOException {
        MockRegion r = start(name);
        installDnsEndpointCrd(r.client());
        return register(r, lat, lon, tenants);
    }

    /** external-dns's DNSEndpoint CRD, as its chart installs it (schema left open). */
    public static void installDnsEndpointCrd(KubernetesClient client) {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("dnsendpoints.externaldns.k8s.io").endMetadata()
                .withNewSpec().withGroup("externaldns.k8s.io").withScope("Namespaced")
                .withNewNames().withKind("DNSEndpoint").withListKind("DNSEndpointList").withPlural("dnsendpoints")
                .withSingular("dnsendpoint").endNames()
                .addNewVersion().withName("v1alpha1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .endVersion().endSpec().build()).create();
    }

    private MockRegion register(MockRegion r, double lat, double lon, String... tenants) {
        String name = r.name();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("displayName", "Region " + name);
        body.put("city", "City of " + name);
        body.put("latitude", lat);
        body.put("longitude", lon);
        body.put("baseDomain", name + ".apps.test");
        body.put("kubeconfig", r.kubeconfig());
        body.put("tenants", List.of(tenants));
        json().body(body).post("/api/v1/regions").then().log().ifValidationFails().statusCode(201);
        return r;
    }

    public List<MockRegion> all() {
        return regions;
    }

    @Override
    public void close() {
        RegionConnections connections = Arc.container().instance(RegionConnections.class).get();
        for (MockRegion r : regions) {
            connections.disconnect(r.name());
            QuarkusTransaction.requiringNew().run(() -> {
                Region row = Region.findByName(r.name());
                if (row != null) {
                    Region.getEntityManager().createNativeQuery("delete from app_region where region_id = ?1")
                            .setParameter(1, row.id).executeUpdate();
                    TenantRegion.delete("regionId", row.id);
                    row.delete();
                }
            });
            r.kubelet().close();
            r.client().close();
            r.proxy().close();
            r.server().destroy();
        }
        regions.clear();
    }
}
