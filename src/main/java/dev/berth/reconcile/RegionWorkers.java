package dev.berth.reconcile;

import dev.berth.kube.DesiredStateChanged;
import dev.berth.kube.Labels;
import dev.berth.placement.Routing;
import dev.berth.live.LiveSignals;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionService;
import dev.berth.regions.RegionView;
import dev.berth.regions.RegionsConfig;
import dev.berth.tenancy.TenantsConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * One reconcile worker per region ({@link RegionWorker}), each on its own thread, so a region that is slow or down
 * never delays another. This registry starts and stops them, routes what they hear of to them (committed changes,
 * watch events, lease changes, reachability, caches that synced) and tells the region views which writes each
 * region's cluster refuses.
 */
@ApplicationScoped
public class RegionWorkers implements RegionService.WriteErrorSource {
    private static final Logger LOG = Logger.getLogger(RegionWorkers.class);
    private final Map<String, RegionWorker> workers = new ConcurrentHashMap<>();
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
    @Inject
    LiveSignals live;

    public void start(RegionCluster cluster) {
        workers.computeIfAbsent(cluster.info().name(), n -> {
            RegionWorker w = new RegionWorker(cluster, loader, regionService, config, tenantsConfig, routing);
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
            // The pages show pods and Deployments as they are: any change of them wakes the tenant's pages here.
            cluster.cache().onAnyChange(o -> live.local(tenantOf(o)));
            // Routing follows health: an app's pod becoming ready or unready in any region changes its DNS records.
            cluster.cache().onPodReadinessChange(this::republishDns);
            // ... and so does the region's cache becoming synced: until then its weight reads "not connected".
            cluster.cache().onSynced(this::republishDns);
            // Caches that synced (at start, after replaced informers listed afresh) start a full resync at once.
            cluster.cache().onSynced(() -> w.caughtUp("watch caches synced"));
            cluster.dns().onChange(w::enqueueDns);
            w.startPeriodicResync();
            return w;
        });
    }

    private static String tenantOf(io.fabric8.kubernetes.api.model.HasMetadata o) {
        return o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get(Labels.TENANT);
    }

    /** Stops the region's worker; queued reconciles of that region are dropped. */
    public void stop(String region) {
        RegionWorker w = workers.remove(region);
        if (w != null) {
            w.stop();
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
        workers.values().forEach(RegionWorker::resyncIfHeld);
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
        RegionWorker w = workers.get(region);
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
            w.leaseLost();
        }
    }

    /**
     * The health loop found the region answering after it did not (or after its worker found it silent): the
     * worker starts its backoffs afresh and resyncs at once, instead of waiting out its longest backoff.
     */
    public void regionReturned(String region) {
        RegionWorker w = workers.get(region);
        if (w != null) {
            w.caughtUp("API server answers again");
        }
    }

    /** Whether the region's worker waits for its cluster to answer (the health loop then probes it often). */
    public boolean awaitingCluster(String region) {
        RegionWorker w = workers.get(region);
        return w != null && w.awaitingCluster();
    }

    /** The writes the region's cluster refuses, as this instance's worker knows them (only while it holds the lease). */
    @Override
    public List<RegionView.WriteError> writeErrors(String region) {
        RegionWorker w = workers.get(region);
        return w == null || !w.holds() ? List.of() : w.failures.list();
    }

    /** Whether this instance's worker writes to the region now (tests). */
    public boolean holds(String region) {
        RegionWorker w = workers.get(region);
        return w != null && w.holds();
    }

    /**
     * Asks every region to publish DNS again (a region became reachable or unreachable, an app's readiness changed
     * somewhere). Coalesced per worker; a pass that finds the records as they should be writes nothing.
     */
    public void republishDns() {
        workers.values().forEach(RegionWorker::enqueueDns);
    }

    /** Runs a full resync of one region now, on its worker thread, and waits for it (tests and benchmarks). */
    public ReconcileResult resyncNow(String region) {
        RegionWorker w = Optional.ofNullable(workers.get(region))
                .orElseThrow(() -> new IllegalArgumentException("no worker for region " + region));
        return CompletableFuture.supplyAsync(w::fullResync, w.executor).join();
    }

    /** Waits until every queued reconcile of the region has run (tests). */
    public void awaitIdle(String region) {
        RegionWorker w = workers.get(region);
        if (w != null) {
            CompletableFuture.runAsync(() -> { }, w.executor).join();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        workers.values().forEach(RegionWorker::stop);
        workers.clear();
    }
}
