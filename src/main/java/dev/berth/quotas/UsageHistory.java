package dev.berth.quotas;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the usage history the {@link UsageSampler} records: one tenant's samples, every tenant's samples streamed
 * row by row (exports of all tenants can be large, so they are never held in memory), a tenant's history reduced to
 * chart buckets, and the tenants near or over a limit in the latest sample. Plain JDBC with a cursor (fetch size),
 * read-only.
 */
@ApplicationScoped
public class UsageHistory {
    private static final int FETCH = 1000;

    /** Receives streamed samples; may throw I/O errors of the stream it writes to. */
    @FunctionalInterface
    public interface Sink {
        void accept(UsageSample sample) throws java.io.IOException;
    }

    /** One chart bucket: the highest use and the lowest limit seen in it (the conservative view of the bucket). */
    public record Bucket(Instant at, long apps, long appsLimit, long pods, long podsLimit, long cpuRequestMillis,
            long cpuRequestLimitMillis, long memoryRequestBytes, long memoryRequestLimitBytes, long buildMinutes,
            long buildMinutesLimit) {
    }

    @Inject
    AgroalDataSource db;

    /** One tenant's samples in the range, oldest first. */
    public List<UsageSample> forTenant(long tenantId, UsageRange range) {
        List<UsageSample> out = new ArrayList<>();
        stream(tenantId, null, range, out::add);
        return out;
    }

    /**
     * Streams samples in the range, ordered by tenant then time: of one tenant ({@code tenantId}), of the tenant
     * named {@code slug}, or of every tenant when both are null.
     */
    public void stream(Long tenantId, String slug, UsageRange range, Sink sink) {
        String sql = "select " + UsageSample.SELECT + " from usage_sample s join tenant t on t.id = s.tenant_id "
                + "where s.sampled_at >= ? and s.sampled_at < ?" + (tenantId != null ? " and s.tenant_id = ?" : "")
                + (slug != null ? " and t.slug = ?" : "") + " order by t.slug, s.sampled_at";
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(FETCH);
                ps.setTimestamp(1, Timestamp.from(range.from()));
                ps.setTimestamp(2, Timestamp.from(range.to()));
                if (tenantId != null) {
                    ps.setLong(3, tenantId);
                } else if (slug != null) {
                    ps.setString(3, slug);
                }
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        sink.accept(UsageSample.of(r));
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new jakarta.persistence.PersistenceException("reading usage history failed", e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A tenant's history in the range, reduced to buckets of {@code width} (aligned to the epoch), oldest first. */
    public List<Bucket> buckets(long tenantId, UsageRange range, Duration width) {
        return buckets("s.tenant_id = ?", ps -> ps.setLong(4, tenantId), range, width)
                .getOrDefault(String.valueOf(tenantId), List.of());
    }

    /** Several tenants' histories (by slug) reduced to buckets, in one query. */
    public Map<String, List<Bucket>> buckets(List<String> slugs, UsageRange range, Duration width) {
        if (slugs.isEmpty()) {
            return Map.of();
        }
        return buckets("t.slug = any(?)", ps -> ps.setArray(4, ps.getConnection().createArrayOf("varchar",
                slugs.toArray())), range, width);
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Map<String, List<Bucket>> buckets(String where, Binder binder, UsageRange range, Duration width) {
        boolean byId = where.startsWith("s.tenant_id");
        String sql = """
                select date_bin(make_interval(secs => ?), s.sampled_at, timestamptz '1970-01-01 00:00:00+00') as b,
                    max(s.apps), min(s.limit_apps), max(s.pods), min(s.limit_pods), max(s.cpu_request_millis),
                    min(s.limit_cpu_request), max(s.memory_request_bytes), min(s.limit_memory_request),
                    max((s.build_seconds_month + 59) / 60), min(s.limit_build_minutes), %s as k
                from usage_sample s %s
                where s.sampled_at >= ? and s.sampled_at < ? and %s
                group by k, b order by k, b""".formatted(byId ? "s.tenant_id::text" : "t.slug",
                byId ? "" : "join tenant t on t.id = s.tenant_id", where);
        Map<String, List<Bucket>> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setDouble(1, Math.max(1, width.getSeconds()));
            ps.setTimestamp(2, Timestamp.from(range.from()));
            ps.setTimestamp(3, Timestamp.from(range.to()));
            binder.bind(ps);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.computeIfAbsent(r.getString(12), k -> new ArrayList<>()).add(new Bucket(
                            r.getTimestamp(1).toInstant(), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5),
                            r.getLong(6), r.getLong(7), r.getLong(8), r.getLong(9), r.getLong(10), r.getLong(11)));
                }
            }
        } catch (SQLException e) {
            throw new jakarta.persistence.PersistenceException("reading usage history failed", e);
        }
        return out;
    }

    /**
     * The tenants whose latest sample is at or above {@code nearPercent} of a sampled limit (apps, pods, CPU and
     * memory requests, build minutes), most used first, at most {@code max}; with the time of that sample.
     */
    public Latest nearOrOver(int nearPercent, int max) {
        String sql = "select " + UsageSample.SELECT + ", count(*) over () from usage_sample s "
                + "join tenant t on t.id = s.tenant_id "
                + "where s.sampled_at = (select max(sampled_at) from usage_sample) and ("
                + near("s.apps", "s.limit_apps") + " or " + near("s.pods", "s.limit_pods") + " or "
                + near("s.cpu_request_millis", "s.limit_cpu_request") + " or "
                + near("s.memory_request_bytes", "s.limit_memory_request") + " or "
                + near("(s.build_seconds_month + 59) / 60", "s.limit_build_minutes::bigint") + ") "
                + "order by greatest(s.apps::float / s.limit_apps, s.pods::float / s.limit_pods, "
                + "s.cpu_request_millis::float / s.limit_cpu_request, "
                + "s.memory_request_bytes::float / s.limit_memory_request) desc, t.slug limit ?2";
        List<UsageSample> out = new ArrayList<>();
        long total = 0;
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.replace("?1", String.valueOf(nearPercent))
                        .replace("?2", "?"))) {
            ps.setInt(1, max);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(UsageSample.of(r));
                    total = r.getLong(15);
                }
            }
        } catch (SQLException e) {
            throw new jakarta.persistence.PersistenceException("reading usage history failed", e);
        }
        return new Latest(out, total);
    }

    private static String near(String used, String limit) {
        return "(" + used + " > 0 and " + used + " * 100 >= " + limit + " * ?1)";
    }

    /** Tenants near or over a limit as of one sample: the first {@code max} of {@code total}. */
    public record Latest(List<UsageSample> samples, long total) {
    }
}
