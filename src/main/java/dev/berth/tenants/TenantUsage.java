package dev.berth.tenants;

import io.quarkus.hibernate.orm.panache.Panache;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregates what tenants' apps request and their build time this month, two grouped queries for a whole page of
 * tenants, so lists stay fast with thousands of tenants.
 */
public final class TenantUsage {
    private TenantUsage() {
    }

    public static Map<Long, TenantView.Usage> forTenants(Collection<Long> tenantIds) {
        Map<Long, TenantView.Usage> result = new HashMap<>();
        if (tenantIds.isEmpty()) {
            return result;
        }
        Map<Long, Long> buildSeconds = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> builds = Panache.getEntityManager().createNativeQuery(
                "select tenant_id, seconds from build_usage where tenant_id in (:ids) and month = :m")
                .setParameter("ids", tenantIds)
                .setParameter("m", LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1)).getResultList();
        builds.forEach(r -> buildSeconds.put(((Number) r[0]).longValue(), ((Number) r[1]).longValue()));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createQuery(
                "select a.tenantId, count(a), coalesce(sum(a.replicas), 0), "
                        + "coalesce(sum(a.replicas * a.cpuRequestMillis), 0), "
                        + "coalesce(sum(a.replicas * a.memoryRequestBytes), 0), "
                        + "coalesce(sum(a.replicas * a.cpuLimitMillis), 0), "
                        + "coalesce(sum(a.replicas * a.memoryLimitBytes), 0), count(a.customDomain) "
                        + "from App a where a.tenantId in :ids group by a.tenantId")
                .setParameter("ids", tenantIds).getResultList();
        for (Object[] r : rows) {
            long id = (Long) r[0];
            result.put(id, TenantView.Usage.of(n(r[1]), n(r[2]), l(r[3]), l(r[4]), l(r[5]), l(r[6]), n(r[7]),
                    minutes(buildSeconds.getOrDefault(id, 0L))));
        }
        for (Long id : tenantIds) {
            result.putIfAbsent(id, TenantView.Usage.of(0, 0, 0, 0, 0, 0, 0,
                    minutes(buildSeconds.getOrDefault(id, 0L))));
        }
        return result;
    }

    private static long minutes(long seconds) {
        return (seconds + 59) / 60;
    }

    private static int n(Object o) {
        return ((Number) o).intValue();
    }

    private static long l(Object o) {
        return ((Number) o).longValue();
    }
}
