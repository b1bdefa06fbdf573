package dev.berth.reconcile;

import dev.berth.kube.ClusterErrors;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import dev.berth.regions.RegionService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Brings a region to life (connect its client and watch caches, start its reconcile worker) or takes it down
 * again. Start-up uses it for every stored region; it also serves regions registered while Berth runs, and
 * {@link #follow} catches up with regions another Berth instance registered, changed or deleted.
 */
@ApplicationScoped
public class RegionConnections {
    private static final Logger LOG = Logger.getLogger(RegionConnections.class);
    @Inject
    RegionService regionService;
    @Inject
    RegionClients clients;
    @Inject
    RegionWorkers workers;
    @Inject
    RegionLeases leases;
    /** The stored version ({@code region.updated_at}) each connected region was connected with. */
    private final Map<String, Instant> connectedVersions = new ConcurrentHashMap<>();

    /** Connects the region and starts its worker; a region that cannot be connected is recorded unreachable. */
    public synchronized void connect(Region r) {
        connectedVersions.put(r.name, r.updatedAt);
        RegionCluster cluster;
        try {
            cluster = clients.connect(r);
            workers.start(cluster);
        } catch (RuntimeException e) {
            LOG.errorf("region %s: cannot connect: %s", r.name, ClusterErrors.describe(e));
            regionService.recordHealth(r.name, false, null, null, ClusterErrors.describe(e));
            return;
        }
        try {
            // The worker writes once this instance holds the region's lease: now, or at a later renewal.
            leases.claim(cluster);
        } catch (RuntimeException e) {
            LOG.warnf("region %s: %s", r.name, e.getMessage());
        }
    }

    /** Stores a new region and connects it, without a restart. */
    public Region register(Region r) {
        Region stored = regionService.register(r);
        connect(stored);
        return stored;
    }

    /** Stops the region's worker and closes its connection; its row and its tenants' rows are left alone. */
    public synchronized void disconnect(String region) {
        connectedVersions.remove(region);
        workers.stop(region);
        clients.get(region).ifPresent(c -> leases.release(c.info().id()));
        clients.disconnect(region);
    }

    /** Connects the region again from its stored row (its connection, base domain or ingress class changed). */
    public synchronized void reconnect(Region r) {
        disconnect(r.name);
        connect(r);
    }

    @Scheduled(every = "${berth.regions.follow-interval:15s}", delayed = "${berth.regions.follow-interval:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void followOnSchedule() {
        try {
            follow();
        } catch (RuntimeException e) {
            LOG.warnf("following stored regions failed, trying again later: %s", e);
        }
    }

    /**
     * Makes this instance's connections match the stored regions: the instance that handles an admin's change
     * reconnects at once ({@link RegionLifecycle}), the others find it here, one interval later. A region stored
     * but not connected here is connected, one stored at a newer version than it was connected with is connected
     * again, and one connected but no longer stored is disconnected. Returns what it did, one line per region.
     */
    public synchronized List<String> follow() {
        List<Region> stored = QuarkusTransaction.requiringNew().call(Region::listAllByName);
        List<String> done = new ArrayList<>();
        for (Region r : stored) {
            Instant connectedWith = connectedVersions.get(r.name);
            if (connectedWith == null) {
                connect(r);
                done.add(r.name + ": connected");
            } else if (r.updatedAt != null && r.updatedAt.isAfter(connectedWith)) {
                reconnect(r);
                done.add(r.name + ": reconnected");
            }
        }
        Set<String> names = stored.stream().map(r -> r.name).collect(Collectors.toSet());
        for (String name : clients.all().stream().map(c -> c.info().name()).toList()) {
            if (!names.contains(name)) {
                disconnect(name);
                done.add(name + ": disconnected");
            }
        }
        if (!done.isEmpty()) {
            LOG.infof("regions changed through another instance: %s", done);
        }
        return done;
    }
}
