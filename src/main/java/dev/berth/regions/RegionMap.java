package dev.berth.regions;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.transaction.Transactional;
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

    /** One region on the map; {@code x}/{@code y} are null for a region without coordinates. */
    public record Point(String name, String displayName, String city, Integer x, Integer y, String health,
            String unreachableSince, List<String> apps) {
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

    /** Every region with the number of apps placed there (admin view). */
    @Transactional
    public MapView all() {
        return build(null);
    }

    /** The regions a tenant may use, with the tenant's apps placed in each. */
    @Transactional
    public MapView forTenant(String slug) {
        return build(slug);
    }

    private MapView build(String slug) {
        List<Region> regions = slug == null ? Region.listAllByName() : Panache.getEntityManager().createQuery(
                "select r from Region r where r.id in (select tr.regionId from TenantRegion tr, Tenant t where "
                        + "t.id = tr.tenantId and t.slug = :s) order by r.name", Region.class)
                .setParameter("s", slug).getResultList();
        Map<Long, List<String>> apps = new LinkedHashMap<>();
        var query = Panache.getEntityManager().createQuery("select ar.regionId, t.slug, a.name from "
                + "AppRegion ar, App a, Tenant t where a.id = ar.appId and t.id = a.tenantId"
                + (slug == null ? "" : " and t.slug = :s") + " order by t.slug, a.name", Object[].class);
        if (slug != null) {
            query.setParameter("s", slug);
        }
        List<Object[]> rows = query.getResultList();
        for (Object[] r : rows) {
            apps.computeIfAbsent((Long) r[0], k -> new ArrayList<>()).add(slug == null ? r[1] + "/" + r[2] : (String) r[2]);
        }
        List<Point> points = new ArrayList<>();
        for (Region r : regions) {
            Integer x = r.longitude == null ? null : (int) Math.round((r.longitude + 180) / 360 * WIDTH);
            Integer y = r.latitude == null ? null : (int) Math.round((90 - r.latitude) / 180 * HEIGHT);
            String health = r.reachable == null ? "unknown" : r.reachable ? "reachable" : "unreachable";
            points.add(new Point(r.name, r.displayName, r.city, x, y, health,
                    r.unreachableSince == null ? null : r.unreachableSince.toString(), apps.getOrDefault(r.id, List.of())));
        }
        return new MapView(points, WIDTH, HEIGHT);
    }
}
