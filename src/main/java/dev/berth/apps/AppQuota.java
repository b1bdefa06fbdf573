package dev.berth.apps;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.kube.Quantities;
import dev.berth.tenants.Tenant;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.persistence.LockModeType;
import java.util.List;

/**
 * Checks an app change against what the tenant has left, inside the change's transaction and under a lock on the
 * tenant row, so concurrent requests cannot together exceed a limit. Requests and limits of every replica count:
 * the cluster's ResourceQuota caps both at the tenant's CPU and memory.
 */
final class AppQuota {
    private AppQuota() {
    }

    /** Locks the tenant row for the rest of the transaction and returns it. */
    static Tenant lockTenant(long tenantId) {
        return Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Refuses when the tenant's apps, with {@code candidate} in place of {@code excludedAppId} (null for a new app),
     * would exceed a limit. The message names the limit, what is in use and what was asked for.
     */
    static void check(Tenant t, App candidate, Long excludedAppId) {
        Object[] used = (Object[]) Panache.getEntityManager().createQuery(
                "select count(a), coalesce(sum(a.replicas), 0), coalesce(sum(a.replicas * a.cpuRequestMillis), 0), "
                        + "coalesce(sum(a.replicas * a.cpuLimitMillis), 0), "
                        + "coalesce(sum(a.replicas * a.memoryRequestBytes), 0), "
                        + "coalesce(sum(a.replicas * a.memoryLimitBytes), 0) "
                        + "from App a where a.tenantId = :t and a.id <> :x")
                .setParameter("t", t.id).setParameter("x", excludedAppId == null ? -1L : excludedAppId).getSingleResult();
        long apps = ((Number) used[0]).longValue();
        long pods = ((Number) used[1]).longValue();
        long cpuLimits = ((Number) used[3]).longValue();
        long memLimits = ((Number) used[5]).longValue();
        int r = candidate.replicas;
        if (excludedAppId == null && apps + 1 > t.maxApps) {
            throw refuse("name", "apps", String.valueOf(t.maxApps), String.valueOf(apps), "1 more app");
        }
        if (pods + r > t.maxPods) {
            throw refuse("replicas", "pods", String.valueOf(t.maxPods), String.valueOf(pods), r + " pod(s)");
        }
        long cpuAsked = (long) r * candidate.cpuLimitMillis;
        if (cpuLimits + cpuAsked > t.cpuMillis) {
            throw refuse("resources.cpuLimit", "cpu", Quantities.cpu(t.cpuMillis), Quantities.cpu((int) cpuLimits),
                    Quantities.cpu((int) cpuAsked) + " (" + r + " x " + Quantities.cpu(candidate.cpuLimitMillis) + ")");
        }
        long memAsked = r * candidate.memoryLimitBytes;
        if (memLimits + memAsked > t.memoryBytes) {
            throw refuse("resources.memoryLimit", "memory", Quantities.memory(t.memoryBytes),
                    Quantities.memory(memLimits), Quantities.memory(memAsked) + " (" + r + " x "
                            + Quantities.memory(candidate.memoryLimitBytes) + ")");
        }
    }

    private static ApiException refuse(String field, String limit, String max, String used, String asked) {
        String detail = "quota exceeded: tenant limit " + limit + " is " + max + ", " + used + " in use, this change asks for "
                + asked;
        return new ApiException(422, "Quota exceeded", detail, List.of(new FieldError(field, detail)));
    }
}
