package dev.berth.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Fills a migrated Berth schema with platform-scale data in set-based SQL ({@code generate_series}, no API calls):
 * {@code tenants} tenants on the three plans, each with an owner, placed in the region {@code region}, and
 * {@code apps} apps in all (spread evenly, each placed in that region), {@code audit} audit events over the last 90
 * days and {@code usage} usage samples (hourly, per tenant, ending now). Names start with {@code scale-} so they do
 * not collide with anything the portal creates. With the defaults (10,000 / 100,000 / 1,000,000 / 1,000,000) it
 * takes a few minutes on 2 busy cores; most of it is building the indexes of the inserted rows.
 */
final class ScaleData {
    record Sizes(int tenants, int apps, int audit, int usage) {
        int appsPerTenant() {
            return Math.max(1, apps / tenants);
        }

        int samplesPerTenant() {
            return Math.max(1, usage / tenants);
        }
    }

    private ScaleData() {
    }

    /** Inserts the data and analyzes the tables; returns the milliseconds each step took, for the report. */
    static String fill(Connection c, Sizes n, String region) throws SQLException {
        StringBuilder took = new StringBuilder();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            step(took, "tenants", s, """
                    insert into tenant (slug, display_name, max_pods, max_apps, created_by, plan_id, created_at)
                    select 'scale-' || lpad(g::text, 6, '0'), 'Scale tenant ' || g, null, 1000, 'scale-data',
                           (select id from plan order by id offset (g %% 3) limit 1), now() - (g || ' minutes')::interval
                    from generate_series(1, %d) g""".formatted(n.tenants()));
            step(took, "members and regions", s, """
                    insert into membership (tenant_id, subject, role, username)
                    select id, 'scale-user-' || (id %% 5000), 'owner', 'scale-user-' || (id %% 5000)
                    from tenant where slug like 'scale-%%';
                    insert into tenant_region (tenant_id, region_id)
                    select t.id, r.id from tenant t, region r where t.slug like 'scale-%%' and r.name = '%s'"""
                    .formatted(region));
            step(took, "apps", s, """
                    insert into app (tenant_id, name, image, port, replicas, cpu_request_millis, cpu_limit_millis,
                                     memory_request_bytes, memory_limit_bytes, env, secret_env)
                    select t.id, 'app-' || lpad(g::text, 4, '0'), 'registry.example.com/scale/app-' || g || ':1', 8080,
                           1, 10, 50, 16777216, 67108864, jsonb_build_object('APP_INDEX', g::text), '{}'::jsonb
                    from tenant t cross join generate_series(1, %d) g where t.slug like 'scale-%%'"""
                    .formatted(n.appsPerTenant()));
            step(took, "placements", s, """
                    insert into app_placement (app_id, tenant_id, all_regions)
                    select a.id, a.tenant_id, true from app a join tenant t on t.id = a.tenant_id
                    where t.slug like 'scale-%%';
                    insert into app_region (app_id, tenant_id, region_id, role)
                    select a.id, a.tenant_id, tr.region_id, 'primary' from app a
                    join tenant t on t.id = a.tenant_id join tenant_region tr on tr.tenant_id = a.tenant_id
                    where t.slug like 'scale-%%'""".formatted());
            step(took, "audit events", s, """
                    insert into audit_event (at, actor, tenant_id, tenant_slug, app_name, action, summary, result)
                    select now() - (g * (90 * 86400.0 / %1$d) || ' seconds')::interval,
                           'scale-user-' || (g %% 5000), t.id, t.slug, 'app-' || lpad((g %% %2$d + 1)::text, 4, '0'),
                           (array['app.create', 'app.update', 'release.create', 'build.request'])[g %% 4 + 1],
                           'changed image of app-' || lpad((g %% %2$d + 1)::text, 4, '0'),
                           case when g %% 50 = 0 then 'refused' else 'ok' end
                    from generate_series(1, %1$d) g
                    join tenant t on t.slug = 'scale-' || lpad((g %% %3$d + 1)::text, 6, '0')"""
                    .formatted(n.audit(), n.appsPerTenant(), n.tenants()));
            step(took, "usage samples", s, """
                    insert into usage_sample (tenant_id, sampled_at, apps, pods, cpu_request_millis, cpu_limit_millis,
                                              memory_request_bytes, memory_limit_bytes, build_seconds_month,
                                              limit_apps, limit_pods, limit_cpu_request, limit_memory_request,
                                              limit_build_minutes)
                    select t.id, date_trunc('hour', now()) - (h || ' hours')::interval, %1$d, %1$d, 10 * %1$d,
                           50 * %1$d, 16777216::bigint * %1$d, 67108864::bigint * %1$d, 60 * (h %% 30), 20, 40, 4000,
                           8589934592, 1000
                    from tenant t cross join generate_series(0, %2$d - 1) h where t.slug like 'scale-%%'"""
                    .formatted(n.appsPerTenant(), n.samplesPerTenant()));
            c.commit();
            step(took, "analyze", s, "analyze tenant; analyze app; analyze app_region; analyze membership; "
                    + "analyze audit_event; analyze usage_sample; analyze tenant_region");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return took.toString();
    }

    private static void step(StringBuilder took, String what, Statement s, String sql) throws SQLException {
        long t0 = System.nanoTime();
        for (String one : sql.split(";\n")) {
            s.execute(one);
        }
        took.append(took.isEmpty() ? "" : ", ").append(what).append(' ')
                .append((System.nanoTime() - t0) / 1_000_000).append(" ms");
    }
}
