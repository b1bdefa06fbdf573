package dev.berth.tenancy;

import dev.berth.kube.Quantities;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete set of limits: a plan's, or a tenant's effective ones (its plan with its overrides applied). CPU and
 * memory have a cap on the sum of requests and one on the sum of limits, exactly as the namespace ResourceQuota
 * ({@code requests.cpu}, {@code limits.cpu}, ...) enforces them in every region. The build timeout is kept in
 * seconds (so it is exact) and shown in whole minutes.
 */
public record QuotaLimits(int cpuRequestMillis, int cpuLimitMillis, long memoryRequestBytes, long memoryLimitBytes,
        int pods, int apps, int replicasPerApp, int concurrentBuilds, int buildMinutesPerMonth, int regions,
        int customDomains, int buildTimeoutSeconds) {

    /** These limits with every non-null override in place of the plan's value. */
    public QuotaLimits with(QuotaOverrides o) {
        if (o == null) {
            return this;
        }
        return new QuotaLimits(or(o.cpuRequestMillis(), cpuRequestMillis), or(o.cpuLimitMillis(), cpuLimitMillis),
                or(o.memoryRequestBytes(), memoryRequestBytes), or(o.memoryLimitBytes(), memoryLimitBytes),
                or(o.pods(), pods), or(o.apps(), apps), or(o.replicasPerApp(), replicasPerApp),
                or(o.concurrentBuilds(), concurrentBuilds), or(o.buildMinutesPerMonth(), buildMinutesPerMonth),
                or(o.regions(), regions), or(o.customDomains(), customDomains),
                or(o.buildTimeoutSeconds(), buildTimeoutSeconds));
    }

    /** The build timeout in whole minutes, rounded up. */
    public int buildTimeoutMinutes() {
        return minutes(buildTimeoutSeconds);
    }

    public static int minutes(int seconds) {
        return (seconds + 59) / 60;
    }

    /** As the API and the audit log show them: quantities for CPU and memory, numbers for the rest. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuRequest", Quantities.cpu(cpuRequestMillis));
        m.put("cpuLimit", Quantities.cpu(cpuLimitMillis));
        m.put("memoryRequest", Quantities.memory(memoryRequestBytes));
        m.put("memoryLimit", Quantities.memory(memoryLimitBytes));
        m.put("pods", pods);
        m.put("apps", apps);
        m.put("replicasPerApp", replicasPerApp);
        m.put("concurrentBuilds", concurrentBuilds);
        m.put("buildMinutesPerMonth", buildMinutesPerMonth);
        m.put("regions", regions);
        m.put("customDomains", customDomains);
        m.put("buildTimeoutMinutes", buildTimeoutMinutes());
        return m;
    }

    private static int or(Integer v, int fallback) {
        return v == null ? fallback : v;
    }

    private static long or(Long v, long fallback) {
        return v == null ? fallback : v;
    }
}
