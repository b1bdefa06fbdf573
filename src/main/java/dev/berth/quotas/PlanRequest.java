package dev.berth.quotas;

/**
 * A plan as clients send it. Creating a plan needs every limit except {@code buildTimeoutMinutes} (30 when
 * absent); changing one needs only what changes ({@code name} cannot change: tenants and automation refer to it).
 */
public record PlanRequest(String name, String displayName, String cpuRequest, String cpuLimit, String memoryRequest,
        String memoryLimit, Integer pods, Integer apps, Integer replicasPerApp, Integer concurrentBuilds,
        Integer buildMinutesPerMonth, Integer regions, Integer customDomains, Integer buildTimeoutMinutes) {

    LimitsRequest limits() {
        return new LimitsRequest(cpuRequest, cpuLimit, memoryRequest, memoryLimit, pods, apps, replicasPerApp,
                concurrentBuilds, buildMinutesPerMonth, regions, customDomains, buildTimeoutMinutes);
    }
}
