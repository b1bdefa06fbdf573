package dev.berth.reconcile;

import dev.berth.apps.App;
import dev.berth.apps.AppLayout;
import dev.berth.apps.AppService;
import dev.berth.apps.Autoscaler;
import dev.berth.placement.EdgeCacheManifests;
import dev.berth.placement.EdgePlacements;
import dev.berth.placement.RegionReplicas;
import dev.berth.releases.ReleaseLayouts;
import dev.berth.processes.ProcessDesired;
import dev.berth.processes.ProcessPlans;
import dev.berth.apps.AppSpec;
import dev.berth.quotas.Plan;
import dev.berth.quotas.QuotaService;
import dev.berth.tenancy.Tenant;
import dev.berth.tls.TlsSettings;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads desired state for reconcilers in short read transactions: one tenant, or every tenant of a region at once.
 * Apps run the region's own replica count where their placement sets one.
 */
@ApplicationScoped
public class DesiredStateLoader {
    @Inject
    AppService apps;
    @Inject
    ReleaseLayouts layouts;
    @Inject
    TlsSettings tls;
    @Inject
    ProcessPlans processPlans;

    /** The tenant's desired state in the region, or empty when the tenant is gone or does not use the region. */
    @Transactional
    public Optional<TenantDesired> load(String slug, long regionId) {
        List<Tenant> tenants = Panache.getEntityManager().createQuery(
                "select t from Tenant t where t.slug = :s and exists "
                        + "(select 1 from TenantRegion tr where tr.tenantId = t.id and tr.regionId = :r)", Tenant.class)
                .setParameter("s", slug).setParameter("r", regionId).getResultList();
        if (tenants.isEmpty()) {
            return Optional.empty();
        }
        Tenant t = tenants.get(0);
        // Only the apps placed in this region; the others' objects here are collected as garbage.
        java.util.Set<Long> placed = new java.util.HashSet<>(Panache.getEntityManager().createQuery(
                "select ar.appId from AppRegion ar where ar.tenantId = :t and ar.regionId = :r", Long.class)
                .setParameter("t", t.id).setParameter("r", regionId).getResultList());
        List<App> apps = App.listByTenant(t.id).stream().filter(a -> placed.contains(a.id)).toList();
        List<AppSpec> specs = new ArrayList<>(apps.stream().map(a -> spec(t.slug, a)).toList());
        List<AppLayout> found = new ArrayList<>(layouts.of(apps, specs));
        layouts.pin(apps, specs, found, regionId);
        regional(apps, specs, found, RegionReplicas.inRegion(regionId));
        List<ProcessDesired> processes = processPlans.of(apps, specs, found, regionId);
        return Optional.of(new TenantDesired(t.spec(QuotaService.effective(t)), specs, byName(specs, found),
                edges(apps, EdgePlacements.inRegion(regionId)), autoscalers(apps), tls.of(apps),
                byName(specs, processes)));
    }

    /** Every tenant using the region, with their apps and effective limits, in three queries. */
    @Transactional
    public List<TenantDesired> loadAll(long regionId) {
        List<Tenant> tenants = Panache.getEntityManager().createQuery(
                "select t from Tenant t where exists "
                        + "(select 1 from TenantRegion tr where tr.tenantId = t.id and tr.regionId = :r) order by t.slug",
                Tenant.class).setParameter("r", regionId).getResultList();
        Map<Long, List<AppSpec>> byTenant = new HashMap<>();
        Map<Long, List<App>> appsByTenant = new HashMap<>();
        Map<Long, String> slugs = new HashMap<>();
        tenants.forEach(t -> slugs.put(t.id, t.slug));
        List<App> all = Panache.getEntityManager().createQuery(
                "select a from App a where exists (select 1 from AppRegion ar where ar.appId = a.id "
                        + "and ar.regionId = :r) order by a.name", App.class).setParameter("r", regionId).getResultList();
        for (App a : all) {
            String slug = slugs.get(a.tenantId);
            if (slug != null) {
                byTenant.computeIfAbsent(a.tenantId, k -> new ArrayList<>()).add(spec(slug, a));
                appsByTenant.computeIfAbsent(a.tenantId, k -> new ArrayList<>()).add(a);
            }
        }
        List<App> listed = new ArrayList<>();
        List<AppSpec> specs = new ArrayList<>();
        appsByTenant.forEach((t, apps) -> {
            listed.addAll(apps);
            specs.addAll(byTenant.get(t));
        });
        Map<String, Map<String, AppLayout>> layoutsByTenant = new HashMap<>();
        List<AppLayout> found = new ArrayList<>(layouts.of(listed, specs));
        layouts.pin(listed, specs, found, regionId);
        regional(listed, specs, found, RegionReplicas.inRegion(regionId));
        List<ProcessDesired> processes = processPlans.of(listed, specs, found, regionId);
        Map<String, Map<String, ProcessDesired>> processesByTenant = new HashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            if (processes.get(i) != null) {
                processesByTenant.computeIfAbsent(specs.get(i).tenant(), k -> new HashMap<>())
                        .put(specs.get(i).name(), processes.get(i));
            }
        }
        byTenant.clear();
        for (int i = 0; i < listed.size(); i++) {
            byTenant.computeIfAbsent(listed.get(i).tenantId, k -> new ArrayList<>()).add(specs.get(i));
        }
        for (int i = 0; i < specs.size(); i++) {
            if (found.get(i) != null) {
                layoutsByTenant.computeIfAbsent(specs.get(i).tenant(), k -> new HashMap<>())
                        .put(specs.get(i).name(), found.get(i));
            }
        }
        Map<Long, Plan> plans = new HashMap<>();
        Plan.<Plan>listAll().forEach(p -> plans.put(p.id, p));
        Map<Long, EdgeCacheManifests.EdgeSpec> edgeSpecs = EdgePlacements.inRegion(regionId);
        Map<Long, Map<String, dev.berth.tls.TlsSpec>> tlsByTenant = tls.byTenant(listed);
        return tenants.stream().map(t -> new TenantDesired(t.spec(plans.get(t.planId).limits().with(t.overrides())),
                byTenant.getOrDefault(t.id, List.of()), layoutsByTenant.getOrDefault(t.slug, Map.of()),
                edges(appsByTenant.getOrDefault(t.id, List.of()), edgeSpecs),
                autoscalers(appsByTenant.getOrDefault(t.id, List.of())), tlsByTenant.getOrDefault(t.id, Map.of()),
                processesByTenant.getOrDefault(t.slug, Map.of()))).toList();
    }

    /**
     * Applies the region's own replica counts: the app's spec (default Deployment, edge cache) and every track of
     * its layout run the region's count instead of the app's ({@link RegionReplicas#scale}).
     */
    private static void regional(List<App> apps, List<AppSpec> specs, List<AppLayout> layouts,
            Map<Long, Integer> own) {
        if (own.isEmpty()) {
            return;
        }
        for (int i = 0; i < apps.size(); i++) {
            Integer n = own.get(apps.get(i).id);
            if (n != null) {
                layouts.set(i, RegionReplicas.scale(layouts.get(i), apps.get(i).replicas, n));
                specs.set(i, RegionReplicas.withReplicas(specs.get(i), n));
            }
        }
    }

    /** The edge settings of these apps, by app name. */
    private static Map<String, EdgeCacheManifests.EdgeSpec> edges(List<App> apps,
            Map<Long, EdgeCacheManifests.EdgeSpec> inRegion) {
        Map<String, EdgeCacheManifests.EdgeSpec> m = new HashMap<>();
        if (!inRegion.isEmpty()) {
            apps.stream().filter(a -> inRegion.containsKey(a.id)).forEach(a -> m.put(a.name, inRegion.get(a.id)));
        }
        return m;
    }

    /** The autoscalers of these apps, by app name (apps without one are left out). */
    private static Map<String, Autoscaler> autoscalers(List<App> apps) {
        Map<String, Autoscaler> m = new HashMap<>();
        apps.forEach(a -> {
            if (a.autoscaler() != null) {
                m.put(a.name, a.autoscaler());
            }
        });
        return m;
    }

    private static <T> Map<String, T> byName(List<AppSpec> specs, List<T> layouts) {
        Map<String, T> m = new HashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            if (layouts.get(i) != null) {
                m.put(specs.get(i).name(), layouts.get(i));
            }
        }
        return m;
    }

    private AppSpec spec(String tenant, App a) {
        return new AppSpec(tenant, a.name, a.image, a.port, a.replicas, a.cpuRequestMillis, a.cpuLimitMillis,
                a.memoryRequestBytes, a.memoryLimitBytes, a.healthPath, a.customDomain, new TreeMap<>(a.env),
                apps.unsealedSecrets(a));
    }
}
