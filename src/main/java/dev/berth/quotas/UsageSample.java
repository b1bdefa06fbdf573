package dev.berth.quotas;

import java.time.Instant;
import java.util.List;

/**
 * One recorded sample of a tenant's use and its limits at that moment, as the history API, the CSV export and the
 * charts read it. CPU is in millicores, memory in bytes, build time in started minutes of the sample's month (UTC).
 */
public record UsageSample(String tenant, Instant at, int apps, int appsLimit, int pods, int podsLimit,
        long cpuRequestMillis, long cpuRequestLimitMillis, long cpuLimitMillis, long memoryRequestBytes,
        long memoryRequestLimitBytes, long memoryLimitBytes, long buildMinutesThisMonth, long buildMinutesLimit) {

    /** The CSV header, in the order of {@link #csvValues()}. */
    public static final List<String> CSV_COLUMNS = List.of("tenant", "sampled_at", "apps", "apps_limit", "pods",
            "pods_limit", "cpu_request_millis", "cpu_request_limit_millis", "cpu_limit_millis",
            "memory_request_bytes", "memory_request_limit_bytes", "memory_limit_bytes", "build_minutes_this_month",
            "build_minutes_limit");

    /** The columns the queries select, in the order of the constructor. */
    static final String SELECT = "t.slug, s.sampled_at, s.apps, s.limit_apps, s.pods, s.limit_pods, "
            + "s.cpu_request_millis, s.limit_cpu_request, s.cpu_limit_millis, s.memory_request_bytes, "
            + "s.limit_memory_request, s.memory_limit_bytes, (s.build_seconds_month + 59) / 60, s.limit_build_minutes";

    List<Object> csvValues() {
        return List.of(tenant, at, apps, appsLimit, pods, podsLimit, cpuRequestMillis, cpuRequestLimitMillis,
                cpuLimitMillis, memoryRequestBytes, memoryRequestLimitBytes, memoryLimitBytes, buildMinutesThisMonth,
                buildMinutesLimit);
    }

    static UsageSample of(java.sql.ResultSet r) throws java.sql.SQLException {
        return new UsageSample(r.getString(1), r.getTimestamp(2).toInstant(), r.getInt(3), r.getInt(4), r.getInt(5),
                r.getInt(6), r.getLong(7), r.getLong(8), r.getLong(9), r.getLong(10), r.getLong(11), r.getLong(12),
                r.getLong(13), r.getLong(14));
    }
}
