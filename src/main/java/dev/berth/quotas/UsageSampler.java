package dev.berth.quotas;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Records usage history: every {@code berth.quotas.sample-interval} (5 min) one row per tenant in
 * {@code usage_sample} with what it requests (apps, pods, CPU and memory, as {@link QuotaService} counts them:
 * apps plus unexpired rollout reservations), its build time this month and its limits at that moment, then deletes
 * samples older than {@code berth.quotas.retention} (never less than 30 days).
 *
 * <p>Every Berth instance runs the sampler. A sample's time is the start of its interval (aligned to the epoch),
 * so all instances name the same slot, and the table's primary key ({@code tenant_id, sampled_at}) turns every
 * sample after the first into a no-op ({@code on conflict do nothing}): one row per tenant and slot, however many
 * instances share the database. One statement samples all tenants, so 10,000 tenants cost one grouped query.
 */
@ApplicationScoped
public class UsageSampler {
    /** History is kept at least this long, whatever the configuration says. */
    public static final Duration MIN_RETENTION = Duration.ofDays(30);
    private static final Logger LOG = Logger.getLogger(UsageSampler.class);

    @Inject
    EntityManager em;
    @Inject
    QuotasConfig config;

    @Scheduled(every = "${berth.quotas.sample-interval:5m}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!config.sampleOnSchedule()) {
            return;
        }
        Instant now = Instant.now();
        try {
            sample(now);
            prune(now);
        } catch (RuntimeException e) {
            LOG.warnf(e, "usage sampling failed; the next interval tries again");
        }
    }

    /** The start of the sampling interval {@code at} falls in: the time every instance records for it. */
    public Instant slot(Instant at) {
        long every = Math.max(1, config.sampleInterval().toMillis());
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), every) * every);
    }

    /** How long history is kept: the configured retention, but at least {@link #MIN_RETENTION}. */
    public Duration retention() {
        return config.retention().compareTo(MIN_RETENTION) < 0 ? MIN_RETENTION : config.retention();
    }

    /**
     * Samples every tenant for the interval {@code at} falls in; returns how many rows were written (0 when another
     * instance, or an earlier call, already sampled this interval).
     */
    @Transactional
    public int sample(Instant at) {
        Instant slot = slot(at);
        return em.createNativeQuery("""
                insert into usage_sample (tenant_id, sampled_at, apps, pods, cpu_request_millis, cpu_limit_millis,
                    memory_request_bytes, memory_limit_bytes, build_seconds_month, limit_apps, limit_pods,
                    limit_cpu_request, limit_memory_request, limit_build_minutes)
                select t.id, :slot, coalesce(a.apps, 0), coalesce(a.pods, 0) + coalesce(r.pods, 0),
                    coalesce(a.cr, 0) + coalesce(r.cr, 0), coalesce(a.cl, 0) + coalesce(r.cl, 0),
                    coalesce(a.mr, 0) + coalesce(r.mr, 0), coalesce(a.ml, 0) + coalesce(r.ml, 0),
                    coalesce(b.seconds, 0), coalesce(t.max_apps, p.max_apps), coalesce(t.max_pods, p.max_pods),
                    coalesce(t.cpu_request_millis, p.cpu_request_millis),
                    coalesce(t.memory_request_bytes, p.memory_request_bytes),
                    coalesce(t.build_minutes_per_month, p.build_minutes_per_month)
                from tenant t
                join plan p on p.id = t.plan_id
                left join (select tenant_id, sum(apps) as apps, sum(pods) as pods, sum(cr) as cr, sum(cl) as cl,
                        sum(mr) as mr, sum(ml) as ml
                    from (select tenant_id, n as pods, n::bigint * cpu_request_millis as cr,
                            n::bigint * cpu_limit_millis as cl, n * memory_request_bytes as mr,
                            n * memory_limit_bytes as ml, 1 as apps
                        from (select app.*, """ + QuotaService.PLACED_PODS + """
                             as n from app offset 0) app
                        union all""" + " " + QuotaService.processPods("x.tenant_id, ", "") + """
                    ) u group by tenant_id) a on a.tenant_id = t.id
                left join (select tenant_id, sum(pods) as pods, sum(cpu_request_millis) as cr,
                        sum(cpu_limit_millis) as cl, sum(memory_request_bytes) as mr, sum(memory_limit_bytes) as ml
                    from quota_reservation where expires_at > :at group by tenant_id) r
                    on r.tenant_id = t.id
                left join build_usage b on b.tenant_id = t.id and b.month = :month
                on conflict (tenant_id, sampled_at) do nothing""")
                .setParameter("slot", slot).setParameter("at", at).setParameter("month", QuotaService.month(at))
                .executeUpdate();
    }

    /** Deletes samples older than the retention, counted back from {@code now}; returns how many. */
    @Transactional
    public int prune(Instant now) {
        return em.createNativeQuery("delete from usage_sample where sampled_at < :before")
                .setParameter("before", now.minus(retention())).executeUpdate();
    }
}
