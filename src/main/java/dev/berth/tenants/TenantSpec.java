package dev.berth.tenants;

/** A tenant's desired state as manifests need it, detached from the database. */
public record TenantSpec(String slug, String displayName, int cpuMillis, long memoryBytes, int maxPods, int maxApps) {
}
