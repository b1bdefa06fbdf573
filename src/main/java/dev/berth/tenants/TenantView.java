package dev.berth.tenants;

import dev.berth.kube.Quantities;
import dev.berth.tenancy.QuotaLimits;
import dev.berth.tenancy.QuotaOverrides;
import dev.berth.tenancy.Tenant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tenant as the API and pages show it: its plan, effective limits (plan with overrides) and the overrides
 * themselves, current use against the limits (with the limits it is near or over), regions and the caller's role.
 */
public record TenantView(String slug, String displayName, String plan, Limits limits, Map<String, Object> overrides,
        Usage usage, List<String> nearLimits, List<String> overLimits, List<String> regions, String role,
        Instant createdAt, long version) {

    /**
     * Effective limits. {@code cpu} and {@code memory} are the caps on the sum of requests (kept from the first
     * API, where one value capped both); {@code cpuLimit} and {@code memoryLimit} cap the sum of limits.
     */
    public record Limits(String cpu, String memory, int pods, int apps, String cpuRequest, String cpuLimit,
            String memoryRequest, String memoryLimit, int replicasPerApp, int concurrentBuilds,
            int buildMinutesPerMonth, int regions, int customDomains, int buildTimeoutMinutes) {
        static Limits of(QuotaLimits l) {
            String cpuReq = Quantities.cpu(l.cpuRequestMillis());
            String memReq = Quantities.memory(l.memoryRequestBytes());
            return new Limits(cpuReq, memReq, l.pods(), l.apps(), cpuReq, Quantities.cpu(l.cpuLimitMillis()), memReq,
                    Quantities.memory(l.memoryLimitBytes()), l.replicasPerApp(), l.concurrentBuilds(),
                    l.buildMinutesPerMonth(), l.regions(), l.customDomains(), l.buildTimeoutMinutes());
        }
    }

    /** What the tenant's apps request: replicas times per-replica requests (and limits), plus build time. */
    public record Usage(String cpu, String memory, int pods, int apps, int cpuMillis, long memoryBytes,
            long cpuLimitMillis, long memoryLimitBytes, int customDomains, long buildMinutesThisMonth) {
        public static Usage of(int apps, int pods, long cpuMillis, long memoryBytes) {
            return of(apps, pods, cpuMillis, memoryBytes, cpuMillis, memoryBytes, 0, 0);
        }

        /** The figures of what the quota counts ({@link dev.berth.quotas.QuotaService#usage}). */
        public static Usage of(dev.berth.quotas.QuotaUsage u) {
            return of(u.apps(), u.pods(), u.cpuRequestMillis(), u.memoryRequestBytes(), u.cpuLimitMillis(),
                    u.memoryLimitBytes(), u.customDomains(), u.buildMinutesThisMonth());
        }

        public static Usage of(int apps, int pods, long cpuMillis, long memoryBytes, long cpuLimitMillis,
                long memoryLimitBytes, int customDomains, long buildMinutes) {
            return new Usage(Quantities.cpu((int) cpuMillis), Quantities.memory(memoryBytes), pods, apps,
                    (int) cpuMillis, memoryBytes, cpuLimitMillis, memoryLimitBytes, customDomains, buildMinutes);
        }
    }

    public static TenantView of(Tenant t, String plan, QuotaLimits limits, Usage usage, int nearPercent,
            List<String> regions, String role) {
        List<String> near = new ArrayList<>();
        List<String> over = new ArrayList<>();
        classify("apps", usage.apps(), limits.apps(), nearPercent, near, over);
        classify("pods", usage.pods(), limits.pods(), nearPercent, near, over);
        classify("cpuRequest", usage.cpuMillis(), limits.cpuRequestMillis(), nearPercent, near, over);
        classify("cpuLimit", usage.cpuLimitMillis(), limits.cpuLimitMillis(), nearPercent, near, over);
        classify("memoryRequest", usage.memoryBytes(), limits.memoryRequestBytes(), nearPercent, near, over);
        classify("memoryLimit", usage.memoryLimitBytes(), limits.memoryLimitBytes(), nearPercent, near, over);
        classify("customDomains", usage.customDomains(), limits.customDomains(), nearPercent, near, over);
        classify("buildMinutesPerMonth", usage.buildMinutesThisMonth(), limits.buildMinutesPerMonth(), nearPercent,
                near, over);
        QuotaOverrides o = t.overrides();
        return new TenantView(t.slug, t.displayName, plan, Limits.of(limits), o.asMap(), usage, near, over, regions,
                role, t.createdAt, t.version);
    }

    /** Over: use is above the limit (after the limit was lowered). Near: at or above the configured share. */
    private static void classify(String name, long used, long limit, int nearPercent, List<String> near,
            List<String> over) {
        if (used > limit) {
            over.add(name);
        } else if (limit > 0 && used > 0 && used * 100 >= limit * nearPercent) {
            near.add(name);
        }
    }

    /** Percentages for the dashboard's quota bars. */
    public int cpuPercent() {
        return percent(usage.cpuMillis(), Quantities.parseCpuMillis(limits.cpu()));
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

    public int buildMinutesPercent() {
        return percent(usage.buildMinutesThisMonth(), limits.buildMinutesPerMonth());
    }

    /**
     * One quota bar of a row in the tenant lists: use against the limit as people read them ("250m of 2") and the
     * share in percent, with the level the bar is drawn at (as {@code tags/bar.html} draws it).
     */
    public record Bar(String used, String limit, int percent) {
        /** "crit" from 90 %, "warn" from 70 %, otherwise empty. */
        public String level() {
            return percent >= 90 ? "crit" : percent >= 70 ? "warn" : "";
        }

        public boolean over() {
            return percent > 100;
        }

        public boolean near() {
            return percent >= 90 && percent <= 100;
        }
    }

    /**
     * The bars of a row in the tenant lists, in the columns' order: apps, CPU, memory, pods. The page loops over
     * these instead of calling the bar tag four times per row (200 calls per page of 50, each evaluating its
     * parameters in a resolution context of its own).
     */
    public List<Bar> rowBars() {
        return List.of(new Bar(String.valueOf(usage.apps()), String.valueOf(limits.apps()), appsPercent()),
                new Bar(usage.cpu(), limits.cpu(), cpuPercent()),
                new Bar(usage.memory(), limits.memory(), memoryPercent()),
                new Bar(String.valueOf(usage.pods()), String.valueOf(limits.pods()), podsPercent()));
    }

    public boolean isOverLimit() {
        return !overLimits.isEmpty();
    }

    public boolean isNearLimit() {
        return !nearLimits.isEmpty();
    }

    private static int percent(long used, long limit) {
        return limit <= 0 ? (used > 0 ? 999 : 0) : (int) Math.min(999, used * 100 / limit);
    }
}
