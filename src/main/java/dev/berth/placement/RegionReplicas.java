package dev.berth.placement;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppSpec;
import io.quarkus.hibernate.orm.panache.Panache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replicas per region: an app runs its own {@code replicas} in every region of its placement unless the placement
 * names a count for a region ({@code app_region.replicas}). Pure scaling rules plus the queries that read the
 * overrides, shared by the reconciler (what a region's Deployments ask for) and the rollout progress (what a region
 * must have ready).
 */
public final class RegionReplicas {
    private RegionReplicas() {
    }

    /**
     * A track's replicas in a region whose count differs from the app's: the app's main track (as many replicas as
     * the app) gets the region's count; a second track (idle colour, canary) scales in proportion, at least one while
     * the region runs any; a region with 0 runs nothing.
     */
    public static int track(int appReplicas, int regionReplicas, int trackReplicas) {
        if (regionReplicas == appReplicas) {
            return trackReplicas;
        }
        if (regionReplicas == 0) {
            return 0;
        }
        if (trackReplicas == appReplicas) {
            return regionReplicas;
        }
        if (appReplicas == 0 || trackReplicas == 0) {
            return trackReplicas;
        }
        return Math.max(1, Math.round(trackReplicas * (float) regionReplicas / appReplicas));
    }

    /** The layout with every track scaled to the region's count ({@link #track}). */
    public static AppLayout scale(AppLayout layout, int appReplicas, int regionReplicas) {
        if (layout == null || regionReplicas == appReplicas) {
            return layout;
        }
        List<AppLayout.Track> tracks = new ArrayList<>();
        for (AppLayout.Track t : layout.tracks()) {
            tracks.add(new AppLayout.Track(t.label(), withReplicas(t.spec(), regionReplicas), track(appReplicas,
                    regionReplicas, t.replicas()), t.release()));
        }
        return new AppLayout(layout.strategy(), layout.maxSurge(), layout.maxUnavailable(), layout.liveColor(),
                layout.canaryWeight(), tracks);
    }

    public static AppSpec withReplicas(AppSpec a, int replicas) {
        return a.replicas() == replicas ? a : new AppSpec(a.tenant(), a.name(), a.image(), a.port(), replicas,
                a.cpuRequestMillis(), a.cpuLimitMillis(), a.memoryRequestBytes(), a.memoryLimitBytes(), a.healthPath(),
                a.customDomain(), a.env(), a.secretEnv());
    }

    /** App id to its replica count in the region, for the apps whose placement names one; call in a transaction. */
    public static Map<Long, Integer> inRegion(long regionId) {
        Map<Long, Integer> m = new HashMap<>();
        for (Object[] r : Panache.getEntityManager().createQuery("select ar.appId, ar.replicas from AppRegion ar "
                + "where ar.regionId = :r and ar.replicas is not null", Object[].class).setParameter("r", regionId)
                .getResultList()) {
            m.put((Long) r[0], (Integer) r[1]);
        }
        return m;
    }

    /**
     * What a track of the app must have in one region: {@code desired} for the app as a whole, scaled when the
     * region has its own count. Call in a transaction.
     */
    public static int desiredIn(String tenant, String app, String region, int desired) {
        List<Object[]> rows = Panache.getEntityManager().createQuery("select a.replicas, ar.replicas from "
                + "AppRegion ar, App a, Tenant t, Region g where a.id = ar.appId and t.id = a.tenantId "
                + "and g.id = ar.regionId and t.slug = :t and a.name = :a and g.name = :g", Object[].class)
                .setParameter("t", tenant).setParameter("a", app).setParameter("g", region).getResultList();
        if (rows.isEmpty() || rows.get(0)[1] == null) {
            return desired;
        }
        return track(((Number) rows.get(0)[0]).intValue(), (Integer) rows.get(0)[1], desired);
    }
}
