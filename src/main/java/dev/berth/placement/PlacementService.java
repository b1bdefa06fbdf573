package dev.berth.placement;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.apps.AppConfigChanged;
import dev.berth.audit.AuditLog;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.quotas.QuotaService;
import dev.berth.regions.Region;
import dev.berth.regions.TenantRegionGrants;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Owns apps' placements: which regions an app runs in (primary and replicas, or every region its tenant may use),
 * how many replicas each region runs (the app's, unless the placement sets a count for the region), in which mode,
 * and in which waves releases reach them. Adding regions goes through
 * {@link QuotaService#checkPlacement} in the same transaction; removing one makes the reconciler of that region
 * delete the app's objects there. A new app is placed in every region of its tenant.
 */
@ApplicationScoped
public class PlacementService implements TenantRegionGrants {
    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    QuotaService quota;
    @Inject
    AuditLog audit;
    @Inject
    Event<DesiredStateChanged> changed;

    /** A new app runs in every region its tenant may use (its create already counted one region's footprint). */
    void onAppCreated(@Observes AppConfigChanged e) {
        if (!e.created() || Placement.findById(e.app().id) != null) {
            return;
        }
        List<Region> regions = tenantRegions(e.tenantId());
        if (regions.isEmpty()) {
            return;
        }
        Placement p = new Placement();
        p.appId = e.app().id;
        p.tenantId = e.tenantId();
        p.allRegions = true;
        p.persist();
        List<String> names = regions.stream().map(r -> r.name).toList();
        int n = e.app().replicas;
        quota.checkPlacement(e.tenantId(), e.app().id, e.app().footprint(), counts(names.subList(0, 1), Map.of(), n),
                counts(names, Map.of(), n), Set.of());
        for (int i = 0; i < regions.size(); i++) {
            row(e.app(), regions.get(i), i == 0 ? AppRegion.PRIMARY : AppRegion.REPLICA).persist();
        }
    }

    @Transactional
    public PlacementView get(long tenantId, String app) {
        return view(requireApp(tenantId, app));
    }

    @Transactional
    public PlacementView update(long tenantId, String tenant, String appName, PlacementRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        quota.lock(tenantId);
        App a = requireApp(tenantId, appName);
        Placement p = placement(a);
        preconditions.check("the placement of " + a.name, p.version);
        Map<String, Region> usable = new LinkedHashMap<>();
        tenantRegions(tenantId).forEach(r -> usable.put(r.name, r));
        List<AppRegion> rows = AppRegion.listByApp(a.id);
        Map<Long, String> names = new HashMap<>();
        usable.values().forEach(r -> names.put(r.id, r.name));
        String primaryNow = rows.stream().filter(r -> AppRegion.PRIMARY.equals(r.role)).map(r -> names.get(r.regionId))
                .findFirst().orElse(null);
        List<String> before = rows.stream().map(r -> names.get(r.regionId)).filter(n -> n != null).toList();
        Map<String, Integer> countsNow = new TreeMap<>();
        rows.stream().filter(r -> r.replicas != null && names.containsKey(r.regionId))
                .forEach(r -> countsNow.put(names.get(r.regionId), r.replicas));

        Validator v = new Validator();
        String primary = req.primary() != null ? req.primary() : primaryNow;
        v.check(primary != null && usable.containsKey(primary), "primary", "must be a region the tenant may use: "
                + usable.keySet());
        boolean all = req.allRegions() != null ? req.allRegions() : req.replicas() == null && p.allRegions;
        List<String> replicas = new ArrayList<>();
        if (all) {
            usable.keySet().stream().filter(n -> !n.equals(primary)).forEach(replicas::add);
        } else if (req.replicas() != null) {
            for (int i = 0; i < req.replicas().size(); i++) {
                String r = req.replicas().get(i);
                v.check(r != null && usable.containsKey(r), "replicas[" + i + "]", "must be a region the tenant may "
                        + "use: " + usable.keySet());
                v.check(r == null || !r.equals(primary), "replicas[" + i + "]", "is the primary region already");
                if (r != null && usable.containsKey(r) && !r.equals(primary) && !replicas.contains(r)) {
                    replicas.add(r);
                }
            }
        } else {
            before.stream().filter(n -> !n.equals(primary)).forEach(replicas::add);
        }
        String mode = req.mode() != null ? req.mode() : p.mode;
        v.check(Placement.MODE_FULL.equals(mode) || Placement.MODE_EDGE_CACHE.equals(mode), "mode",
                "must be 'full' or 'edge-cache'");
        List<String> after = new ArrayList<>();
        after.add(primary);
        after.addAll(replicas);
        List<List<String>> waves = req.waves() == null ? p.waves : req.waves().isEmpty() ? null : req.waves();
        if (waves != null) {
            PlacementRules.waves(v, waves, after);
        }
        List<Placement.CacheRule> rules = req.cacheRules() != null ? req.cacheRules() : p.cacheRules;
        PlacementRules.cacheRules(v, rules);
        Map<String, Integer> regionReplicas = new TreeMap<>(countsNow);
        regionReplicas.keySet().retainAll(after);
        if (req.regionReplicas() != null) {
            regionReplicas = PlacementRules.regionReplicas(v, req.regionReplicas(), after);
        }
        v.throwIfInvalid();

        quota.checkPlacement(tenantId, a.id, a.footprint(), counts(before, countsNow, a.replicas),
                counts(after, regionReplicas, a.replicas), regionReplicas.keySet());
        Map<String, Object> diff = new LinkedHashMap<>();
        apply(a, rows, usable, primary, replicas, diff);
        setRegionReplicas(a, countsNow, regionReplicas, diff);
        boolean pause = req.pauseBetweenWaves() != null ? req.pauseBetweenWaves() : p.pauseBetweenWaves;
        if (p.allRegions != all || !mode.equals(p.mode) || p.pauseBetweenWaves != pause
                || !java.util.Objects.equals(waves, p.waves) || !rules.equals(p.cacheRules)) {
            diff.put("settings", "mode " + mode + ", allRegions " + all + ", waves " + (waves == null ? "default" : waves));
        }
        p.allRegions = all;
        p.mode = mode;
        p.waves = waves;
        p.pauseBetweenWaves = pause;
        p.cacheRules = new ArrayList<>(rules);
        p.updatedAt = Instant.now();
        if (!diff.isEmpty()) {
            audit.record(tenantId, tenant, a.name, "app.placement", "placed " + a.name + " in " + after
                    + " (primary " + primary + ", " + mode + ")", diff);
            changed.fire(new DesiredStateChanged(tenant));
        }
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush(); // the response shows the new version
        return view(a);
    }

    /** Purges the app's edge caches: a new cache generation makes every cached response a miss. */
    @Transactional
    public PlacementView purge(long tenantId, String tenant, String appName) {
        App a = requireApp(tenantId, appName);
        Placement p = placement(a);
        p.cacheGeneration++;
        p.updatedAt = Instant.now();
        audit.record(tenantId, tenant, a.name, "app.cache-purge", "purged the edge caches of " + a.name
                + " (generation " + p.cacheGeneration + ")", null);
        changed.fire(new DesiredStateChanged(tenant));
        return view(a);
    }

    /** A tenant was granted a region: its apps placed in "every region" follow (within their quota). */
    @Override
    @Transactional(Transactional.TxType.MANDATORY)
    public void tenantGranted(long tenantId, Region region) {
        for (Placement p : Placement.<Placement>list("tenantId = ?1 and allRegions = true", tenantId)) {
            App a = App.findById(p.appId);
            Map<String, Integer> before = new TreeMap<>();
            for (AppRegion r : AppRegion.listByApp(a.id)) {
                before.put(Region.<Region>findById(r.regionId).name, r.replicas == null ? a.replicas : r.replicas);
            }
            if (!before.containsKey(region.name)) {
                Map<String, Integer> after = new TreeMap<>(before);
                after.put(region.name, a.replicas);
                quota.checkPlacement(tenantId, a.id, a.footprint(), before, after, Set.of());
                row(a, region, before.isEmpty() ? AppRegion.PRIMARY : AppRegion.REPLICA).persist();
            }
        }
    }

    private void apply(App a, List<AppRegion> rows, Map<String, Region> usable, String primary, List<String> replicas,
            Map<String, Object> diff) {
        Set<Long> keep = new LinkedHashSet<>();
        keep.add(usable.get(primary).id);
        replicas.forEach(r -> keep.add(usable.get(r).id));
        for (AppRegion row : rows) {
            if (!keep.contains(row.regionId)) {
                diff.put("region." + regionName(row.regionId), row.role + " -> (removed)");
                row.delete();
            }
        }
        Panache.getEntityManager().flush();
        Map<Long, AppRegion> byRegion = new HashMap<>();
        rows.stream().filter(r -> keep.contains(r.regionId)).forEach(r -> byRegion.put(r.regionId, r));
        // Demote first, so the one-primary index holds at every flush.
        for (AppRegion row : byRegion.values()) {
            if (AppRegion.PRIMARY.equals(row.role) && !row.regionId.equals(usable.get(primary).id)) {
                row.role = AppRegion.REPLICA;
                diff.put("region." + regionName(row.regionId), "primary -> replica");
            }
        }
        Panache.getEntityManager().flush();
        for (Long id : keep) {
            String role = id.equals(usable.get(primary).id) ? AppRegion.PRIMARY : AppRegion.REPLICA;
            AppRegion row = byRegion.get(id);
            if (row == null) {
                AppRegion added = row(a, Region.findById(id), role);
                added.persist();
                diff.put("region." + regionName(id), "(none) -> " + role);
            } else if (!row.role.equals(role)) {
                diff.put("region." + regionName(id), row.role + " -> " + role);
                row.role = role;
            }
        }
    }

    /** Stores the replica counts per region (rows of regions not named run the app's replicas). */
    private static void setRegionReplicas(App a, Map<String, Integer> now, Map<String, Integer> next,
            Map<String, Object> diff) {
        for (AppRegion row : AppRegion.listByApp(a.id)) {
            String name = regionName(row.regionId);
            Integer want = next.get(name);
            if (!java.util.Objects.equals(row.replicas, want)) {
                row.replicas = want;
            }
            if (!java.util.Objects.equals(now.get(name), want)) {
                diff.put("regionReplicas." + name, (now.get(name) == null ? "app's" : now.get(name)) + " -> "
                        + (want == null ? "app's (" + a.replicas + ")" : want));
            }
        }
    }

    /** Each region's replica count: its own where the placement sets one, else the app's. */
    static Map<String, Integer> counts(Collection<String> regions, Map<String, Integer> own, int appReplicas) {
        Map<String, Integer> m = new TreeMap<>();
        regions.forEach(r -> m.put(r, own.getOrDefault(r, appReplicas)));
        return m;
    }

    private static String regionName(long id) {
        Region r = Region.findById(id);
        return r == null ? String.valueOf(id) : r.name;
    }

    private static AppRegion row(App a, Region r, String role) {
        AppRegion row = new AppRegion();
        row.appId = a.id;
        row.tenantId = a.tenantId;
        row.regionId = r.id;
        row.role = role;
        return row;
    }

    static Placement placement(App a) {
        Placement p = Placement.findById(a.id);
        if (p == null) {
            p = new Placement();
            p.appId = a.id;
            p.tenantId = a.tenantId;
            p.persist();
        }
        return p;
    }

    static App requireApp(long tenantId, String name) {
        return App.require(tenantId, name);
    }

    static List<Region> tenantRegions(long tenantId) {
        return Panache.getEntityManager().createQuery("select r from Region r where r.id in (select tr.regionId "
                + "from TenantRegion tr where tr.tenantId = :t) order by r.name", Region.class)
                .setParameter("t", tenantId).getResultList();
    }

    /** The app's placement as the API shows it. */
    PlacementView view(App a) {
        Placement p = placement(a);
        List<PlacementView.RegionRole> roles = new ArrayList<>();
        Map<String, Integer> own = new TreeMap<>();
        String primary = null;
        List<String> replicas = new ArrayList<>();
        List<AppRegion> rows = new ArrayList<>(AppRegion.listByApp(a.id));
        Map<Long, String> names = new HashMap<>();
        rows.forEach(r -> names.put(r.regionId, regionName(r.regionId)));
        rows.sort((x, y) -> names.get(x.regionId).compareTo(names.get(y.regionId)));
        for (AppRegion r : rows) {
            roles.add(new PlacementView.RegionRole(names.get(r.regionId), r.role,
                    r.replicas == null ? a.replicas : r.replicas, r.pinnedRelease));
            if (r.replicas != null) {
                own.put(names.get(r.regionId), r.replicas);
            }
            if (AppRegion.PRIMARY.equals(r.role)) {
                primary = names.get(r.regionId);
            } else {
                replicas.add(names.get(r.regionId));
            }
        }
        return new PlacementView(a.name, primary, replicas, p.allRegions, p.mode, Waves.of(p.waves, primary, replicas),
                p.pauseBetweenWaves, p.cacheRules, p.cacheGeneration, own, roles, p.version);
    }
}
