package dev.berth.quotas;

import dev.berth.kube.Quantities;
import dev.berth.tenancy.QuotaLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant's use right now against each of its effective limits, as {@code GET /api/v1/tenants/{t}/usage} returns
 * it. A measure is {@code over} when use is above its limit (the limit was lowered below use: nothing running is
 * stopped, but growth is refused), {@code near} at or above {@code berth.quotas.near-limit-percent} (80), else
 * {@code ok}.
 */
public record UsageNow(String tenant, String plan, Instant at, List<Measure> measures, List<String> nearLimits,
        List<String> overLimits, boolean growthRefused, Builds buildsThisMonth) {

    /**
     * Builds that ended this month (UTC), each counted once however many attempts it took (a Berth restart queues
     * a running build again), and the minutes they ran (only the time they actually ran, rounded up).
     */
    public record Builds(int builds, long minutes) {
    }

    /**
     * One limit: {@code used} and {@code limit} in the measure's unit ({@code count}, {@code millicores},
     * {@code bytes}, {@code minutes}), the same as text (Kubernetes quantities for CPU and memory), and the share.
     */
    public record Measure(String name, String unit, long used, long limit, String usedText, String limitText,
            int percent, String state) {
    }

    public static UsageNow of(String tenant, String plan, QuotaLimits l, QuotaUsage u, int nearPercent,
            Builds builds) {
        List<Measure> m = measures(l, u, nearPercent);
        List<String> near = m.stream().filter(x -> x.state().equals("near")).map(Measure::name).toList();
        List<String> over = m.stream().filter(x -> x.state().equals("over")).map(Measure::name).toList();
        return new UsageNow(tenant, plan, Instant.now(), m, near, over, !over.isEmpty(), builds);
    }

    /** Each measure of a use against its limits, in the order the API lists them. */
    public static List<Measure> measures(QuotaLimits l, QuotaUsage u, int nearPercent) {
        List<Measure> m = new ArrayList<>();
        m.add(count("apps", u.apps(), l.apps(), nearPercent));
        m.add(count("pods", u.pods(), l.pods(), nearPercent));
        m.add(cpu("cpuRequest", u.cpuRequestMillis(), l.cpuRequestMillis(), nearPercent));
        m.add(cpu("cpuLimit", u.cpuLimitMillis(), l.cpuLimitMillis(), nearPercent));
        m.add(memory("memoryRequest", u.memoryRequestBytes(), l.memoryRequestBytes(), nearPercent));
        m.add(memory("memoryLimit", u.memoryLimitBytes(), l.memoryLimitBytes(), nearPercent));
        m.add(count("customDomains", u.customDomains(), l.customDomains(), nearPercent));
        m.add(count("concurrentBuilds", u.activeBuilds(), l.concurrentBuilds(), nearPercent));
        m.add(measure("buildMinutesPerMonth", "minutes", u.buildMinutesThisMonth(), l.buildMinutesPerMonth(),
                u.buildMinutesThisMonth() + " min", l.buildMinutesPerMonth() + " min", nearPercent));
        return m;
    }

    /** "over", "near" or "ok" for a use against its limit. */
    public static String state(long used, long limit, int nearPercent) {
        if (used > limit) {
            return "over";
        }
        return used > 0 && used * 100 >= limit * nearPercent ? "near" : "ok";
    }

    /** The share of the limit in use, in percent (capped at 999; 999 when a limit of 0 is used at all). */
    public static int percent(long used, long limit) {
        return limit <= 0 ? (used > 0 ? 999 : 0) : (int) Math.min(999, used * 100 / limit);
    }

    private static Measure count(String name, long used, long limit, int near) {
        return measure(name, "count", used, limit, String.valueOf(used), String.valueOf(limit), near);
    }

    private static Measure cpu(String name, long used, long limit, int near) {
        return measure(name, "millicores", used, limit, Quantities.cpu((int) used), Quantities.cpu((int) limit), near);
    }

    private static Measure memory(String name, long used, long limit, int near) {
        return measure(name, "bytes", used, limit, Quantities.memory(used), Quantities.memory(limit), near);
    }

    private static Measure measure(String name, String unit, long used, long limit, String usedText,
            String limitText, int near) {
        return new Measure(name, unit, used, limit, usedText, limitText, percent(used, limit),
                state(used, limit, near));
    }
}
