package dev.berth.reconcile;

import dev.berth.kube.ClusterErrors;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionService;
import dev.berth.regions.RegionsConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Probes every region's API server on its own thread (version and round-trip time) and records reachability, so
 * pages can say "unreachable since ..." without ever waiting on a cluster themselves. While a region answers, it
 * also restarts watch caches whose watch stays closed (see {@code ClusterCache#restartStalledWatches}).
 *
 * <p>A region that does not answer (as last probed, or as its reconcile worker found) is probed again every
 * {@code berth.regions.recheck-interval} (1 s) rather than every health interval, and the moment it answers its
 * worker resyncs at once ({@link RegionWorkers#regionReturned}): a region that returns is converged within
 * seconds, not after the worker's longest backoff.
 */
@ApplicationScoped
public class RegionHealthLoop {
    private static final Logger LOG = Logger.getLogger(RegionHealthLoop.class);
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "region-health");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    @Inject
    RegionClients clients;
    @Inject
    RegionService regions;
    @Inject
    RegionsConfig config;
    @Inject
    RegionWorkers workers;
    /** Each region's reachability as last probed, so a change can re-publish DNS at once. */
    private final Map<String, Boolean> lastReachable = new ConcurrentHashMap<>();

    @Scheduled(every = "${berth.regions.health-interval:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void probeAll() {
        clients.all().forEach(c -> probeInBackground(c, false));
    }

    /** Probes the regions that do not answer often, so their return is noticed within about a second. */
    @Scheduled(every = "${berth.regions.recheck-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void recheckSilent() {
        for (RegionCluster c : clients.all()) {
            String name = c.info().name();
            if (Boolean.FALSE.equals(lastReachable.get(name)) || workers.awaitingCluster(name)) {
                probeInBackground(c, true);
            }
        }
    }

    private void probeInBackground(RegionCluster c, boolean recheck) {
        String name = c.info().name();
        if (running.putIfAbsent(name, Boolean.TRUE) == null) {
            probes.execute(() -> {
                try {
                    probe(c, recheck);
                } finally {
                    running.remove(name);
                }
            });
        }
    }

    /** A region that became reachable or unreachable drops out of, or returns to, the apps' DNS records. */
    private void reachability(RegionCluster c, boolean reachable) {
        Boolean before = lastReachable.put(c.info().name(), reachable);
        if (before == null || before != reachable) {
            workers.republishDns();
        }
    }

    /** Probes one region now, on the caller's thread (benchmarks). */
    public void probeNow(RegionCluster c) {
        probe(c);
    }

    void probe(RegionCluster c) {
        probe(c, false);
    }

    /** One probe; a {@code recheck} of a region known not to answer records nothing new while it still does not. */
    private void probe(RegionCluster c, boolean recheck) {
        String name = c.info().name();
        long start = System.nanoTime();
        try {
            String version = c.client().getKubernetesVersion().getGitVersion();
            int latency = (int) ((System.nanoTime() - start) / 1_000_000);
            boolean wasDown = Boolean.FALSE.equals(lastReachable.get(name));
            boolean returned = wasDown || workers.awaitingCluster(name);
            regions.recordHealth(name, true, version, latency, null);
            reachability(c, true);
            // The API server answers: a watch that still cannot reopen is stuck, not waiting for the cluster. Right
            // after an outage every closed watch is replaced at once: the client's own reconnects back off to about
            // 30 s during a long outage, and until they reopen the caches would not follow the cluster.
            List<String> restarted = c.cache().restartStalledWatches(wasDown ? Duration.ZERO : config.watchStallGrace());
            if (returned) {
                workers.regionReturned(name);
            }
            if (!restarted.isEmpty()) {
                LOG.infof("region %s: restarted stalled watch caches %s", name, restarted);
            }
        } catch (RuntimeException e) {
            c.cache().clusterUnreachable();
            if (recheck && Boolean.FALSE.equals(lastReachable.get(name))) {
                return;
            }
            regions.recordHealth(name, false, null, null, ClusterErrors.describe(e));
            reachability(c, false);
        }
    }
}
