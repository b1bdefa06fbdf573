package dev.berth.builds;

import dev.berth.builds.executors.BuildExecutors;
import dev.berth.builds.executors.BuildReaper;
import dev.berth.builds.run.BuildLog;
import dev.berth.builds.run.BuildLogFeed;
import dev.berth.builds.run.BuildsConfig;
import dev.berth.jobs.JobQueue;
import dev.berth.jobs.JobQueues;
import dev.berth.jobs.JobTable;
import dev.berth.jobs.StaleJob;
import dev.berth.quotas.AppFootprint;
import dev.berth.quotas.QuotaService;
import dev.berth.quotas.QuotaUsage;
import dev.berth.tenancy.QuotaLimits;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The build queue, kept in PostgreSQL so it survives restarts and can be shared by several Berth instances.
 * Worker threads claim the oldest queued build whose tenant is under its concurrency limit, with
 * {@code FOR UPDATE SKIP LOCKED} under a short advisory lock (so the running counts they check cannot race).
 * A running build proves its worker alive with a heartbeat; {@link #recoverStale()} queues builds whose worker
 * vanished (Berth killed or its host lost) again, or fails them after too many attempts (the dead letter, with the
 * reason as last error), so none stays "running". The SQL of claims, heartbeats and recovery is the shared
 * {@link JobQueue}'s; the build's state moves are checked here against {@link BuildState}.
 */
@ApplicationScoped
public class BuildQueue {
    private static final Logger LOG = Logger.getLogger(BuildQueue.class);
    private static final long CLAIM_LOCK = 0x6265727468L; // "berth"
    static final String RUNNING_SQL = BuildState.sqlList(BuildState.runningStates());
    /** The build rows as jobs: queued ones are due, running ones beat; oldest first. */
    static final JobTable TABLE = new JobTable("builds", "build", "j.state = 'queued'", "j.state in " + RUNNING_SQL,
            "j.queued_at, j.id", "queued_at", true);

    @Inject
    BuildsConfig config;
    @Inject
    BuildRunner runner;
    @Inject
    EntityManager em;
    @Inject
    BuildLog logs;
    @Inject
    QuotaService quotas;
    @Inject
    BuildExecutors executors;
    @Inject
    BuildReaper reaper;
    @Inject
    JobQueues jobQueues;
    @Inject
    BuildLogFeed logFeed;
    /** Builds this instance saw waiting for quota room, and since when (their log says so once). */
    private final Map<Long, Instant> waiting = new java.util.concurrent.ConcurrentHashMap<>();

    private final String instance = host() + "/" + UUID.randomUUID().toString().substring(0, 8);
    private final Semaphore wakeups = new Semaphore(0);
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;

    void start(@Observes StartupEvent e) {
        running = true;
        reaper.reap(); // what a Berth that died on this host left, before its builds are recovered
        recoverStale();
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::work, "build-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    void stop(@Observes ShutdownEvent e) {
        running = false;
        runner.shutdown();
        workers.forEach(Thread::interrupt);
    }

    void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) BuildService.BuildQueued q) {
        wake();
    }

    /** Lets idle workers look for work now. */
    public void wake() {
        wakeups.release(config.workers());
    }

    private void work() {
        while (running) {
            try {
                Long id = claim();
                if (id != null) {
                    runner.run(id, instance);
                    continue;
                }
                wakeups.drainPermits();
                wakeups.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException ex) {
                LOG.warnf(ex, "build worker: %s", ex.getMessage());
                sleepQuietly();
            }
        }
    }

    /**
     * Claims the next build this instance may start, moving it to "cloning"; null when there is none. The oldest
     * queued builds are candidates; a candidate whose tenant already runs as many builds as its plan allows stays
     * queued (without blocking other tenants), one whose tenant has no build minutes left fails with that reason.
     */
    Long claim() {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("select pg_advisory_xact_lock(" + CLAIM_LOCK + ")").getSingleResult();
            List<Long> candidates = jobs().lockDue(20, """
                    (select count(*) from build r where r.state in %s) < :total
                    and (select count(*) from build r where r.state in %s and r.tenant_id = j.tenant_id) < :perTenant"""
                    .formatted(RUNNING_SQL, RUNNING_SQL),
                    Map.of("total", config.maxRunning(), "perTenant", config.maxRunningPerTenant()));
            AppFootprint builder = executors.builderFootprint();
            for (long id : candidates) {
                long tenantId = ((Number) em.createNativeQuery("select tenant_id from build where id = :id")
                        .setParameter("id", id).getSingleResult()).longValue();
                String refused = quotaRefusal(tenantId);
                if (refused == null && builder.replicas() > 0) {
                    refused = builderRefusal(id, tenantId, builder);
                }
                if (refused == null) {
                    quotas.checkBuildStart(tenantId, slot(id), builder);
                    jobs().started(id, instance);
                    em.createNativeQuery("""
                            update build set state = :to, started_at = now(), failure_reason = null, log_open = true
                            where id = :id""").setParameter("to", queuedTo(BuildState.CLONING))
                            .setParameter("id", id).executeUpdate();
                    return id;
                }
                if (!refused.isEmpty()) {
                    em.createNativeQuery("update build set state = :to, failure_reason = :r, finished_at = now() "
                            + "where id = :id").setParameter("to", queuedTo(BuildState.FAILED))
                            .setParameter("r", refused).setParameter("id", id).executeUpdate();
                    logFeed.announceOnCommit(em, id);
                }
            }
            return null;
        });
    }

    /** The build queue in the shared job queue ({@link JobQueue}): the build rows themselves. */
    JobQueue jobs() {
        return jobQueues.queue(TABLE);
    }

    /** The state a queued build (claimed under its row lock) moves to, checked against {@link BuildState}'s table. */
    private static String queuedTo(BuildState to) {
        return BuildState.QUEUED.requireMoveTo(to).value();
    }

    /** Null when the tenant's plan lets a build start now, "" to wait for a running one, else why it cannot run. */
    private String quotaRefusal(long tenantId) {
        QuotaLimits limits = quotas.limits(tenantId);
        QuotaUsage used = quotas.usage(tenantId);
        if (limits.concurrentBuilds() <= 0) {
            return "the tenant's plan allows no builds (concurrentBuilds is 0)";
        }
        if (used.buildMinutesThisMonth() >= limits.buildMinutesPerMonth()) {
            return "the tenant has used its " + limits.buildMinutesPerMonth() + " build minutes of this month";
        }
        return used.activeBuilds() >= limits.concurrentBuilds() ? "" : null;
    }

    /**
     * Null when the tenant has room for the builder pod now; "" to wait for room (apps scaled down, a rollout or
     * another build ending) while the build has waited less than {@code berth.builds.quota-wait}; else why it cannot
     * run. A builder larger than a limit on its own fails at once. The first wait is written to the build's log.
     */
    private String builderRefusal(long buildId, long tenantId, AppFootprint builder) {
        String tooLarge = quotas.builderTooLarge(tenantId, builder);
        if (tooLarge != null) {
            waiting.remove(buildId);
            return "the builder pod does not fit in the tenant's quota at all: " + tooLarge;
        }
        String room = quotas.builderRoom(tenantId, builder);
        if (room == null) {
            waiting.remove(buildId);
            return null;
        }
        Instant since = waiting.get(buildId);
        if (since == null) {
            waiting.put(buildId, Instant.now());
            try (BuildLog.Writer w = logs.open(buildId, List.of())) {
                w.line("Waiting for room in the tenant's quota for the builder pod (at most "
                        + config.quotaWait().toMinutes() + " min): " + room);
            }
            return "";
        }
        if (since.plus(config.quotaWait()).isBefore(Instant.now())) {
            waiting.remove(buildId);
            return "no room for the builder pod in the tenant's quota for " + config.quotaWait().toMinutes()
                    + " min: " + room;
        }
        return "";
    }

    /** The quota reservation name of a build's concurrent-build slot. */
    static String slot(long buildId) {
        return "build-" + buildId;
    }

    /**
     * Running builds whose worker stopped proving it is alive: queued again while attempts remain, else failed
     * with the reason. Runs at start-up and every 15 s on every instance; the row lock makes it safe to race.
     */
    @Scheduled(every = "15s", delayed = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void recoverPeriodically() {
        if (running) {
            recoverStale();
        }
    }

    public int recoverStale() {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<StaleJob> stale = jobs().lockStale(config.staleAfter());
            for (StaleJob job : stale) {
                long id = job.id();
                int attempts = job.attempts();
                boolean retry = attempts < config.maxAttempts();
                String reason = "Berth stopped while this build ran (worker " + job.worker() + ")";
                Object[] row = (Object[]) em.createNativeQuery("select tenant_id, started_at, state from build "
                        + "where id = :id").setParameter("id", id).getSingleResult();
                // The dead attempt ran until its last heartbeat at most: the time Berth was down is not build time,
                // and the build counts once, when its last attempt ends.
                quotas.attemptEnded(((Number) row[0]).longValue(), slot(id),
                        ranUntilLastHeartbeat(row[1], job.heartbeatAt()), !retry);
                BuildState from = BuildState.of((String) row[2]);
                if (retry) {
                    em.createNativeQuery("update build set state = :to, log_open = false where id = :id")
                            .setParameter("to", from.requireMoveTo(BuildState.QUEUED).value()).setParameter("id", id)
                            .executeUpdate();
                    jobs().requeue(id, reason);
                } else {
                    String gaveUp = reason + "; gave up after " + attempts + " attempts";
                    em.createNativeQuery("update build set state = :to, failure_reason = :r, finished_at = now(), "
                            + "log_open = false where id = :id")
                            .setParameter("to", from.requireMoveTo(BuildState.FAILED).value()).setParameter("id", id)
                            .setParameter("r", gaveUp).executeUpdate();
                    jobs().deadLetter(id, gaveUp);
                }
                try (BuildLog.Writer w = logs.open(id, List.of())) {
                    w.line(retry ? "*** " + reason + "; queued again (attempt " + (attempts + 1) + " of "
                            + config.maxAttempts() + ")" : "*** " + reason + "; giving up after " + attempts + " attempts");
                }
            }
            // A worker that died after recording the final state, before its last lines: its log is complete.
            em.createNativeQuery("update build set log_open = false where log_open and state not in %s and "
                    .formatted(RUNNING_SQL) + "(heartbeat_at is null or heartbeat_at < now() - make_interval(secs => :s))")
                    .setParameter("s", config.staleAfter().toSeconds()).executeUpdate();
            if (!stale.isEmpty()) {
                LOG.infof("recovered %d build(s) left running by a stopped worker", stale.size());
                wake();
            }
            return stale.size();
        });
    }

    /** From the attempt's start to its last heartbeat; zero when it never beat after it started. */
    static java.time.Duration ranUntilLastHeartbeat(Object startedAt, Object heartbeatAt) {
        Instant started = instant(startedAt);
        Instant beat = instant(heartbeatAt);
        if (started == null || beat == null || beat.isBefore(started)) {
            return java.time.Duration.ZERO;
        }
        return java.time.Duration.between(started, beat);
    }

    private static Instant instant(Object o) {
        return o instanceof java.sql.Timestamp ts ? ts.toInstant() : o instanceof Instant i ? i
                : o instanceof java.time.OffsetDateTime odt ? odt.toInstant() : null;
    }

    /** Writes this worker's heartbeat and returns whether someone asked to cancel the build. */
    boolean heartbeat(long buildId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            jobs().heartbeat(buildId);
            Object cancel = em.createNativeQuery("select cancel_requested from build where id = :id")
                    .setParameter("id", buildId).getSingleResult();
            return Boolean.TRUE.equals(cancel);
        });
    }

    String instance() {
        return instance;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "berth";
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
