package dev.berth.tenants;

import io.quarkus.hibernate.orm.panache.Panache;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregates what tenants' apps request, one grouped query for a whole page of tenants, so lists stay fast with
 * thousands of tenants.
 */
public final class TenantUsage {
    private TenantUsage() {
    }

    public static Map<Long, TenantView.Usage> forTenants(Collection<Long> tenantIds) {
        Map<Long, TenantView.Usage> result = new HashMap<>();
        if (tenantIds.isEmpty()) {
            return result;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createQuery(
                "select a.tenantId, count(a), coalesce(sum(a.replicas), 0), "
                        + "coalesce(sum(a.replicas * a.cpuRequestMillis), 0), "
                        + "coalesce(sum(a.replicas * a.memoryRequestBytes), 0) "
                        + "from App a where a.tenantId in :ids group by a.tenantId")
                .setParameter("ids", tenantIds).getResultList();
        for (Object[] r : rows) {
            result.put((Long) r[0], TenantView.Usage.of(((Number) r[1]).intValue(), ((Number) r[2]).intValue(),
                    ((Number) r[3]).longValue(), ((Number) r[4]).longValue()));
        }
        for (Long id : tenantIds) {
            result.putIfAbsent(id, TenantView.Usage.of(0, 0, 0, 0));
        }
        return result;
    }
}
