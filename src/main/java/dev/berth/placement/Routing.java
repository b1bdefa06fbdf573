package dev.berth.placement;

import dev.berth.apps.App;
import dev.berth.apps.AppManifests;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionHealth;
import dev.berth.regions.RegionsConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes an app's routing table from its placement, the regions' health (health loop) and the app's readiness
 * in each region (ready pods in the watch caches, never a cluster call), and renders it as an external-dns
 * DNSEndpoint. Regions that publish DNS get one DNSEndpoint per app ({@link #dnsEndpoints}), named
 * {@code <app>.<tenant>} in {@code berth.regions.dns-namespace}.
 */
@ApplicationScoped
public class Routing {
    static final int WEIGHT = 100;
    @Inject
    RegionsConfig config;
    @Inject
    RegionClients clients;

    @Transactional
    public RoutingTable table(long tenantId, String tenant, String appName) {
        App a = PlacementService.requireApp(tenantId, appName);
        List<RoutingTable.Endpoint> endpoints = new ArrayList<>();
        for (AppRegion row : AppRegion.listByApp(a.id)) {
            endpoints.add(endpoint(Region.findById(row.regionId), row.role, tenant, a.name, a.customDomain));
        }
        return table(tenant, a.name, endpoints);
    }

    /** The DNSEndpoint of every app placed anywhere, for a region that publishes DNS; one query. */
    @Transactional
    public List<GenericKubernetesResource> dnsEndpoints() {
        Map<String, List<RoutingTable.Endpoint>> byApp = new LinkedHashMap<>();
        Map<String, String[]> apps = new LinkedHashMap<>();
        for (Object[] r : Panache.getEntityManager().createQuery("select t.slug, a.name, a.customDomain, ar.role, g "
                + "from AppRegion ar, App a, Tenant t, Region g where a.id = ar.appId and t.id = a.tenantId "
                + "and g.id = ar.regionId order by t.slug, a.name, g.name", Object[].class).getResultList()) {
            String key = r[0] + "/" + r[1];
            apps.putIfAbsent(key, new String[] {(String) r[0], (String) r[1]});
            byApp.computeIfAbsent(key, k -> new ArrayList<>()).add(endpoint((Region) r[4], (String) r[3],
                    (String) r[0], (String) r[1], (String) r[2]));
        }
        List<GenericKubernetesResource> found = new ArrayList<>();
        byApp.forEach((key, endpoints) -> found.add(table(apps.get(key)[0], apps.get(key)[1], endpoints)
                .dnsEndpoint()));
        return found;
    }

    private RoutingTable table(String tenant, String app, List<RoutingTable.Endpoint> endpoints) {
        endpoints.sort((x, y) -> x.region().compareTo(y.region()));
        String global = app + "." + tenant + "." + config.globalDomain();
        return new RoutingTable(app, global, endpoints, dnsEndpoint(config.dnsNamespace(), tenant, app, global,
                endpoints));
    }

    private RoutingTable.Endpoint endpoint(Region r, String role, String tenant, String app, String customDomain) {
        String host = AppManifests.host(app, tenant, customDomain, r.baseDomain);
        String reason = health(r, tenant, app);
        return new RoutingTable.Endpoint(r.name, role, host, reason == null ? WEIGHT : 0, reason == null,
                reason == null ? "ready" : reason, r.latitude, r.longitude);
    }

    /**
     * Null when the region serves the app: reachable, its watch caches synced, and at least one ready pod of the
     * app there (whatever runs it: the app's Deployment, its blue/green colours or canary tracks, or an edge
     * cache). Otherwise why it does not.
     */
    private String health(Region r, String tenant, String app) {
        if (r.health() == RegionHealth.UNREACHABLE) {
            return "region unreachable since " + r.unreachableSince;
        }
        var cluster = clients.get(r.name);
        if (cluster.isEmpty() || !cluster.get().cache().synced()) {
            return "region not connected";
        }
        for (Pod p : cluster.get().cache().list(Pod.class, Names.namespace(tenant))) {
            if (p.getMetadata().getLabels() != null && app.equals(p.getMetadata().getLabels().get(Labels.APP))
                    && ClusterCache.ready(p)) {
                return null;
            }
        }
        return "no ready pod";
    }

    /**
     * One weighted CNAME per healthy region for the global host (external-dns, weighted routing policy), as the
     * DNSEndpoint {@code <app>.<tenant>} in {@code namespace} with the app's standard labels.
     */
    public static GenericKubernetesResource dnsEndpoint(String namespace, String tenant, String app, String global,
            List<RoutingTable.Endpoint> endpoints) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (RoutingTable.Endpoint e : endpoints) {
            if (!e.healthy()) {
                continue;
            }
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("dnsName", global);
            rec.put("recordType", "CNAME");
            rec.put("recordTTL", 60);
            rec.put("setIdentifier", e.region());
            rec.put("targets", List.of(e.host()));
            rec.put("providerSpecific", List.of(Map.of("name", "aws/weight", "value", String.valueOf(e.weight()))));
            records.add(rec);
        }
        return new GenericKubernetesResourceBuilder().withApiVersion(RegionCluster.DNS_API_VERSION).withKind(RegionCluster.DNS_KIND)
                .withNewMetadata().withName(dnsEndpointName(tenant, app)).withNamespace(namespace)
                .withLabels(Labels.app(tenant, app)).endMetadata()
                .addToAdditionalProperties("spec", Map.of("endpoints", records)).build();
    }

    /** {@code <app>.<tenant>}: unique, since neither an app nor a tenant name has a dot. */
    public static String dnsEndpointName(String tenant, String app) {
        return app + "." + tenant;
    }
}
