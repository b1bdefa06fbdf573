package dev.berth.quotas;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.kube.Quantities;
import dev.berth.tenancy.QuotaLimits;
import java.time.Instant;

/**
 * A plan as the API and the plans page show it; platform admins also see how many tenants are on it ({@code tenants}
 * is left out for everyone else: how many customers use a plan is the platform's business).
 */
public record PlanView(String name, String displayName, String cpuRequest, String cpuLimit, String memoryRequest,
        String memoryLimit, int pods, int apps, int replicasPerApp, int concurrentBuilds, int buildMinutesPerMonth,
        int regions, int customDomains, int buildTimeoutMinutes, @JsonInclude(JsonInclude.Include.NON_NULL) Long tenants, Instant updatedAt,
        long version) {

    static PlanView of(Plan p, Long tenants) {
        return new PlanView(p.name, p.displayName, Quantities.cpu(p.cpuRequestMillis), Quantities.cpu(p.cpuLimitMillis),
                Quantities.memory(p.memoryRequestBytes), Quantities.memory(p.memoryLimitBytes), p.maxPods, p.maxApps,
                p.maxReplicasPerApp, p.maxConcurrentBuilds, p.buildMinutesPerMonth, p.maxRegions, p.maxCustomDomains,
                QuotaLimits.minutes(p.buildTimeoutSeconds), tenants, p.updatedAt, p.version);
    }
}
