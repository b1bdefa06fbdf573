package dev.berth.reconcile;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppSpec;
import dev.berth.apps.Autoscaler;
import dev.berth.placement.EdgeCacheManifests;
import dev.berth.processes.ProcessDesired;
import dev.berth.tenancy.TenantSpec;
import dev.berth.tls.TlsSpec;
import java.util.List;
import java.util.Map;

/**
 * Everything one tenant should have in one region. {@code layouts} (by app name) says how each app's workloads are
 * laid out (strategy, colours, tracks); an app without one gets the default single rolling Deployment. {@code edges}
 * (by app name) marks apps this region serves as an edge cache in front of their primary region. {@code autoscalers}
 * (by app name) holds the autoscaler of each app that has one, {@code tls} (by app name) the TLS of each app served
 * over HTTPS, {@code processes} (by app name) its workers, crons and runs' Jobs here.
 */
public record TenantDesired(TenantSpec tenant, List<AppSpec> apps, Map<String, AppLayout> layouts,
        Map<String, EdgeCacheManifests.EdgeSpec> edges, Map<String, Autoscaler> autoscalers,
        Map<String, TlsSpec> tls, Map<String, ProcessDesired> processes) {
    public TenantDesired(TenantSpec tenant, List<AppSpec> apps, Map<String, AppLayout> layouts,
            Map<String, EdgeCacheManifests.EdgeSpec> edges, Map<String, Autoscaler> autoscalers) {
        this(tenant, apps, layouts, edges, autoscalers, Map.of(), Map.of());
    }

    public TenantDesired(TenantSpec tenant, List<AppSpec> apps, Map<String, AppLayout> layouts,
            Map<String, EdgeCacheManifests.EdgeSpec> edges) {
        this(tenant, apps, layouts, edges, Map.of());
    }

    public TenantDesired(TenantSpec tenant, List<AppSpec> apps) {
        this(tenant, apps, Map.of(), Map.of());
    }

    public TenantDesired(TenantSpec tenant, List<AppSpec> apps, Map<String, AppLayout> layouts) {
        this(tenant, apps, layouts, Map.of());
    }
}
