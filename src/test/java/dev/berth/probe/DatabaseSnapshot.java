package dev.berth.probe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * What a refused request must leave untouched, read in one query: for every table of the schema, its row count,
 * latest {@code updated_at} and sum of {@code version}. Tables with a tenant (directly, or through their app, build
 * or hook) count only the probed tenants' rows, so other tests' leftover work cannot disturb the comparison; the
 * others (tenants, regions, plans, ...) count whole. New tables are covered as they are added.
 */
final class DatabaseSnapshot {
    /**
     * Tables a refused request may legitimately change, or that background work changes whatever requests do.
     * Keep this list small: every entry is a table the oracle cannot see.
     */
    static final Map<String, String> IGNORED = Map.of(
            "audit_event", "records refused attempts (403/404 denied, other 4xx refused) by design",
            "security_event", "the platform security log: records strangers' refused requests by design (rate-limited)",
            "region_lease", "renewed every 10 s by the lease holder, whatever requests do",
            "flyway_schema_history", "migrations, not data");

    private final DataSource dataSource;
    private final String query;

    DatabaseSnapshot(DataSource dataSource, Set<Long> tenantIds) throws SQLException {
        this.dataSource = dataSource;
        String ids = tenantIds.stream().map(String::valueOf).collect(Collectors.joining(","));
        Map<String, List<String>> columns = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select table_name, column_name from information_schema.columns "
                        + "where table_schema = current_schema() order by table_name, ordinal_position")) {
            while (rs.next()) {
                columns.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        List<String> parts = new ArrayList<>();
        columns.forEach((table, cols) -> {
            if (IGNORED.containsKey(table)) {
                return;
            }
            String where = cols.contains("tenant_id") ? "tenant_id in (" + ids + ")"
                    : table.equals("tenant") ? "true"
                    : cols.contains("app_id") ? "app_id in (select id from app where tenant_id in (" + ids + "))"
                    : cols.contains("build_id") ? "build_id in (select id from build where tenant_id in (" + ids + "))"
                    : cols.contains("hook_id") ? "hook_id in (select id from notification_hook where tenant_id in ("
                            + ids + "))"
                    : "true";
            parts.add("select '" + table + "' as t, count(*)::text || '/' || "
                    + (cols.contains("updated_at") ? "coalesce(max(updated_at)::text, '-')" : "'-'") + " || '/' || "
                    + (cols.contains("version") ? "coalesce(sum(version)::text, '-')" : "'-'")
                    + " as v from " + table + " where " + where);
        });
        query = String.join(" union all ", parts);
    }

    /** Table name to "rows/latest update/version sum". */
    Map<String, String> take() {
        Map<String, String> result = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                result.put(rs.getString(1), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the probe cannot read the database", e);
        }
        return result;
    }

    /** The tables that differ, with their before and after values. */
    static List<String> changes(Map<String, String> before, Map<String, String> after) {
        List<String> changed = new ArrayList<>();
        after.forEach((t, v) -> {
            if (!v.equals(before.get(t))) {
                changed.add(t + " " + before.get(t) + " -> " + v);
            }
        });
        return changed;
    }

    /**
     * Work a successful change may have started is still going on: a rollout moving or moved within the last
     * second, a build running or finished within the last second (its last log lines and its quota reservation
     * follow it), a delivery pending.
     */
    boolean busy(Set<Long> tenantIds) {
        String ids = tenantIds.stream().map(String::valueOf).collect(Collectors.joining(","));
        String sql = "select (select count(*) from rollout where tenant_id in (" + ids + ")"
                + " and (state in ('deploying', 'switching', 'holding') or updated_at > now() - interval '1 second'))"
                + " + (select count(*) from build where tenant_id in (" + ids + ")"
                + " and (state in ('queued', 'cloning', 'building', 'pushing')"
                + " or finished_at > now() - interval '1 second'))"
                + " + (select count(*) from notification_delivery where tenant_id in (" + ids + ")"
                + " and state = 'pending')";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("the probe cannot read the database", e);
        }
    }
}
