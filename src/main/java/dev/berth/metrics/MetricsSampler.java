package dev.berth.metrics;

import dev.berth.kube.Labels;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Samples what apps use: every {@code berth.metrics.sample-interval} (30 s), per connected region whose cluster
 * serves the metrics API, one read of PodMetrics per namespace with Berth's pods, summed per app (pods matched to
 * apps through the region's pod cache), one row per app and region in {@code app_metric_sample}; simulated regions'
 * use is simulated. Then samples older than the retention are deleted.
 *
 * <p>Like the usage sampler, a sample's time is the start of its interval, so every instance names the same slot
 * and the primary key turns a second instance's sample of the slot into a no-op.
 */
@ApplicationScoped
public class MetricsSampler {
    public static final Duration MIN_RETENTION = Duration.ofDays(30);
    private static final Logger LOG = Logger.getLogger(MetricsSampler.class);
    @Inject
    RegionClients clients;
    @Inject
    MetricsApis apis;
    @Inject
    MetricsConfig config;
    @Inject
    EntityManager em;

    /** One app's use in one region at one time. */
    record AppUsage(String tenant, String app, int pods, long cpuMillis, long memoryBytes) {
    }

    @Scheduled(every = "${berth.metrics.sample-interval:30s}", delayed = "20s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.sampleOnSchedule()) {
            return;
        }
        Instant now = Instant.now();
        sample(now);
        try {
            prune(now);
        } catch (RuntimeException e) {
            LOG.warnf(e, "pruning app metrics failed; the next interval tries again");
        }
    }

    public Instant slot(Instant at) {
        long every = Math.max(1, config.sampleInterval().toMillis());
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), every) * every);
    }

    /** Samples every connected region for the interval {@code at} falls in; returns the rows written. */
    public int sample(Instant at) {
        int rows = 0;
        for (RegionCluster cluster : clients.all()) {
            try {
                rows += sample(cluster, at);
            } catch (RuntimeException e) {
                LOG.debugf("region %s: metrics sampling failed: %s", cluster.info().name(), e.getMessage());
            }
        }
        return rows;
    }

    /** Samples one region; 0 when its cluster serves no metrics API. */
    public int sample(RegionCluster cluster, Instant at) {
        MetricsApis.State state = apis.detect(cluster);
        if (state != MetricsApis.State.SERVED && state != MetricsApis.State.SIMULATED) {
            return 0;
        }
        Map<String, Map<String, Pod>> podsByNamespace = new TreeMap<>();
        for (Pod p : cluster.cache().list(Pod.class)) {
            podsByNamespace.computeIfAbsent(p.getMetadata().getNamespace(), k -> new HashMap<>())
                    .put(p.getMetadata().getName(), p);
        }
        Map<String, AppUsage> byApp = new TreeMap<>();
        for (Map.Entry<String, Map<String, Pod>> ns : podsByNamespace.entrySet()) {
            List<PodUsage> usage = state == MetricsApis.State.SIMULATED
                    ? SimulatedPodMetrics.of(List.copyOf(ns.getValue().values()), at)
                    : MetricsApis.read(cluster.client(), ns.getKey());
            for (PodUsage u : usage) {
                Pod p = ns.getValue().get(u.pod());
                Map<String, String> labels = p == null ? null : p.getMetadata().getLabels();
                String tenant = labels == null ? null : labels.get(Labels.TENANT);
                String app = labels == null ? null : labels.get(Labels.APP);
                if (tenant == null || app == null) {
                    continue;
                }
                byApp.merge(tenant + "/" + app, new AppUsage(tenant, app, 1, u.cpuMillis(), u.memoryBytes()),
                        (x, y) -> new AppUsage(x.tenant(), x.app(), x.pods() + y.pods(),
                                x.cpuMillis() + y.cpuMillis(), x.memoryBytes() + y.memoryBytes()));
            }
        }
        if (byApp.isEmpty()) {
            return 0;
        }
        long regionId = cluster.info().id();
        Instant slot = slot(at);
        return QuarkusTransaction.requiringNew().call(() -> store(regionId, slot, List.copyOf(byApp.values())));
    }

    private int store(long regionId, Instant slot, List<AppUsage> usage) {
        TreeSet<String> tenants = new TreeSet<>();
        usage.forEach(u -> tenants.add(u.tenant()));
        Map<String, long[]> ids = new HashMap<>();
        for (Object row : em.createNativeQuery("select t.slug, a.name, t.id, a.id from app a join tenant t "
                + "on t.id = a.tenant_id where t.slug in (:slugs)").setParameter("slugs", new ArrayList<>(tenants))
                .getResultList()) {
            Object[] r = (Object[]) row;
            ids.put(r[0] + "/" + r[1], new long[] {((Number) r[2]).longValue(), ((Number) r[3]).longValue()});
        }
        int rows = 0;
        for (AppUsage u : usage) {
            long[] id = ids.get(u.tenant() + "/" + u.app());
            if (id == null) {
                continue; // the app was deleted; its pods are going
            }
            rows += em.createNativeQuery("insert into app_metric_sample (tenant_id, app_id, region_id, sampled_at, "
                    + "pods, cpu_millis, memory_bytes) values (:t, :a, :r, :at, :pods, :cpu, :mem) "
                    + "on conflict (app_id, region_id, sampled_at) do nothing")
                    .setParameter("t", id[0]).setParameter("a", id[1]).setParameter("r", regionId)
                    .setParameter("at", slot).setParameter("pods", u.pods()).setParameter("cpu", u.cpuMillis())
                    .setParameter("mem", u.memoryBytes()).executeUpdate();
        }
        return rows;
    }

    public Duration retention() {
        return config.retention().compareTo(MIN_RETENTION) < 0 ? MIN_RETENTION : config.retention();
    }

    /** Deletes samples older than the retention; returns how many. */
    public int prune(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "delete from app_metric_sample where sampled_at < :before")
                .setParameter("before", now.minus(retention())).executeUpdate());
    }
}
