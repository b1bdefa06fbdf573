package dev.berth.regions;

import dev.berth.apps.App;
import dev.berth.apps.AppManifests;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes an app's routing table from its placement, the regions' health (health loop) and the app's readiness
 * in each region (watch caches, never a cluster call), and renders it as an external-dns DNSEndpoint.
 */
@ApplicationScoped
public class Routing {
    public static final String DNS_API_VERSION = "externaldns.k8s.io/v1alpha1";
    public static final String DNS_KIND = "DNSEndpoint";
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
            Region r = Region.findById(row.regionId);
            String host = AppManifests.host(a.name, tenant, a.customDomain, r.baseDomain);
            String reason = health(r, tenant, a);
            endpoints.add(new RoutingTable.Endpoint(r.name, row.role, host, reason == null ? WEIGHT : 0, reason == null,
                    reason == null ? "ready" : reason, r.latitude, r.longitude));
        }
        endpoints.sort((x, y) -> x.region().compareTo(y.region()));
        String global = a.name + "." + tenant + "." + config.globalDomain();
        return new RoutingTable(a.name, global, endpoints, dnsEndpoint(tenant, a.name, global, endpoints));
    }

    /** Null when the region serves the app; otherwise why it does not. */
    private String health(Region r, String tenant, App a) {
        if (Boolean.FALSE.equals(r.reachable)) {
            return "region unreachable since " + r.unreachableSince;
        }
        var cluster = clients.get(r.name);
        if (cluster.isEmpty() || !cluster.get().cache().synced()) {
            return "region not connected";
        }
        var d = cluster.get().cache().get(io.fabric8.kubernetes.api.model.apps.Deployment.class,
                Names.namespace(tenant), a.name);
        int ready = d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
                : d.getStatus().getReadyReplicas();
        return ready > 0 ? null : "no ready pod";
    }

    /** One weighted CNAME per healthy region for the global host (external-dns, weighted routing policy). */
    public static GenericKubernetesResource dnsEndpoint(String tenant, String app, String global,
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
        return new GenericKubernetesResourceBuilder().withApiVersion(DNS_API_VERSION).withKind(DNS_KIND)
                .withNewMetadata().withName(app + "-global").withNamespace(Names.namespace(tenant))
                .withLabels(Labels.app(tenant, app)).endMetadata()
                .addToAdditionalProperties("spec", Map.of("endpoints", records)).build();
    }
}
