package dev.berth.placement;

import dev.berth.apps.AppManifests;
import io.quarkus.hibernate.orm.panache.Panache;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Finds, for one region, the apps it serves as an edge cache (edge-cache placements where it is a replica). */
public final class EdgePlacements {
    private EdgePlacements() {
    }

    /** App id to edge settings; call inside a transaction. */
    public static Map<Long, EdgeCacheManifests.EdgeSpec> inRegion(long regionId) {
        List<Object[]> rows = Panache.getEntityManager().createQuery("select p, a.name, t.slug, a.customDomain, "
                + "(select g.baseDomain from AppRegion pr, Region g where pr.appId = p.appId and pr.role = 'primary' "
                + "and g.id = pr.regionId) from Placement p, AppRegion ar, App a, Tenant t where p.mode = 'edge-cache' "
                + "and ar.appId = p.appId and ar.regionId = :r and ar.role = 'replica' and a.id = p.appId "
                + "and t.id = a.tenantId", Object[].class).setParameter("r", regionId).getResultList();
        Map<Long, EdgeCacheManifests.EdgeSpec> edges = new HashMap<>();
        for (Object[] r : rows) {
            Placement p = (Placement) r[0];
            if (r[4] == null) {
                continue;
            }
            String origin = AppManifests.host((String) r[1], (String) r[2], (String) r[3], (String) r[4]);
            edges.put(p.appId, new EdgeCacheManifests.EdgeSpec(origin, List.copyOf(p.cacheRules), p.cacheGeneration));
        }
        return edges;
    }
}
