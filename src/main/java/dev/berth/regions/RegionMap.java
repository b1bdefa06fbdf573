package dev.berth.regions;

import dev.berth.identity.CurrentUser;
import dev.berth.identity.Membership;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of the region map and table that pages show (templates call it as {@code inject:regionMap}): each region
 * as a point of an equirectangular projection of its latitude and longitude, its health, and the apps placed there.
 * The map is inline SVG, so it works without JavaScript.
 */
@Named("regionMap")
@ApplicationScoped
public class RegionMap {
    public static final int WIDTH = 720;
    public static final int HEIGHT = 360;
    /** Apps named per region; the rest are counted, so the page stays the same size however many apps there are. */
    static final int NAMES_SHOWN = 10;

    /** One region on the map; {@code x}/{@code y} are null for a region without coordinates. */
    public record Point(String name, String displayName, String city, Integer x, Integer y, String health,
            Instant unreachableSince, List<String> apps, long appCount) {
        /** How many apps placed here are not named. */
        public long moreApps() {
            return appCount - apps.size();
        }

        public int labelX() {
            return x == null ? 0 : x + 10;
        }

        public int labelY() {
            return y == null ? 0 : y + 4;
        }

        public String cssClass() {
            return "reachable".equals(health) ? "state-running" : "unreachable".equals(health) ? "state-degraded"
                    : "state-unknown";
        }
    }

    /** The map's points and its size. */
    public record MapView(List<Point> points, int width, int height) {
        public int midX() {
            return width / 2;
        }

        public int midY() {
            return height / 2;
        }

        public boolean located() {
            return points.stream().anyMatch(p -> p.x() != null);
        }
    }

    @Inject
    CurrentUser user;

    /** Every region with the number of apps placed there (admin view). */
    @Transactional
    public MapView all() {
        return build(null);
    }

    /**
     * Every region, with the apps placed there that the viewer may see: all of them for platform admins, else only
     * those of the tenants the viewer is a member of. Other tenants' apps are neither named nor counted.
     */
    @Transactional
    public MapView forViewer() {
        if (user.isPlatformAdmin()) {
            return build(null);
        }
        List<Long> mine = user.token() != null ? List.of(user.token().tenantId())
                : Membership.listBySubject(user.subject()).stream().map(m -> m.id.tenantId).toList();
        return build(mine.isEmpty() ? List.of(-1L) : mine);
    }

    /**
     * The regions a tenant may use ({@code regions}, as the caller has read them), with the tenant's apps placed in
     * each: one statement, the first names and the count per region together.
     */
    @Transactional
    public MapView forTenant(long tenantId, List<Region> regions) {
        Map<Long, Long> counts = new LinkedHashMap<>();
        Map<Long, List<String>> apps = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery("select region_id, name, total from ("
                + "select ar.region_id, a.name, row_number() over (partition by ar.region_id order by a.name) as n, "
                + "count(*) over (partition by ar.region_id) as total from app_region ar "
                + "join app a on a.id = ar.app_id where ar.tenant_id = :t) x where n <= :k order by region_id, n")
                .setParameter("t", tenantId).setParameter("k", NAMES_SHOWN).getResultList();
        for (Object[] r : rows) {
            long region = ((Number) r[0]).longValue();
            apps.computeIfAbsent(region, k -> new ArrayList<>()).add((String) r[1]);
            counts.put(region, ((Number) r[2]).longValue());
        }
        return view(regions, counts, apps);
    }

    /** Every region, with the apps of {@code tenantIds} (null: of every tenant) placed there. */
    private MapView build(List<Long> tenantIds) {
        List<Region> regions = Region.listAllByName();
        Map<Long, Long> counts = new LinkedHashMap<>();
        var count = Panache.getEntityManager().createQuery("select ar.regionId, count(ar) from AppRegion ar"
                + (tenantIds == null ? "" : " where ar.tenantId in :ids") + " group by ar.regionId", Object[].class);
        if (tenantIds != null) {
            count.setParameter("ids", tenantIds);
        }
        count.getResultList().forEach(r -> counts.put((Long) r[0], (Long) r[1]));
        // The first few names per region (by tenant and app), not every placement: at 100,000 apps the admin map
        // would otherwise load and render every row.
        Map<Long, List<String>> apps = new LinkedHashMap<>();
        var names = Panache.getEntityManager().createNativeQuery("select region_id, label from (select ar.region_id, "
                + "t.slug || '/' || a.name as label, row_number() over "
                + "(partition by ar.region_id order by t.slug, a.name) as n from app_region ar "
                + "join app a on a.id = ar.app_id join tenant t on t.id = a.tenant_id"
                + (tenantIds == null ? "" : " where t.id in (:ids)") + ") x where n <= :k order by region_id, n");
        if (tenantIds != null) {
            names.setParameter("ids", tenantIds);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = names.setParameter("k", NAMES_SHOWN).getResultList();
        for (Object[] r : rows) {
            apps.computeIfAbsent(((Number) r[0]).longValue(), k -> new ArrayList<>()).add((String) r[1]);
        }
        return view(regions, counts, apps);
    }

    private static MapView view(List<Region> regions, Map<Long, Long> counts, Map<Long, List<String>> apps) {
        List<Point> points = new ArrayList<>();
        for (Region r : regions) {
            Integer x = r.longitude == null ? null : (int) Math.round((r.longitude + 180) / 360 * WIDTH);
            Integer y = r.latitude == null ? null : (int) Math.round((90 - r.latitude) / 180 * HEIGHT);
            String health = r.health().value();
            points.add(new Point(r.name, r.displayName, r.city, x, y, health,
                    r.unreachableSince, apps.getOrDefault(r.id, List.of()),
                    counts.getOrDefault(r.id, 0L)));
        }
        return new MapView(points, WIDTH, HEIGHT);
    }
}
