package dev.berth.reconcile;

import dev.berth.kube.ClusterErrors;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Labels;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionService;
import dev.berth.regions.RegionsConfig;
import dev.berth.regions.Routing;
import dev.berth.tenants.TenantsConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One reconcile worker per region, each on its own thread, so a region that is slow or down never delays
 * another. A worker converges the tenants it is told about (after a committed change, or when a watched object
 * drifts), publishes DNS ({@link DnsPublisher}) after changes and health changes, resyncs everything periodically,
 * and retries with exponential backoff while its cluster fails.
 */
@ApplicationScoped
public class RegionWorkers {
    private static final Logger LOG = Logger.getLogger(RegionWorkers.class);
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();
    /**
     * Until when ({@link System#nanoTime}) this instance holds each region's lease, as {@link RegionLeases} last
     * renewed it; kept apart from the workers, so a worker started again (after {@link #stop}) knows at once.
     */
    private final Map<String, Long> leasedUntil = new ConcurrentHashMap<>();
    @Inject
    DesiredStateLoader loader;
    @Inject
    RegionService regionService;
    @Inject
    RegionsConfig config;
    @Inject
    TenantsConfig tenantsConfig;
    @Inject
    Routing routing;

    public void start(RegionCluster cluster) {
        workers.computeIfAbsent(cluster.info().name(), n -> {
            Worker w = new Worker(cluster);
            Long until = leasedUntil.get(n);
            if (until != null) {
                w.leaseUntil = until;
                w.leased = true;
            }
            cluster.cache().onManagedChange(o -> {
                String tenant = o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get(Labels.TENANT);
                if (tenant != null) {
                    w.enqueue(tenant);
                }
            });
            // Routing follows health: an app's pod becoming ready or unready in any region changes its DNS records.
            cluster.cache().onPodReadinessChange(this::republishDns);
            // ... and so does the region's cache becoming synced: until then its weight reads "not connected".
            cluster.cache().onSynced(this::republishDns);
            cluster.dns().onChange(w::enqueueDns);
            w.scheduleFullResync(0);
            return w;
        });
    }

    /** Stops the region's worker; queued reconciles of that region are dropped. */
    public void stop(String region) {
        Worker w = workers.remove(region);
        if (w != null) {
            w.executor.shutdownNow();
        }
    }

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) DesiredStateChanged change) {
        changed(change.tenantSlug());
    }

    /** A tenant's desired state changed (here, or on another instance): the regions this instance holds converge it. */
    public void changed(String tenantSlug) {
        workers.values().forEach(w -> {
            w.enqueue(tenantSlug);
            w.enqueueDns();
        });
    }

    /** Resyncs every region this instance holds, soon (changes may have been missed, see {@link DesiredStateFeed}). */
    public void resyncHeld() {
        workers.values().forEach(Worker::resyncIfHeld);
    }

    /**
     * Whether this instance holds the region's lease, and until when ({@link System#nanoTime}); only then does its
     * worker write to the region. Gaining it starts a full resync.
     */
    void lease(String region, boolean held, long untilNanos) {
        if (held) {
            leasedUntil.put(region, untilNanos);
        } else {
            leasedUntil.remove(region);
        }
        Worker w = workers.get(region);
        if (w == null) {
            return;
        }
        boolean before = w.holds();
        w.leaseUntil = untilNanos;
        w.leased = held;
        if (held && !before) {
            LOG.infof("region %s: this instance reconciles it", region);
            w.resyncIfHeld();
        } else if (!held && before) {
            LOG.infof("region %s: another instance reconciles it", region);
        }
    }

    /** Whether this instance's worker writes to the region now (tests). */
    public boolean holds(String region) {
        Worker w = workers.get(region);
        return w != null && w.holds();
    }

    /**
     * Asks every region to publish DNS again (a region became reachable or unreachable, an app's readiness changed
     * somewhere). Coalesced per worker; a pass that finds the records as they should be writes nothing.
     */
    public void republishDns() {
        workers.values().forEach(Worker::enqueueDns);
    }

    /** Runs a full resync of one region now, on its worker thread, and waits for it (tests and benchmarks). */
    public ReconcileResult resyncNow(String region) {
        Worker w = Optional.ofNullable(workers.get(region))
                .orElseThrow(() -> new IllegalArgumentException("no worker for region " + region));
        return CompletableFuture.supplyAsync(w::fullResync, w.executor).join();
    }

    /** Waits until every queued reconcile of the region has run (tests). */
    public void awaitIdle(String region) {
        Worker w = workers.get(region);
        if (w != null) {
            CompletableFuture.runAsync(() -> { }, w.executor).join();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        workers.values().forEach(w -> w.executor.shutdownNow());
        workers.clear();
    }

    final class Worker {
        private final RegionCluster cluster;
        private final Convergence convergence;
        final ScheduledExecutorService executor;
        private final DnsPublisher dns;
        private final Set<String> pending = new LinkedHashSet<>();
        private boolean dnsPending;
        private boolean drainScheduled;
        private long backoffMillis;
        private long dnsBackoffMillis;
        /** Set by {@link RegionLeases}: whether this instance holds the region's lease, and until when. */
        volatile boolean leased;
        volatile long leaseUntil;

        Worker(RegionCluster cluster) {
            this.cluster = cluster;
            this.convergence = new Convergence(cluster, tenantsConfig.containerDefaults());
            this.dns = new DnsPublisher(cluster, routing, regionService, config);
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "reconcile-" + cluster.info().name());
                t.setDaemon(true);
                return t;
            });
        }

        boolean holds() {
            return leased && System.nanoTime() - leaseUntil < 0;
        }

        /** A full resync on the worker's thread, if this instance holds the region and its caches have synced. */
        void resyncIfHeld() {
            executor.execute(() -> {
                try {
                    if (holds() && cluster.cache().synced()) {
                        fullResync();
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("region %s: resync failed: %s", cluster.info().name(), ClusterErrors.describe(e));
                    enqueueAll();
                }
            });
        }

        /** Every tenant with desired state in the region, through the queue (with its backoff). */
        private void enqueueAll() {
            try {
                loader.loadAll(cluster.info().id()).forEach(d -> enqueue(d.tenant().slug()));
            } catch (RuntimeException e) {
                LOG.debugf("region %s: cannot list tenants: %s", cluster.info().name(), e.getMessage());
            }
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
                executor.execute(this::drain);
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
            if (batch.isEmpty()) {
                return;
            }
            if (!cluster.cache().synced()) {
                retryLater(batch, "watch caches not synced yet");
                return;
            }
            List<String> slugs = List.copyOf(batch);
            for (int i = 0; i < slugs.size(); i++) {
                try {
                    convergence.converge(slugs.get(i), loader.load(slugs.get(i), cluster.info().id()).orElse(null));
                } catch (RuntimeException e) {
                    // Retry the failed tenant and every one not reached yet, not just the failed one.
                    retryLater(new LinkedHashSet<>(slugs.subList(i, slugs.size())), ClusterErrors.describe(e));
                    return;
                }
            }
            backoffMillis = 0;
        }

        /** One DNS pass; while a cache is not ready or the cluster fails, it is tried again with backoff. */
        private int publishDns() {
            try {
                int writes = dns.publish();
                if (writes != DnsPublisher.NOT_READY) {
                    dnsBackoffMillis = 0;
                    return writes;
                }
                LOG.debugf("region %s: DNS publishing waits for the watch caches", cluster.info().name());
            } catch (RuntimeException e) {
                LOG.debugf("region %s: DNS publishing deferred: %s", cluster.info().name(), ClusterErrors.describe(e));
            }
            dnsBackoffMillis = dnsBackoffMillis == 0 ? 500 : Math.min(dnsBackoffMillis * 2, config.maxBackoff().toMillis());
            executor.schedule(this::enqueueDns, dnsBackoffMillis, TimeUnit.MILLISECONDS);
            return 0;
        }

        private void retryLater(Set<String> slugs, String reason) {
            backoffMillis = backoffMillis == 0 ? 500 : Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
            LOG.debugf("region %s: reconcile deferred %d ms: %s", cluster.info().name(), backoffMillis, reason);
            executor.schedule(() -> slugs.forEach(this::enqueue), backoffMillis, TimeUnit.MILLISECONDS);
        }

        void scheduleFullResync(long delayMillis) {
            executor.schedule(() -> {
                try {
                    if (cluster.cache().synced()) {
                        fullResync();
                        backoffMillis = 0;
                        scheduleFullResync(config.resyncInterval().toMillis());
                        return;
                    }
                    backoffMillis = backoffMillis == 0 ? 500 : Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
                } catch (RuntimeException e) {
                    backoffMillis = backoffMillis == 0 ? 500 : Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
                    LOG.warnf("region %s: resync failed, retrying in %d ms: %s", cluster.info().name(), backoffMillis,
                            ClusterErrors.describe(e));
                }
                scheduleFullResync(backoffMillis);
            }, delayMillis, TimeUnit.MILLISECONDS);
        }

        ReconcileResult fullResync() {
            long start = System.nanoTime();
            if (!holds()) {
                return new ReconcileResult(cluster.info().name(), 0, 0, 0);
            }
            int writes = 0;
            Set<String> seen = new LinkedHashSet<>();
            for (TenantDesired d : loader.loadAll(cluster.info().id())) {
                seen.add(d.tenant().slug());
                writes += convergence.converge(d.tenant().slug(), d);
            }
            int tenants = seen.size();
            for (String orphan : convergence.tenantsInCluster()) {
                if (!seen.contains(orphan)) {
                    writes += convergence.converge(orphan, null);
                    tenants++;
                }
            }
            writes += publishDns();
            regionService.recordSync(cluster.info().name());
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (writes > 0) {
                LOG.infof("region %s: resync of %d tenant(s) sent %d write(s) in %d ms", cluster.info().name(), tenants,
                        writes, millis);
            }
            return new ReconcileResult(cluster.info().name(), tenants, writes, millis);
        }
    }
}
