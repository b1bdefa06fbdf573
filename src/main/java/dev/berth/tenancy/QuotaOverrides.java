package dev.berth.tenancy;

import dev.berth.kube.Quantities;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tenant's own limits where they differ from its plan; null means "the plan's value". The legacy tenant fields
 * {@code cpu}, {@code memory}, {@code pods} and {@code apps} of the tenant API set these (cpu and memory set both
 * the request and the limit cap), so clients written before plans keep working.
 */
public record QuotaOverrides(Integer cpuRequestMillis, Integer cpuLimitMillis, Long memoryRequestBytes,
        Long memoryLimitBytes, Integer pods, Integer apps, Integer replicasPerApp, Integer concurrentBuilds,
        Integer buildMinutesPerMonth, Integer regions, Integer customDomains, Integer buildTimeoutSeconds) {
    public static final QuotaOverrides NONE = new QuotaOverrides(null, null, null, null, null, null, null, null, null,
            null, null, null);

    public boolean isEmpty() {
        return asMap().isEmpty();
    }

    /** Only the overridden limits, named as in {@link QuotaLimits#asMap()}. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "cpuRequest", cpuRequestMillis == null ? null : Quantities.cpu(cpuRequestMillis));
        put(m, "cpuLimit", cpuLimitMillis == null ? null : Quantities.cpu(cpuLimitMillis));
        put(m, "memoryRequest", memoryRequestBytes == null ? null : Quantities.memory(memoryRequestBytes));
        put(m, "memoryLimit", memoryLimitBytes == null ? null : Quantities.memory(memoryLimitBytes));
        put(m, "pods", pods);
        put(m, "apps", apps);
        put(m, "replicasPerApp", replicasPerApp);
        put(m, "concurrentBuilds", concurrentBuilds);
        put(m, "buildMinutesPerMonth", buildMinutesPerMonth);
        put(m, "regions", regions);
        put(m, "customDomains", customDomains);
        put(m, "buildTimeoutMinutes", buildTimeoutSeconds == null ? null : QuotaLimits.minutes(buildTimeoutSeconds));
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
