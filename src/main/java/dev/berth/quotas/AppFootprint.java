package dev.berth.quotas;

/**
 * What one app (or one extra set of replicas) takes from a tenant's quota: its replicas with their per-replica CPU
 * and memory requests and limits, and whether it uses a custom domain.
 */
public record AppFootprint(int replicas, int cpuRequestMillis, int cpuLimitMillis, long memoryRequestBytes,
        long memoryLimitBytes, boolean customDomain) {

    public static final AppFootprint NONE = new AppFootprint(0, 0, 0, 0, 0, false);

    public long totalCpuRequestMillis() {
        return (long) replicas * cpuRequestMillis;
    }

    public long totalCpuLimitMillis() {
        return (long) replicas * cpuLimitMillis;
    }

    public long totalMemoryRequestBytes() {
        return replicas * memoryRequestBytes;
    }

    public long totalMemoryLimitBytes() {
        return replicas * memoryLimitBytes;
    }

    /** The same per-replica resources with another replica count (a canary's extra replicas, for example). */
    public AppFootprint withReplicas(int n) {
        return new AppFootprint(n, cpuRequestMillis, cpuLimitMillis, memoryRequestBytes, memoryLimitBytes, customDomain);
    }
}
