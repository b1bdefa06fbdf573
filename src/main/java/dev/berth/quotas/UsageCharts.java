package dev.berth.quotas;

import dev.berth.identity.TenantContext;
import dev.berth.kube.Quantities;
import dev.berth.tenancy.QuotaLimits;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The usage charts the pages show, as {@code {inject:usageCharts.*}} in templates: a tenant's five measures over
 * the last 7 days (hourly buckets of the samples plus the current use as the last point), and for platform admins
 * the tenants near or over a limit in the latest sample, each with its most used measure over the last 24 hours.
 */
@Named("usageCharts")
@RequestScoped
public class UsageCharts {
    static final Duration TENANT_SPAN = Duration.ofDays(7);
    static final Duration TENANT_BUCKET = Duration.ofHours(1);
    static final Duration WATCH_SPAN = Duration.ofHours(24);
    static final Duration WATCH_BUCKET = Duration.ofMinutes(15);
    static final int WATCH_MAX = 20;

    @Inject
    TenantContext tenant;
    @Inject
    UsageService usage;
    @Inject
    UsageHistory history;

    /** One tenant in the admin overview's watch list: its latest sample and its most used measure's chart. */
    public record Watched(UsageSample sample, List<String> over, List<String> near, UsageChart chart) {
        public boolean isGrowthRefused() {
            return !over.isEmpty();
        }
    }

    /** The watch list: the first tenants near or over a limit, how many there are, and when they were sampled. */
    public record Watch(List<Watched> tenants, long total, Instant sampledAt) {
        /** How many more tenants are near or over than the list shows. */
        public long more() {
            return total - tenants.size();
        }
    }

    /** How one sampled measure is read from the history and from the current use. */
    private record Measure(String name, String title, Function<UsageHistory.Bucket, UsageChart.Point> fromBucket,
            LongFunction<String> text, UsageChart.Axis axis) {
    }

    private static final List<Measure> MEASURES = List.of(
            new Measure("apps", "Apps", b -> new UsageChart.Point(b.at(), b.apps(), b.appsLimit()), String::valueOf,
                    UsageChart.Axis.COUNT),
            new Measure("pods", "Pods", b -> new UsageChart.Point(b.at(), b.pods(), b.podsLimit()), String::valueOf,
                    UsageChart.Axis.COUNT),
            new Measure("cpuRequest", "CPU (requests)", b -> new UsageChart.Point(b.at(), b.cpuRequestMillis(),
                    b.cpuRequestLimitMillis()), v -> Quantities.cpu((int) v), UsageChart.Axis.CPU_MILLIS),
            new Measure("memoryRequest", "Memory (requests)", b -> new UsageChart.Point(b.at(),
                    b.memoryRequestBytes(), b.memoryRequestLimitBytes()), Quantities::memory, UsageChart.Axis.BYTES),
            new Measure("buildMinutesPerMonth", "Build minutes this month", b -> new UsageChart.Point(b.at(),
                    b.buildMinutes(), b.buildMinutesLimit()), v -> v + " min", UsageChart.Axis.MINUTES));

    /**
     * The charts of the tenant this request is about ({@code slug} must name it), ending in its use right now
     * ({@code limits} and {@code usage} as the caller has read them, so the page reads them once).
     */
    public List<UsageChart> forTenant(String slug, QuotaLimits limits, QuotaUsage current) {
        if (!tenant.slug().equals(slug)) {
            throw new IllegalStateException("charts of " + slug + " asked for in a request about " + tenant.slug());
        }
        Instant to = Instant.now();
        UsageRange range = new UsageRange(to.minus(TENANT_SPAN), to);
        List<UsageHistory.Bucket> buckets = history.buckets(tenant.tenantId(), range, TENANT_BUCKET);
        List<UsageNow.Measure> now = UsageNow.measures(limits, current, usage.nearLimitPercent());
        List<UsageChart> charts = new ArrayList<>();
        for (Measure m : MEASURES) {
            List<UsageChart.Point> series = new ArrayList<>(buckets.stream().map(m.fromBucket()).toList());
            UsageNow.Measure last = now.stream().filter(x -> x.name().equals(m.name())).findFirst().orElseThrow();
            series.add(new UsageChart.Point(to, last.used(), last.limit()));
            charts.add(UsageChart.of(m.name(), m.title(), series, range.from(), to, usage.nearLimitPercent(),
                    m.text(), m.axis()));
        }
        return charts;
    }

    /** The admin overview's watch list, from the latest sample. */
    public Watch watch() {
        UsageHistory.Latest latest = history.nearOrOver(usage.nearLimitPercent(), WATCH_MAX);
        if (latest.samples().isEmpty()) {
            return new Watch(List.of(), 0, null);
        }
        Instant to = latest.samples().get(0).at();
        UsageRange range = new UsageRange(to.minus(WATCH_SPAN), to.plusMillis(1));
        Map<String, List<UsageHistory.Bucket>> buckets = history.buckets(
                latest.samples().stream().map(UsageSample::tenant).toList(), range, WATCH_BUCKET);
        List<Watched> out = new ArrayList<>();
        for (UsageSample s : latest.samples()) {
            List<String> over = new ArrayList<>();
            List<String> near = new ArrayList<>();
            Measure worst = null;
            long worstShare = -1;
            for (Measure m : MEASURES) {
                UsageChart.Point p = m.fromBucket().apply(bucketOf(s));
                String state = UsageNow.state(p.used(), p.limit(), usage.nearLimitPercent());
                (state.equals("over") ? over : state.equals("near") ? near : new ArrayList<String>()).add(m.name());
                long share = p.limit() <= 0 ? (p.used() > 0 ? Long.MAX_VALUE : 0) : p.used() * 1000 / p.limit();
                if (share > worstShare) {
                    worstShare = share;
                    worst = m;
                }
            }
            List<UsageChart.Point> series = buckets.getOrDefault(s.tenant(), List.of()).stream()
                    .map(worst.fromBucket()).toList();
            UsageChart chart = series.isEmpty() ? null : UsageChart.of(worst.name(), worst.title(), series,
                    range.from(), to, usage.nearLimitPercent(), worst.text(), worst.axis());
            out.add(new Watched(s, over, near, chart));
        }
        return new Watch(out, latest.total(), to);
    }

    static UsageHistory.Bucket bucketOf(UsageSample s) {
        return new UsageHistory.Bucket(s.at(), s.apps(), s.appsLimit(), s.pods(), s.podsLimit(), s.cpuRequestMillis(),
                s.cpuRequestLimitMillis(), s.memoryRequestBytes(), s.memoryRequestLimitBytes(),
                s.buildMinutesThisMonth(), s.buildMinutesLimit());
    }
}
