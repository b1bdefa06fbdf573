package dev.berth.tenants;

import dev.berth.kube.Quantities;
import java.time.Instant;
import java.util.List;

/** A tenant as the API and pages show it: limits, current use against them, regions and the caller's role. */
public record TenantView(String slug, String displayName, Limits limits, Usage usage, List<String> regions,
        String role, Instant createdAt) {

    public record Limits(String cpu, String memory, int pods, int apps) {
    }

    /** What the tenant's apps request: replicas times per-replica requests. */
    public record Usage(String cpu, String memory, int pods, int apps, int cpuMillis, long memoryBytes) {
        public static Usage of(int apps, int pods, long cpuMillis, long memoryBytes) {
            return new Usage(Quantities.cpu((int) cpuMillis), Quantities.memory(memoryBytes), pods, apps,
                    (int) cpuMillis, memoryBytes);
        }
    }

    public static TenantView of(Tenant t, Usage usage, List<String> regions, String role) {
        return new TenantView(t.slug, t.displayName, new Limits(Quantities.cpu(t.cpuMillis),
                Quantities.memory(t.memoryBytes), t.maxPods, t.maxApps), usage, regions, role, t.createdAt);
    }

    /** Percentages for the dashboard's quota bars. */
    public int cpuPercent() {
        return percent(usage.cpuMillis(), cpuMillisLimit());
    }

    public int memoryPercent() {
        return percent(usage.memoryBytes(), Quantities.parseMemoryBytes(limits.memory()));
    }

    public int podsPercent() {
        return percent(usage.pods(), limits.pods());
    }

    public int appsPercent() {
        return percent(usage.apps(), limits.apps());
    }

    private long cpuMillisLimit() {
        return Quantities.parseCpuMillis(limits.cpu());
    }

    private static int percent(long used, long limit) {
        return limit <= 0 ? 0 : (int) Math.min(999, used * 100 / limit);
    }
}
