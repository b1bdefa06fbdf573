package dev.berth.quotas;

import dev.berth.api.Validator;
import dev.berth.kube.Quantities;
import dev.berth.tenancy.QuotaLimits;
import dev.berth.tenancy.QuotaOverrides;

/**
 * Limits as clients send them: CPU and memory as Kubernetes quantities ("4", "500m", "8Gi"), the rest as numbers
 * (the build timeout in minutes, 1 to 1440).
 * Used for a plan's limits and for a tenant's overrides; an absent field keeps the value it is applied to.
 */
public record LimitsRequest(String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit, Integer pods,
        Integer apps, Integer replicasPerApp, Integer concurrentBuilds, Integer buildMinutesPerMonth, Integer regions,
        Integer customDomains, Integer buildTimeoutMinutes) {
    /** The longest build timeout a plan or tenant may have: one day. */
    public static final int MAX_BUILD_TIMEOUT_MINUTES = 1440;


    /** The overrides this request names, field errors prefixed with {@code prefix} ("overrides."). */
    public QuotaOverrides toOverrides(Validator v, String prefix) {
        return new QuotaOverrides(cpu(v, prefix + "cpuRequest", cpuRequest), cpu(v, prefix + "cpuLimit", cpuLimit),
                memory(v, prefix + "memoryRequest", memoryRequest), memory(v, prefix + "memoryLimit", memoryLimit),
                count(v, prefix + "pods", pods, 1, 10_000), count(v, prefix + "apps", apps, 1, 1_000),
                count(v, prefix + "replicasPerApp", replicasPerApp, 1, 1_000),
                count(v, prefix + "concurrentBuilds", concurrentBuilds, 0, 1_000),
                count(v, prefix + "buildMinutesPerMonth", buildMinutesPerMonth, 0, 10_000_000),
                count(v, prefix + "regions", regions, 1, 1_000), count(v, prefix + "customDomains", customDomains, 0, 100_000),
                seconds(count(v, prefix + "buildTimeoutMinutes", buildTimeoutMinutes, 1, MAX_BUILD_TIMEOUT_MINUTES)));
    }

    /** {@code base} with this request's values in place; checks that each request cap is at most its limit cap. */
    public QuotaLimits applyTo(Validator v, String prefix, QuotaLimits base) {
        QuotaLimits l = base.with(toOverrides(v, prefix));
        checkConsistent(v, prefix, l);
        return l;
    }

    /** Requests can never exceed limits in a namespace, so a request cap above the limit cap is a mistake. */
    public static void checkConsistent(Validator v, String prefix, QuotaLimits l) {
        if (!v.hasErrors()) {
            v.check(l.cpuRequestMillis() <= l.cpuLimitMillis(), prefix + "cpuRequest",
                    "must not be more than the CPU limit cap (" + Quantities.cpu(l.cpuLimitMillis()) + ")");
            v.check(l.memoryRequestBytes() <= l.memoryLimitBytes(), prefix + "memoryRequest",
                    "must not be more than the memory limit cap (" + Quantities.memory(l.memoryLimitBytes()) + ")");
        }
    }

    private static Integer seconds(Integer minutes) {
        return minutes == null ? null : minutes * 60;
    }

    static Integer cpu(Validator v, String field, String text) {
        if (text == null) {
            return null;
        }
        int millis = Quantities.parseCpuMillis(text);
        v.check(millis > 0, field, "must be a CPU quantity such as 2 or 500m (at most 1000 cores)");
        return millis > 0 ? millis : null;
    }

    static Long memory(Validator v, String field, String text) {
        if (text == null) {
            return null;
        }
        long bytes = Quantities.parseMemoryBytes(text);
        v.check(bytes > 0, field, "must be a memory quantity such as 512Mi or 8Gi");
        return bytes > 0 ? bytes : null;
    }

    static Integer count(Validator v, String field, Integer n, int min, int max) {
        if (n == null) {
            return null;
        }
        v.check(n >= min && n <= max, field, "must be between " + min + " and " + max);
        return n;
    }
}
