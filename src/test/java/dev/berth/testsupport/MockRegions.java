package dev.berth.testsupport;

import static dev.berth.testsupport.Api.json;

import dev.berth.reconcile.RegionConnections;
import dev.berth.regions.Region;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.SimulatedKubelet;
import dev.berth.tenancy.TenantRegion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

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
        return start(name, RegionCluster.startSandboxServer());
    }

    /**
     * Starts an API server in mixed mode without registering it: requests matching an expectation set with
     * {@code server().expect()} (method and exact path) get its answer, all others the CRUD store. Tests make it
     * refuse one object's writes, as RBAC or an admission webhook would, and stop with
     * {@code server().clearExpectations()}.
     */
    public MockRegion startMixed(String name) throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return start(name, server);
    }

    /** Registers a region started with {@link #start} or {@link #startMixed} (the caller must be a platform admin). */
    public MockRegion register(MockRegion r, String... tenants) {
        return register(r, 1, 1, tenants);
    }

    /** Creates a tenant whose plan allows several regions (and 40 pods); the caller must be a platform admin. */
    public static String tenant(String prefix) {
        String slug = Api.uniqueSlug(prefix);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slug", slug);
        body.put("owners", List.of("admin"));
        body.put("plan", "business");
        body.put("overrides", Map.of("regions", 10, "pods", 40));
        json().body(body).post("/api/v1/tenants").then().statusCode(201);
        return slug;
    }

    private MockRegion start(String name, KubernetesMockServer server) throws IOException {
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
