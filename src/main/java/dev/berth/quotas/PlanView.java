package dev.berth.quotas;

import dev.berth.kube.Quantities;
import java.time.Instant;

/** A plan as the API and the plans page show it, with how many tenants are on it. */
public record PlanView(String name, String displayName, String cpuRequest, String cpuLimit, String memoryRequest,
        String memoryLimit, int pods, int apps, int replicasPerApp, int concurrentBuilds, int buildMinutesPerMonth,
        int regions, int customDomains, int buildTimeoutMinutes, long tenants, Instant updatedAt) {

    static PlanView of(Plan p, long tenants) {
        return new PlanView(p.name, p.displayName, Quantities.cpu(p.cpuRequestMillis), Quantities.cpu(p.cpuLimitMillis),
                Quantities.memory(p.memoryRequestBytes), Quantities.memory(p.memoryLimitBytes), p.maxPods, p.maxApps,
                p.maxReplicasPerApp, p.maxConcurrentBuilds, p.buildMinutesPerMonth, p.maxRegions, p.maxCustomDomains,
                QuotaLimits.minutes(p.buildTimeoutSeconds), tenants, p.updatedAt);
    }
}
