package dev.berth.metrics;

import dev.berth.api.ApiException;
import dev.berth.apps.App;
import dev.berth.quotas.UsageRange;
import dev.berth.regions.Region;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an app's CPU and memory history: the samples of [from, to) averaged into at most {@value #MAX_POINTS}
 * buckets per region, each region saying where its numbers come from, or that it has no metrics API.
 */
@ApplicationScoped
public class MetricsService {
    public static final Duration DEFAULT_SPAN = Duration.ofHours(6);
    public static final Duration MAX_SPAN = Duration.ofDays(31);
    static final int MAX_POINTS = 240;
    @Inject
    MetricsApis apis;
    @Inject
    MetricsConfig config;

    @Transactional
    public MetricsView series(long tenantId, String app, String from, String to, String region) {
        UsageRange range = UsageRange.parse(from, to, DEFAULT_SPAN);
        if (Duration.between(range.from(), range.to()).compareTo(MAX_SPAN) > 0) {
            throw ApiException.invalid("from", "the range may span at most " + MAX_SPAN.toDays() + " days");
        }
        App a = App.require(tenantId, app);
        List<Region> placed = Panache.getEntityManager().createQuery("select r from Region r where r.id in "
                + "(select ar.regionId from AppRegion ar where ar.appId = :a) order by r.name", Region.class)
                .setParameter("a", a.id).getResultList();
        if (region != null && placed.stream().noneMatch(r -> r.name.equals(region))) {
            throw ApiException.invalid("region", "the app does not run in a region named '" + region + "'");
        }
        long span = Duration.between(range.from(), range.to()).toSeconds();
        long bucket = Math.max(config.sampleInterval().toSeconds(), (span + MAX_POINTS - 1) / MAX_POINTS);
        List<MetricsView.RegionMetrics> out = new ArrayList<>();
        for (Region r : placed) {
            if (region != null && !region.equals(r.name)) {
                continue;
            }
            MetricsApis.State state = apis.state(r.name);
            String api = state == MetricsApis.State.SERVED ? MetricsApis.API
                    : state == MetricsApis.State.SIMULATED ? MetricsApis.SIMULATED : null;
            String note = state == MetricsApis.State.MISSING ? MetricsApis.NO_API
                    : state == MetricsApis.State.UNKNOWN ? "not known yet whether this region has a metrics API" : null;
            out.add(new MetricsView.RegionMetrics(r.name, api, note, a.cpuRequestMillis, a.cpuLimitMillis,
                    a.memoryRequestBytes, a.memoryLimitBytes, points(a.id, r.id, range, bucket)));
        }
        return new MetricsView(a.name, range.from(), range.to(), bucket, out);
    }

    private static List<MetricsView.Point> points(long appId, long regionId, UsageRange range, long bucket) {
        List<MetricsView.Point> points = new ArrayList<>();
        for (Object row : Panache.getEntityManager().createNativeQuery("""
                select floor(extract(epoch from sampled_at) / :b)::bigint * :b as slot, avg(pods), avg(cpu_millis),
                    avg(memory_bytes)
                from app_metric_sample where app_id = :a and region_id = :r and sampled_at >= :from and sampled_at < :to
                group by slot order by slot""").setParameter("b", bucket).setParameter("a", appId)
                .setParameter("r", regionId).setParameter("from", range.from()).setParameter("to", range.to())
                .getResultList()) {
            Object[] r = (Object[]) row;
            points.add(new MetricsView.Point(Instant.ofEpochSecond(((Number) r[0]).longValue()),
                    Math.round(((Number) r[1]).doubleValue() * 100) / 100.0, Math.round(((Number) r[2]).doubleValue()),
                    Math.round(((Number) r[3]).doubleValue())));
        }
        return points;
    }
}
