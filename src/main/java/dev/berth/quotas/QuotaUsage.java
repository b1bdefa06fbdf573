package dev.berth.quotas;

/**
 * What a tenant holds right now: its apps' replicas times their per-replica requests and limits, plus unexpired
 * rollout reservations (second colours, canaries); running builds and build time this month (UTC).
 */
public record QuotaUsage(int apps, int pods, long cpuRequestMillis, long cpuLimitMillis, long memoryRequestBytes,
        long memoryLimitBytes, int customDomains, int activeBuilds, long buildSecondsThisMonth) {

    /** This use with one more app's footprint (its replicas, resources and custom domain; not the app count). */
    public QuotaUsage plus(AppFootprint a) {
        return new QuotaUsage(apps, pods + a.replicas(), cpuRequestMillis + a.totalCpuRequestMillis(),
                cpuLimitMillis + a.totalCpuLimitMillis(), memoryRequestBytes + a.totalMemoryRequestBytes(),
                memoryLimitBytes + a.totalMemoryLimitBytes(), customDomains + (a.customDomain() ? 1 : 0), activeBuilds,
                buildSecondsThisMonth);
    }

    /** Build minutes this month, rounded up: a build of 10 seconds counts as a started minute. */
    public long buildMinutesThisMonth() {
        return (buildSecondsThisMonth + 59) / 60;
    }
}
