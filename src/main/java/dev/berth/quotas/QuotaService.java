package dev.berth.quotas;

import dev.berth.api.ApiException;
import dev.berth.kube.Quantities;
import dev.berth.tenancy.QuotaLimits;
import dev.berth.tenancy.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place that decides whether a change may grow what a tenant uses. Every path that can grow use calls it
 * <b>inside the transaction of the change</b>, before anything is written, and the check takes a row lock on the
 * tenant ({@code SELECT ... FOR UPDATE}), so concurrent requests, in one Berth or in several sharing the database,
 * are serialised per tenant and together can never exceed a limit. The lock is held until the caller's
 * transaction ends; locking again in the same transaction costs nothing.
 *
 * <p>A refusal is a {@link QuotaExceededException} (problem+json 422 naming the limit, its value, what is in use and
 * what was asked for); nothing is written before it, so a refused request changes nothing.
 *
 * <p>Limits may be lowered below current use (a plan change, an override): nothing running is touched, and a
 * change is refused only where it <em>grows</em> a dimension that is over its limit. Shrinking is always allowed.
 *
 * <p>Callers:
 * <ul>
 * <li>apps: {@link #checkAppCreate}, {@link #checkAppChange} (scale, resources, custom domain);</li>
 * <li>releases: {@link #checkRollout} before a blue/green or canary rollout starts, {@link #rolloutFinished}
 * when it is done or abandoned;</li>
 * <li>builds: {@link #checkBuildStart} before a build starts, {@link #buildFinished} with its real duration
 * (whatever the outcome: succeeded, failed or cancelled), or {@link #recordBuildMinutes} alone;</li>
 * <li>region placement: {@link #checkRegions} (regions a tenant may use), {@link #checkPlacement} (regions an
 * app runs in and the replicas each runs: the app's, or the placement's count for that region).</li>
 * </ul>
 */
@ApplicationScoped
public class QuotaService {
    private static final String LOCKED = "berth.quota.locked.";
    /**
     * The pods an app may run: its replicas (or its autoscaler's maximum, when larger) in every region of its
     * placement, a region's own count where the placement sets one (again at least the autoscaler's maximum).
     */
    static final String PLACED_PODS = "coalesce((select sum(greatest(coalesce(ar.replicas, app.replicas), "
            + "coalesce(app.autoscale_max_replicas, 0))) from app_region ar where ar.app_id = app.id), "
            + "greatest(app.replicas, coalesce(app.autoscale_max_replicas, 0)))";

    /**
     * The pods of every app's worker and cron processes (dev.berth.processes) with their own resources: a worker's
     * replicas, a cron's one pod, in every region of the app's placement (once without placement rows). They are
     * counted even for the app a change leaves out ({@code id <> ?3}): a change of the web process keeps them.
     */
    private static final String PROCESS_PODS = processPods("", "where a.tenant_id = ?1");

    /**
     * The select behind {@link #PROCESS_PODS}: columns {@code columns} (e.g. the tenant), then pods, CPU request
     * and limit, memory request and limit, and a 0, for the apps {@code where} keeps ({@code a} is the app).
     */
    static String processPods(String columns, String where) {
        return "select " + columns + "x.n, x.n::bigint * x.cr, x.n::bigint * x.cl, x.n * x.mr, x.n * x.ml, 0 "
                + "from (select a.tenant_id, ((case when p->>'type' = 'cron' then 1 else "
                + "coalesce((p->>'replicas')::int, 1) end) * greatest(1, (select count(*) from app_region ar "
                + "where ar.app_id = a.id)))::bigint as n, (p->>'cpuRequestMillis')::bigint as cr, "
                + "(p->>'cpuLimitMillis')::bigint as cl, (p->>'memoryRequestBytes')::bigint as mr, "
                + "(p->>'memoryLimitBytes')::bigint as ml "
                + "from app a cross join lateral jsonb_array_elements(a.processes) p " + where + " offset 0) x ";
    }

    @Inject
    EntityManager em;
    @Inject
    QuotasConfig config;
    @Inject
    TransactionSynchronizationRegistry tx;

    /**
     * Locks the tenant row for the rest of the caller's transaction and returns its effective limits (plan with
     * overrides). Call it first when the change must also read other rows consistently (a duplicate name check).
     */
    @Transactional(TxType.MANDATORY)
    public QuotaLimits lock(long tenantId) {
        QuotaLimits cached = (QuotaLimits) tx.getResource(LOCKED + tenantId);
        if (cached != null) {
            return cached;
        }
        Object[] r;
        try {
            r = (Object[]) em.createNativeQuery("select coalesce(t.cpu_request_millis, p.cpu_request_millis), "
                    + "coalesce(t.cpu_limit_millis, p.cpu_limit_millis), "
                    + "coalesce(t.memory_request_bytes, p.memory_request_bytes), "
                    + "coalesce(t.memory_limit_bytes, p.memory_limit_bytes), coalesce(t.max_pods, p.max_pods), "
                    + "coalesce(t.max_apps, p.max_apps), coalesce(t.max_replicas_per_app, p.max_replicas_per_app), "
                    + "coalesce(t.max_concurrent_builds, p.max_concurrent_builds), "
                    + "coalesce(t.build_minutes_per_month, p.build_minutes_per_month), "
                    + "coalesce(t.max_regions, p.max_regions), coalesce(t.max_custom_domains, p.max_custom_domains), "
                    + "coalesce(t.build_timeout_seconds, p.build_timeout_seconds) "
                    + "from tenant t join plan p on p.id = t.plan_id where t.id = ?1 for update of t")
                    .setParameter(1, tenantId).getSingleResult();
        } catch (jakarta.persistence.NoResultException e) {
            throw ApiException.notFound("tenant", String.valueOf(tenantId));
        }
        QuotaLimits limits = new QuotaLimits(i(r[0]), i(r[1]), l(r[2]), l(r[3]), i(r[4]), i(r[5]), i(r[6]), i(r[7]),
                i(r[8]), i(r[9]), i(r[10]), i(r[11]));
        tx.putResource(LOCKED + tenantId, limits);
        return limits;
    }

    /** Refuses a new app that would take the tenant over its apps, pods, CPU, memory or custom domain limits. */
    @Transactional(TxType.MANDATORY)
    public void checkAppCreate(long tenantId, AppFootprint app) {
        QuotaLimits limits = lock(tenantId);
        QuotaUsage used = current(tenantId, -1L);
        Check c = new Check(limits, used);
        c.count("name", "apps", used.apps(), used.apps() + 1, limits.apps(), "1 more app");
        c.replicasPerApp(0, app.replicas());
        c.grow(AppFootprint.NONE, app, "");
        c.count("customDomain", "customDomains", used.customDomains(),
                used.customDomains() + (app.customDomain() ? 1 : 0), limits.customDomains(), "1 more custom domain");
    }

    /**
     * Refuses a change of an existing app (scale, resources, custom domain) that would grow a dimension over its
     * limit. {@code current} is the app as stored before the change, {@code next} as it will be.
     */
    @Transactional(TxType.MANDATORY)
    public void checkAppChange(long tenantId, long appId, AppFootprint current, AppFootprint next) {
        QuotaLimits limits = lock(tenantId);
        // The app's row is left out and its stored footprint added back: the change may already have been flushed.
        // Replicas run in every region of the app's placement that has no count of its own: the change counts once
        // per such region; the regions with their own count keep it.
        int[] spread = spread(appId);
        AppFootprint before = current.withReplicas(spread[0] + current.replicas() * spread[1]);
        AppFootprint after = next.withReplicas(spread[0] + next.replicas() * spread[1]);
        QuotaUsage used = current(tenantId, appId).plus(before);
        Check c = new Check(limits, used);
        c.replicasPerApp(current.replicas(), next.replicas());
        c.grow(before, after, spread[1] > 1 ? " in " + spread[1] + " regions" : "");
        int domains = used.customDomains() - (current.customDomain() ? 1 : 0) + (next.customDomain() ? 1 : 0);
        c.count("customDomain", "customDomains", used.customDomains(), domains, limits.customDomains(),
                "1 more custom domain");
    }

    /**
     * Refuses an autoscaler whose maximum would take the tenant over its replicas-per-app, pods, CPU or memory
     * limits: the quota counts an autoscaled app at its maximum ({@code current} and {@code next} are the app's
     * footprints before and after, see {@code App.footprint()}). The refusal names the field {@code maxReplicas}.
     */
    @Transactional(TxType.MANDATORY)
    public void checkAutoscaler(long tenantId, long appId, AppFootprint current, AppFootprint next) {
        QuotaLimits limits = lock(tenantId);
        // Per region of the placement: its own count or the app's, at least the autoscaler's maximum. Computed from
        // the footprints given, not from the app's row, which may already hold the change.
        @SuppressWarnings("unchecked")
        List<Number> own = em.createNativeQuery("select ar.replicas from app_region ar where ar.app_id = ?1")
                .setParameter(1, appId).getResultList();
        int podsBefore = placed(own, current.replicas());
        int podsAfter = placed(own, next.replicas());
        QuotaUsage used = current(tenantId, appId).plus(current.withReplicas(podsBefore));
        if (next.replicas() > limits.replicasPerApp() && next.replicas() > current.replicas()) {
            throw new QuotaExceededException("maxReplicas", "replicasPerApp", String.valueOf(limits.replicasPerApp()),
                    current.replicas() + " (this app)", next.replicas() + " replicas");
        }
        new Check(limits, used).grow(current.withReplicas(podsBefore), next.withReplicas(podsAfter),
                " for the autoscaler's maximum" + (own.size() > 1 ? " in " + own.size() + " regions" : ""),
                "maxReplicas");
    }

    /**
     * Refuses process settings of an app that would grow pods, CPU or memory over a limit, or give one worker more
     * replicas than {@code replicasPerApp}. {@code before} and {@code after} are each process's footprint in one
     * region (as stored, and as it will be; the stored ones must not be flushed yet), {@code fields} names each
     * {@code after} entry in the refusal ({@code processes[1].replicas}). Processes run in every region of the app.
     * A dimension already over its limit may shrink or stay.
     */
    @Transactional(TxType.MANDATORY)
    public void checkProcesses(long tenantId, long appId, List<AppFootprint> before, List<AppFootprint> after,
            List<String> fields) {
        QuotaLimits limits = lock(tenantId);
        long regions = Math.max(1L, ((Number) em.createNativeQuery("select count(*) from app_region where app_id = ?1")
                .setParameter(1, appId).getSingleResult()).longValue());
        QuotaUsage used = current(tenantId, -1L);
        QuotaUsage running = used;
        for (AppFootprint b : before) {
            running = running.plus(b.withReplicas((int) (-b.replicas() * regions)));
        }
        String where = regions > 1 ? " in " + regions + " regions" : "";
        for (int i = 0; i < after.size(); i++) {
            AppFootprint one = after.get(i);
            String field = fields.get(i);
            if (one.replicas() > limits.replicasPerApp()) {
                throw new QuotaExceededException(field, "replicasPerApp", String.valueOf(limits.replicasPerApp()),
                        "0 (this process)", one.replicas() + " replicas");
            }
            AppFootprint all = one.withReplicas((int) (one.replicas() * regions));
            QuotaUsage next = running.plus(all);
            if (next.pods() > limits.pods() && next.pods() > used.pods()) {
                throw new QuotaExceededException(field, "pods", String.valueOf(limits.pods()),
                        String.valueOf(running.pods()), all.replicas() + " more pod(s)" + where);
            }
            Check c = new Check(limits, running);
            if (next.cpuRequestMillis() > used.cpuRequestMillis() || next.cpuLimitMillis() > used.cpuLimitMillis()
                    || next.memoryRequestBytes() > used.memoryRequestBytes()
                    || next.memoryLimitBytes() > used.memoryLimitBytes()) {
                c.grow(AppFootprint.NONE, all, where, field);
            }
            running = next;
        }
    }

    /**
     * Checks that the tenant has room for one pod of a run (a one-off run or a release command) and reserves it
     * under {@code ref} until {@link #runFinished} or {@code ttl} passes. The refusal names {@code field}.
     */
    @Transactional(TxType.MANDATORY)
    public void checkRun(long tenantId, String ref, AppFootprint pod, String field, Duration ttl) {
        QuotaLimits limits = lock(tenantId);
        release(tenantId, "run", ref);
        new Check(limits, current(tenantId, -1L)).grow(AppFootprint.NONE, pod, " for the run", field);
        em.createNativeQuery("insert into quota_reservation (tenant_id, kind, ref, pods, cpu_request_millis, "
                + "cpu_limit_millis, memory_request_bytes, memory_limit_bytes, expires_at) "
                + "values (?1, 'run', ?2, ?3, ?4, ?5, ?6, ?7, ?8)").setParameter(1, tenantId).setParameter(2, ref)
                .setParameter(3, pod.replicas()).setParameter(4, pod.totalCpuRequestMillis())
                .setParameter(5, pod.totalCpuLimitMillis()).setParameter(6, pod.totalMemoryRequestBytes())
                .setParameter(7, pod.totalMemoryLimitBytes()).setParameter(8, Instant.now().plus(ttl)).executeUpdate();
    }

    /** Ends the reservation of {@link #checkRun}; no-op when there is none. */
    @Transactional(TxType.MANDATORY)
    public void runFinished(long tenantId, String ref) {
        release(tenantId, "run", ref);
    }

    /** The pods of an app counted at {@code atLeast} per region (a region's own count when larger). */
    private static int placed(List<Number> ownCounts, int atLeast) {
        if (ownCounts.isEmpty()) {
            return atLeast;
        }
        return ownCounts.stream().mapToInt(n -> n == null ? atLeast : Math.max(n.intValue(), atLeast)).sum();
    }

    /**
     * Checks that the tenant has room for a rollout's extra footprint ({@link RolloutFootprint#blueGreen} or
     * {@link RolloutFootprint#canary}) and reserves it under {@code ref} (one reservation per ref, typically the app
     * name: a new check for the same ref replaces the old reservation). The reservation counts against every later
     * check until {@link #rolloutFinished} or its expiry ({@code berth.quotas.rollout-reservation-ttl}), so two
     * rollouts cannot both count on the same room. The refusal names the field {@code strategy}.
     */
    @Transactional(TxType.MANDATORY)
    public void checkRollout(long tenantId, String ref, RolloutFootprint rollout) {
        QuotaLimits limits = lock(tenantId);
        release(tenantId, "rollout", ref);
        QuotaUsage used = current(tenantId, -1L);
        new Check(limits, used).grow(AppFootprint.NONE, rollout.extra(), " for the " + rollout.strategy() + " rollout",
                "strategy");
        AppFootprint x = rollout.extra();
        em.createNativeQuery("insert into quota_reservation (tenant_id, kind, ref, pods, cpu_request_millis, "
                + "cpu_limit_millis, memory_request_bytes, memory_limit_bytes, expires_at) "
                + "values (?1, 'rollout', ?2, ?3, ?4, ?5, ?6, ?7, ?8)").setParameter(1, tenantId).setParameter(2, ref)
                .setParameter(3, x.replicas()).setParameter(4, x.totalCpuRequestMillis())
                .setParameter(5, x.totalCpuLimitMillis()).setParameter(6, x.totalMemoryRequestBytes())
                .setParameter(7, x.totalMemoryLimitBytes())
                .setParameter(8, Instant.now().plus(config.rolloutReservationTtl())).executeUpdate();
    }

    /** Releases the extra footprint reserved by {@link #checkRollout} for {@code ref}; no-op when there is none. */
    @Transactional
    public void rolloutFinished(long tenantId, String ref) {
        release(tenantId, "rollout", ref);
    }

    /**
     * Refuses a build when the tenant already runs as many builds as its plan allows, or has used its build minutes
     * this month (UTC); otherwise holds a concurrent-build slot under {@code buildRef} (unique per build) until
     * {@link #buildFinished} or the slot's expiry ({@code berth.quotas.build-slot-ttl}). The refusal names the field
     * {@code build}.
     */
    @Transactional(TxType.MANDATORY)
    public void checkBuildStart(long tenantId, String buildRef) {
        checkBuildStart(tenantId, buildRef, AppFootprint.NONE);
    }

    /**
     * {@link #checkBuildStart(long, String)} for a build that runs as a pod counted against the tenant's quota (the
     * builder pod of the Kubernetes Job executor): it also needs room for {@code builder}'s pod, CPU and memory,
     * which stay reserved with the build's slot until {@link #buildFinished}.
     */
    @Transactional(TxType.MANDATORY)
    public void checkBuildStart(long tenantId, String buildRef, AppFootprint builder) {
        QuotaLimits limits = lock(tenantId);
        QuotaUsage used = current(tenantId, -1L);
        Check c = new Check(limits, used);
        c.count("build", "concurrentBuilds", used.activeBuilds(), used.activeBuilds() + 1, limits.concurrentBuilds(),
                "1 more running build");
        if (used.buildMinutesThisMonth() >= limits.buildMinutesPerMonth()) {
            throw new QuotaExceededException("build", "buildMinutesPerMonth", limits.buildMinutesPerMonth() + " min",
                    used.buildMinutesThisMonth() + " min this month", "a new build (no minutes left this month)");
        }
        c.grow(AppFootprint.NONE, builder, " for the builder pod", "build");
        em.createNativeQuery("insert into quota_reservation (tenant_id, kind, ref, pods, cpu_request_millis, "
                + "cpu_limit_millis, memory_request_bytes, memory_limit_bytes, expires_at) "
                + "values (?1, 'build', ?2, ?3, ?4, ?5, ?6, ?7, ?8) on conflict (tenant_id, kind, ref) do update set "
                + "expires_at = ?8, pods = ?3, cpu_request_millis = ?4, cpu_limit_millis = ?5, "
                + "memory_request_bytes = ?6, memory_limit_bytes = ?7")
                .setParameter(1, tenantId).setParameter(2, buildRef).setParameter(3, builder.replicas())
                .setParameter(4, builder.totalCpuRequestMillis()).setParameter(5, builder.totalCpuLimitMillis())
                .setParameter(6, builder.totalMemoryRequestBytes()).setParameter(7, builder.totalMemoryLimitBytes())
                .setParameter(8, Instant.now().plus(config.buildSlotTtl())).executeUpdate();
    }

    /**
     * Why the tenant has no room for one more builder pod now (its apps, rollouts and running builds use too much of
     * a pod, CPU or memory limit), or null when it has. Takes the tenant's row lock like {@link #checkBuildStart}, so
     * a start decided on this answer in the same transaction is not refused by a change committed in between.
     */
    @Transactional(TxType.MANDATORY)
    public String builderRoom(long tenantId, AppFootprint builder) {
        try {
            new Check(lock(tenantId), current(tenantId, -1L)).grow(AppFootprint.NONE, builder, " for the builder pod",
                    "build");
            return null;
        } catch (QuotaExceededException e) {
            return e.getMessage();
        }
    }

    /** Whether {@code builder} alone is larger than one of the tenant's limits, so no wait can make room for it. */
    @Transactional
    public String builderTooLarge(long tenantId, AppFootprint builder) {
        QuotaUsage none = new QuotaUsage(0, 0, 0, 0, 0, 0, 0, 0, 0);
        try {
            new Check(limits(tenantId), none).grow(AppFootprint.NONE, builder, " for the builder pod", "build");
            return null;
        } catch (QuotaExceededException e) {
            return e.getMessage();
        }
    }

    /**
     * A build ended (succeeded, failed or was cancelled): frees its slot and meters {@code took} as build time of
     * the current month, counting one build.
     */
    @Transactional
    public void buildFinished(long tenantId, String buildRef, Duration took) {
        attemptEnded(tenantId, buildRef, took, true);
    }

    /**
     * One attempt of a build ended: frees its slot and meters the time it ran. {@code lastAttempt} is false when
     * the build is queued again (Berth stopped during it): its time counts, but the build is counted once, by the
     * attempt that ends it.
     */
    @Transactional
    public void attemptEnded(long tenantId, String buildRef, Duration took, boolean lastAttempt) {
        release(tenantId, "build", buildRef);
        recordBuildTime(tenantId, took, lastAttempt ? 1 : 0);
    }

    /**
     * Adds a build's actual duration to the tenant's build time this month (UTC), whatever the build's outcome.
     * Atomic without the tenant lock (an upsert that adds), so it never waits for a running quota check.
     */
    @Transactional
    public void recordBuildMinutes(long tenantId, Duration took) {
        recordBuildTime(tenantId, took, 1);
    }

    private void recordBuildTime(long tenantId, Duration took, int builds) {
        if (took == null || took.isNegative()) {
            throw new IllegalArgumentException("a build duration must be zero or positive: " + took);
        }
        em.createNativeQuery("insert into build_usage (tenant_id, month, seconds, builds) values (?1, ?2, ?3, ?4) "
                + "on conflict (tenant_id, month) do update set seconds = build_usage.seconds + excluded.seconds, "
                + "builds = build_usage.builds + excluded.builds").setParameter(1, tenantId)
                .setParameter(2, month(Instant.now())).setParameter(3, (took.toMillis() + 999) / 1000)
                .setParameter(4, builds).executeUpdate();
    }

    /** Builds that ended this month (UTC), each counted once however many attempts it took, and their time. */
    public record BuildUsage(int builds, long seconds) {
        public long minutes() {
            return (seconds + 59) / 60;
        }
    }

    @Transactional
    public BuildUsage buildUsageThisMonth(long tenantId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select builds, seconds from build_usage where tenant_id = ?1 "
                + "and month = ?2").setParameter(1, tenantId).setParameter(2, month(Instant.now())).getResultList();
        return rows.isEmpty() ? new BuildUsage(0, 0)
                : new BuildUsage(((Number) rows.get(0)[0]).intValue(), ((Number) rows.get(0)[1]).longValue());
    }

    /** The tenant's metered build time in the current month (UTC). */
    @Transactional
    public Duration buildTimeThisMonth(long tenantId) {
        return Duration.ofSeconds(current(tenantId, -1L).buildSecondsThisMonth());
    }

    /**
     * Refuses placing the tenant (or one of its apps) in more regions than its plan allows. {@code currentRegions}
     * is the placement before the change, {@code nextRegions} after it; shrinking is always allowed. The refusal
     * names the field {@code regions}.
     */
    @Transactional(TxType.MANDATORY)
    public void checkRegions(long tenantId, Collection<String> currentRegions, Collection<String> nextRegions) {
        QuotaLimits limits = lock(tenantId);
        int before = currentRegions.size();
        int after = nextRegions.size();
        new Check(limits, null).count("regions", "regions", before, after, limits.regions(),
                (after - before) + " more region(s)");
    }

    /**
     * Refuses a placement change when the tenant's total (each region of the app's placement runs its replicas
     * there: the app's own count, or the count the placement names for that region), the namespace quota of a region
     * whose count grows (each region's ResourceQuota holds the tenant's limits on its own), the plan's replicas per
     * app in one region, or the number of regions the plan allows would be exceeded. {@code perReplica} is the app's
     * footprint (its replicas do not matter here); {@code before} and {@code after} map each region of the placement
     * to its replica count there. Refusals name {@code placement}, or {@code regionReplicas.<region>} for a region
     * whose count the request set, and say which region.
     */
    @Transactional(TxType.MANDATORY)
    public void checkPlacement(long tenantId, long appId, AppFootprint perReplica, Map<String, Integer> before,
            Map<String, Integer> after, Set<String> overridden) {
        QuotaLimits limits = lock(tenantId);
        Set<String> added = new TreeSet<>(after.keySet());
        added.removeAll(before.keySet());
        List<String> grown = after.keySet().stream().sorted()
                .filter(r -> after.get(r) > before.getOrDefault(r, 0) || added.contains(r)).toList();
        if (grown.isEmpty()) {
            return;
        }
        if (!added.isEmpty()) {
            new Check(limits, null).count("placement", "regions", before.size(), after.size(), limits.regions(),
                    added.size() + " more region(s) for this app");
        }
        for (String region : grown) {
            int n = after.get(region);
            if (n > limits.replicasPerApp() && n > before.getOrDefault(region, 0)) {
                throw new QuotaExceededException(field(region, overridden), "replicasPerApp",
                        String.valueOf(limits.replicasPerApp()), before.getOrDefault(region, 0) + " in region "
                                + region, n + " replicas in region " + region);
            }
        }
        int podsBefore = before.values().stream().mapToInt(Integer::intValue).sum();
        int podsAfter = after.values().stream().mapToInt(Integer::intValue).sum();
        QuotaUsage used = current(tenantId, appId).plus(perReplica.withReplicas(podsBefore));
        new Check(limits, used).grow(perReplica.withReplicas(podsBefore), perReplica.withReplicas(podsAfter),
                " for this app in region(s) " + grown, field(grown.get(0), overridden));
        for (String region : grown) {
            // Each region's namespace has a ResourceQuota of the tenant's limits: the region alone must fit too.
            Object[] r = (Object[]) em.createNativeQuery("select coalesce(sum(n), 0), "
                    + "coalesce(sum(n::bigint * cpu_request_millis), 0), coalesce(sum(n::bigint * cpu_limit_millis), 0), "
                    + "coalesce(sum(n::bigint * memory_request_bytes), 0), "
                    + "coalesce(sum(n::bigint * memory_limit_bytes), 0) from (select coalesce(ar.replicas, a.replicas) "
                    + "as n, a.* from app a join app_region ar on ar.app_id = a.id join region g on g.id = ar.region_id "
                    + "where a.tenant_id = ?1 and g.name = ?2 and a.id <> ?3) x").setParameter(1, tenantId)
                    .setParameter(2, region).setParameter(3, appId).getSingleResult();
            QuotaUsage inRegion = new QuotaUsage(0, i(r[0]), l(r[1]), l(r[2]), l(r[3]), l(r[4]), 0, 0, 0);
            new Check(limits, inRegion).grow(AppFootprint.NONE, perReplica.withReplicas(after.get(region)),
                    " in region " + region, field(region, overridden));
        }
    }

    private static String field(String region, Set<String> overridden) {
        return overridden.contains(region) ? "regionReplicas." + region : "placement";
    }

    /**
     * How an app's pods spread over its placement: the pods of regions with their own count, and the number of
     * regions that run the app's replicas (at least one, for an app without placement rows).
     */
    private int[] spread(long appId) {
        // A region's own count, where set, is at least the autoscaler's maximum (greatest() skips nulls, hence case).
        Object[] r = (Object[]) em.createNativeQuery("select coalesce(sum(case when ar.replicas is not null then "
                + "greatest(ar.replicas, coalesce(a.autoscale_max_replicas, 0)) end), 0), "
                + "count(*) - count(ar.replicas), count(*) "
                + "from app_region ar join app a on a.id = ar.app_id where ar.app_id = ?1")
                .setParameter(1, appId).getSingleResult();
        int rows = i(r[2]);
        return new int[] {i(r[0]), rows == 0 ? 1 : i(r[1])};
    }

    /** The tenant's effective limits (its plan with its overrides), without a lock: for pages and views. */
    @Transactional
    public QuotaLimits limits(long tenantId) {
        return effective(Tenant.findById(tenantId));
    }

    /** The effective limits of a tenant already loaded (the plan comes from the session's cache when it can). */
    public static QuotaLimits effective(Tenant t) {
        Plan p = Plan.findById(t.planId);
        return p.limits().with(t.overrides());
    }

    /** What the tenant uses now: apps, rollout reservations, running builds and build time this month. */
    @Transactional
    public QuotaUsage usage(long tenantId) {
        return current(tenantId, -1L);
    }

    /**
     * What each of the tenants uses now, counted exactly as {@link #usage(long)} counts it (placement, autoscaler
     * maxima, worker and cron pods, rollout reservations, builds), in one statement for a whole page of tenants:
     * the tenant lists show the same figures as the dashboard and the quota check.
     */
    @Transactional
    public Map<Long, QuotaUsage> usage(Collection<Long> tenantIds) {
        if (tenantIds.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select t.id, "
                + "(select count(*) from app where tenant_id = t.id), "
                + "coalesce(u.pods, 0), coalesce(u.cr, 0), coalesce(u.cl, 0), coalesce(u.mr, 0), coalesce(u.ml, 0), "
                + "coalesce(u.cd, 0), "
                + "(select count(*) from quota_reservation where tenant_id = t.id and kind = 'build' "
                + "and expires_at > now()), "
                + "(select coalesce(sum(seconds), 0) from build_usage where tenant_id = t.id and month = :m) "
                + "from tenant t left join (select tid, sum(pods) as pods, sum(cr) as cr, sum(cl) as cl, "
                + "sum(mr) as mr, sum(ml) as ml, sum(cd) as cd from ("
                + "select app.tenant_id as tid, n as pods, n::bigint * cpu_request_millis as cr, "
                + "n::bigint * cpu_limit_millis as cl, n * memory_request_bytes as mr, n * memory_limit_bytes as ml, "
                + "case when custom_domain is null then 0 else 1 end as cd "
                + "from (select app.*, " + PLACED_PODS + " as n from app where tenant_id in (:ids) offset 0) app "
                + "union all " + processPods("x.tenant_id, ", "where a.tenant_id in (:ids)")
                + "union all select tenant_id, pods, cpu_request_millis, cpu_limit_millis, memory_request_bytes, "
                + "memory_limit_bytes, 0 from quota_reservation where tenant_id in (:ids) and expires_at > now()"
                + ") parts group by tid) u on u.tid = t.id where t.id in (:ids)")
                .setParameter("ids", tenantIds).setParameter("m", month(Instant.now())).getResultList();
        Map<Long, QuotaUsage> result = new java.util.HashMap<>();
        for (Object[] r : rows) {
            result.put(l(r[0]), new QuotaUsage(i(r[1]), i(r[2]), l(r[3]), l(r[4]), l(r[5]), l(r[6]), i(r[7]),
                    i(r[8]), l(r[9])));
        }
        return result;
    }

    private QuotaUsage current(long tenantId, long excludedAppId) {
        Object[] r = (Object[]) em.createNativeQuery("select "
                + "(select count(*) from app where tenant_id = ?1), "
                + "coalesce(sum(u.pods), 0), coalesce(sum(u.cr), 0), coalesce(sum(u.cl), 0), coalesce(sum(u.mr), 0), "
                + "coalesce(sum(u.ml), 0), coalesce(sum(u.cd), 0), "
                + "(select count(*) from quota_reservation where tenant_id = ?1 and kind = 'build' and expires_at > now()), "
                + "(select coalesce(sum(seconds), 0) from build_usage where tenant_id = ?1 and month = ?2) "
                + "from (select n as pods, n::bigint * cpu_request_millis as cr, "
                + "n::bigint * cpu_limit_millis as cl, n * memory_request_bytes as mr, "
                + "n * memory_limit_bytes as ml, case when custom_domain is null then 0 else 1 end as cd "
                // "offset 0" keeps each subquery a subquery: flattened, PostgreSQL copies the expression of n into
                // each of the five sums that use it, and the per-app lookups ran five times per app (6 ms instead of
                // 1 ms for 500 apps).
                + "from (select app.*, " + PLACED_PODS + " as n from app where tenant_id = ?1 and id <> ?3 "
                + "offset 0) app "
                + "union all " + PROCESS_PODS
                + "union all select pods, cpu_request_millis, cpu_limit_millis, memory_request_bytes, memory_limit_bytes, 0 "
                + "from quota_reservation where tenant_id = ?1 and expires_at > now()) u")
                .setParameter(1, tenantId).setParameter(2, month(Instant.now())).setParameter(3, excludedAppId)
                .getSingleResult();
        return new QuotaUsage(i(r[0]), i(r[1]), l(r[2]), l(r[3]), l(r[4]), l(r[5]), i(r[6]), i(r[7]), l(r[8]));
    }

    private void release(long tenantId, String kind, String ref) {
        em.createNativeQuery("delete from quota_reservation where tenant_id = ?1 and kind = ?2 and ref = ?3")
                .setParameter(1, tenantId).setParameter(2, kind).setParameter(3, ref).executeUpdate();
    }

    static LocalDate month(Instant at) {
        return at.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
    }

    static int i(Object o) {
        return ((Number) o).intValue();
    }

    static long l(Object o) {
        return ((Number) o).longValue();
    }

    /**
     * One decision: compares use before and after the change per dimension and refuses the first dimension the
     * change grows beyond its limit. A dimension already over its limit may shrink or stay.
     */
    static final class Check {
        private final QuotaLimits limits;
        private final QuotaUsage used;

        Check(QuotaLimits limits, QuotaUsage used) {
            this.limits = limits;
            this.used = used;
        }

        void count(String field, String limit, long before, long after, long max, String asked) {
            if (after > max && after > before) {
                throw new QuotaExceededException(field, limit, String.valueOf(max), String.valueOf(before), asked);
            }
        }

        void replicasPerApp(int before, int after) {
            if (after > limits.replicasPerApp() && after > before) {
                throw new QuotaExceededException("replicas", "replicasPerApp", String.valueOf(limits.replicasPerApp()),
                        before + " (this app)", after + " replicas");
            }
        }

        void grow(AppFootprint current, AppFootprint next, String what) {
            grow(current, next, what, null);
        }

        /** Pods, then CPU requests and limits, then memory requests and limits. */
        void grow(AppFootprint current, AppFootprint next, String what, String fieldOverride) {
            int pods = used.pods() - current.replicas() + next.replicas();
            if (pods > limits.pods() && pods > used.pods()) {
                throw new QuotaExceededException(f(fieldOverride, "replicas"), "pods", String.valueOf(limits.pods()),
                        String.valueOf(used.pods()), (next.replicas() - current.replicas()) + " more pod(s)" + what);
            }
            cpu(f(fieldOverride, "resources.cpuRequest"), "cpuRequest", used.cpuRequestMillis(),
                    current.totalCpuRequestMillis(), next.totalCpuRequestMillis(), limits.cpuRequestMillis(),
                    next.replicas(), next.cpuRequestMillis(), what);
            cpu(f(fieldOverride, "resources.cpuLimit"), "cpuLimit", used.cpuLimitMillis(),
                    current.totalCpuLimitMillis(), next.totalCpuLimitMillis(), limits.cpuLimitMillis(),
                    next.replicas(), next.cpuLimitMillis(), what);
            memory(f(fieldOverride, "resources.memoryRequest"), "memoryRequest", used.memoryRequestBytes(),
                    current.totalMemoryRequestBytes(), next.totalMemoryRequestBytes(), limits.memoryRequestBytes(),
                    next.replicas(), next.memoryRequestBytes(), what);
            memory(f(fieldOverride, "resources.memoryLimit"), "memoryLimit", used.memoryLimitBytes(),
                    current.totalMemoryLimitBytes(), next.totalMemoryLimitBytes(), limits.memoryLimitBytes(),
                    next.replicas(), next.memoryLimitBytes(), what);
        }

        private static void cpu(String field, String limit, long used, long current, long next, long max, int replicas,
                int each, String what) {
            long after = used - current + next;
            if (after > max && after > used) {
                throw new QuotaExceededException(field, limit, Quantities.cpu((int) max), Quantities.cpu((int) used),
                        Quantities.cpu((int) (next - current)) + " more (" + replicas + " x " + Quantities.cpu(each)
                                + ")" + what);
            }
        }

        private static void memory(String field, String limit, long used, long current, long next, long max,
                int replicas, long each, String what) {
            long after = used - current + next;
            if (after > max && after > used) {
                throw new QuotaExceededException(field, limit, Quantities.memory(max), Quantities.memory(used),
                        Quantities.memory(next - current) + " more (" + replicas + " x " + Quantities.memory(each)
                                + ")" + what);
            }
        }

        private static String f(String override, String field) {
            return override == null ? field : override;
        }
    }
}
