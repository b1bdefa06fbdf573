package dev.berth.reconcile;

import dev.berth.kube.ClusterErrors;
import dev.berth.placement.Routing;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionService;
import dev.berth.regions.RegionsConfig;
import dev.berth.tenancy.TenantsConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The reconcile worker of one region: a single thread that converges the tenants it is told about, resyncs the
 * whole region periodically and whenever the region catches up (its watch caches synced, its API server answers
 * again), and publishes DNS. Failures are kept as small as they are:
 * <ul>
 * <li>a write the cluster refuses (403, 422, ...) waits for its own retry ({@link WriteFailures}) while every other
 * object and tenant is converged;</li>
 * <li>a tenant whose desired state cannot be loaded waits alone, with its own backoff;</li>
 * <li>only a cluster that does not answer holds the whole region, with one backoff, until a full resync gets
 * through or the health loop finds it answering again ({@link #caughtUp}).</li>
 * </ul>
 */
final class RegionWorker {
    private static final Logger LOG = Logger.getLogger(RegionWorker.class);
    final RegionCluster cluster;
    final ScheduledExecutorService executor;
    final WriteFailures failures;
    private final Convergence convergence;
    private final DnsPublisher dns;
    private final DesiredStateLoader loader;
    private final RegionService regionService;
    private final RegionsConfig config;
    private final Set<String> pending = new LinkedHashSet<>();
    private boolean dnsPending;
    private boolean drainScheduled;
    private boolean resyncQueued;
    /** Worker thread only: each tenant whose desired state failed to load, and its backoff. */
    private final Map<String, Long> tenantBackoff = new HashMap<>();
    private long regionBackoffMillis;
    private long dnsBackoffMillis;
    private ScheduledFuture<?> regionRetry;
    /** Set while the cluster did not answer, until a full resync gets through or the region is found back. */
    private volatile boolean awaitingCluster;
    /** Set by {@link RegionLeases}: whether this instance holds the region's lease, and until when. */
    volatile boolean leased;
    volatile long leaseUntil;

    RegionWorker(RegionCluster cluster, DesiredStateLoader loader, RegionService regionService, RegionsConfig config,
            TenantsConfig tenantsConfig, Routing routing) {
        this.cluster = cluster;
        this.loader = loader;
        this.regionService = regionService;
        this.config = config;
        this.convergence = new Convergence(cluster, tenantsConfig.containerDefaults());
        this.dns = new DnsPublisher(cluster, routing, regionService, config);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reconcile-" + cluster.info().name());
            t.setDaemon(true);
            return t;
        });
        this.failures = new WriteFailures(cluster.info().name(), executor, this::enqueue,
                config.maxBackoff().toMillis());
    }

    private String name() {
        return cluster.info().name();
    }

    boolean holds() {
        return leased && System.nanoTime() - leaseUntil < 0;
    }

    /** Whether the worker waits for its cluster to answer again (the health loop then probes it often). */
    boolean awaitingCluster() {
        return awaitingCluster;
    }

    /**
     * Runs a task on the worker's thread; a stopped worker drops it (the listeners it gave the region's caches
     * outlive it when only the worker is restarted).
     */
    private void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debugf("region %s: worker stopped, dropped a task", name());
        }
    }

    /** Stops the worker; queued reconciles and retries are dropped. */
    void stop() {
        executor.shutdownNow();
    }

    /** Runs a full resync every resync interval, as a safety net for lost events. */
    void startPeriodicResync() {
        long every = config.resyncInterval().toMillis();
        executor.scheduleWithFixedDelay(this::resyncIfHeldAndSynced, every, every, TimeUnit.MILLISECONDS);
    }

    /** A full resync soon, on the worker's thread, if this instance holds the region and its caches have synced. */
    synchronized void resyncIfHeld() {
        if (!resyncQueued) {
            resyncQueued = true;
            execute(() -> {
                synchronized (this) {
                    resyncQueued = false;
                }
                resyncIfHeldAndSynced();
            });
        }
    }

    /**
     * The region caught up (its caches synced, or its API server answers again after it did not): every backoff
     * starts afresh and everything is converged at once, instead of when the longest backoff ran out.
     */
    void caughtUp(String why) {
        execute(() -> {
            if (regionRetry != null) {
                regionRetry.cancel(false);
                regionRetry = null;
            }
            boolean waited = awaitingCluster;
            awaitingCluster = false;
            regionBackoffMillis = 0;
            dnsBackoffMillis = 0;
            tenantBackoff.clear();
            failures.resetBackoffs();
            LOG.debugf("region %s: %s%s, resyncing now", name(), why, waited ? " after it did not answer" : "");
        });
        resyncIfHeld();
    }

    /** This instance no longer writes to the region: what it knew of refused writes is no longer current. */
    void leaseLost() {
        execute(failures::clear);
    }

    synchronized void enqueue(String slug) {
        pending.add(slug);
        scheduleDrain();
    }

    synchronized void enqueueDns() {
        dnsPending = true;
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (!drainScheduled) {
            drainScheduled = true;
            execute(this::drain);
        }
    }

    private void drain() {
        Set<String> batch;
        boolean publish;
        synchronized (this) {
            batch = new LinkedHashSet<>(pending);
            pending.clear();
            publish = dnsPending;
            dnsPending = false;
            drainScheduled = false;
        }
        if (!holds()) {
            // Another instance writes to this region; it hears of the same change (DesiredStateFeed).
            return;
        }
        if (publish) {
            publishDns();
        }
        if (batch.isEmpty() || !cluster.cache().synced() || awaitingCluster) {
            // Nothing to do, or a full resync follows anyway: when the caches sync, or the cluster answers again.
            return;
        }
        for (String slug : batch) {
            try {
                convergeTenant(slug, null, false);
            } catch (RuntimeException e) {
                awaitCluster(e);
                return;
            }
        }
    }

    /**
     * During a full resync, converges the tenants whose change arrived meanwhile before the resync goes on, so a
     * deploy never waits behind a resync of the whole region. Each is loaded afresh and added to {@code converged}:
     * the resync skips them, as what it loaded at its start is older than what was just written.
     */
    private int convergeChangedFirst(Set<String> converged) {
        Set<String> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                return 0;
            }
            batch = new LinkedHashSet<>(pending);
            pending.clear();
        }
        int writes = 0;
        for (String slug : batch) {
            converged.add(slug);
            writes += convergeTenant(slug, null, false);
        }
        return writes;
    }

    /**
     * Converges one tenant, loading its desired state unless {@code loaded}. Refused writes stay with their
     * objects, a failed load with the tenant; throws only when the cluster did not answer.
     */
    private int convergeTenant(String slug, TenantDesired desired, boolean loaded) {
        WriteFailures.Pass pass = failures.pass(slug);
        int writes;
        try {
            TenantDesired d = loaded ? desired : loader.load(slug, cluster.info().id()).orElse(null);
            writes = convergence.converge(slug, d, pass);
        } catch (RuntimeException e) {
            if (ClusterErrors.unanswered(e)) {
                throw e;
            }
            Long before = tenantBackoff.get(slug);
            long backoff = before == null ? WriteFailures.FIRST_BACKOFF_MILLIS
                    : Math.min(before * 2, config.maxBackoff().toMillis());
            tenantBackoff.put(slug, backoff);
            LOG.warnf("region %s: tenant %s not converged, retrying in %d ms: %s", name(), slug, backoff,
                    ClusterErrors.describe(e));
            executor.schedule(() -> enqueue(slug), backoff, TimeUnit.MILLISECONDS);
            return 0;
        }
        pass.finish();
        tenantBackoff.remove(slug);
        return writes;
    }

    /**
     * The cluster did not answer, or the region's tenants could not be listed: the region waits as a whole, and a
     * full resync tries again with one backoff (or sooner, when the region catches up).
     */
    private void awaitCluster(RuntimeException e) {
        if (executor.isShutdown()) {
            return;
        }
        boolean silent = ClusterErrors.unanswered(e);
        awaitingCluster |= silent;
        if (regionRetry != null) {
            return;
        }
        regionBackoffMillis = regionBackoffMillis == 0 ? WriteFailures.FIRST_BACKOFF_MILLIS
                : Math.min(regionBackoffMillis * 2, config.maxBackoff().toMillis());
        String reason = ClusterErrors.describe(e);
        if (silent) {
            LOG.debugf("region %s: cluster does not answer, resync in %d ms: %s", name(), regionBackoffMillis, reason);
        } else {
            LOG.warnf("region %s: resync failed, retrying in %d ms: %s", name(), regionBackoffMillis, reason);
        }
        regionRetry = executor.schedule(() -> {
            regionRetry = null;
            resyncIfHeldAndSynced();
        }, regionBackoffMillis, TimeUnit.MILLISECONDS);
    }

    private void resyncIfHeldAndSynced() {
        try {
            if (holds() && cluster.cache().synced()) {
                fullResync();
            }
        } catch (RuntimeException e) {
            awaitCluster(e);
        }
    }

    /** One DNS pass; while a cache is not ready or the cluster fails, it is tried again with backoff. */
    private int publishDns() {
        try {
            int writes = dns.publish();
            if (writes != DnsPublisher.NOT_READY) {
                dnsBackoffMillis = 0;
                return writes;
            }
            LOG.debugf("region %s: DNS publishing waits for the watch caches", name());
        } catch (RuntimeException e) {
            LOG.debugf("region %s: DNS publishing deferred: %s", name(), ClusterErrors.describe(e));
        }
        dnsBackoffMillis = dnsBackoffMillis == 0 ? WriteFailures.FIRST_BACKOFF_MILLIS
                : Math.min(dnsBackoffMillis * 2, config.maxBackoff().toMillis());
        executor.schedule(this::enqueueDns, dnsBackoffMillis, TimeUnit.MILLISECONDS);
        return 0;
    }

    /**
     * Converges every tenant with desired state in the region and every tenant Berth left a namespace of, each on
     * its own (a tenant or object that fails does not stop the others), then publishes DNS. When the cluster stops
     * answering part-way, the rest waits for the region's retry.
     */
    ReconcileResult fullResync() {
        long start = System.nanoTime();
        if (!holds()) {
            return new ReconcileResult(name(), 0, 0, 0);
        }
        int writes = 0;
        int tenants = 0;
        try {
            Set<String> seen = new LinkedHashSet<>();
            Set<String> changedMeanwhile = new HashSet<>();
            List<TenantDesired> all = loader.loadAll(cluster.info().id());
            for (TenantDesired d : all) {
                String slug = d.tenant().slug();
                seen.add(slug);
                writes += convergeChangedFirst(changedMeanwhile);
                if (changedMeanwhile.contains(slug)) {
                    continue;
                }
                tenants++;
                writes += convergeTenant(slug, d, true);
            }
            for (String orphan : convergence.tenantsInCluster()) {
                writes += convergeChangedFirst(changedMeanwhile);
                if (!seen.contains(orphan) && !changedMeanwhile.contains(orphan)) {
                    tenants++;
                    writes += convergeTenant(orphan, null, true);
                }
            }
        } catch (RuntimeException e) {
            awaitCluster(e);
            return new ReconcileResult(name(), tenants, writes, (System.nanoTime() - start) / 1_000_000);
        }
        awaitingCluster = false;
        regionBackoffMillis = 0;
        if (regionRetry != null) {
            regionRetry.cancel(false);
            regionRetry = null;
        }
        writes += publishDns();
        regionService.recordSync(name());
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (writes > 0) {
            LOG.infof("region %s: resync of %d tenant(s) sent %d write(s) in %d ms", name(), tenants, writes, millis);
        }
        return new ReconcileResult(name(), tenants, writes, millis);
    }
}
