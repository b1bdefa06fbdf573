package dev.berth.tenancy;

/**
 * A tenant's desired state as manifests need it, detached from the database: its effective limits (plan with
 * overrides). CPU and memory have a cap on the sum of requests and one on the sum of limits.
 */
public record TenantSpec(String slug, String displayName, int cpuRequestMillis, int cpuLimitMillis,
        long memoryRequestBytes, long memoryLimitBytes, int maxPods, int maxApps) {
}
