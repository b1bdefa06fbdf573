package dev.berth.reconcile;

import dev.berth.kube.ClusterErrors;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Brings a region to life (connect its client and watch caches, start its reconcile worker) or takes it down
 * again. Start-up uses it for every stored region; it also serves regions registered while Berth runs.
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

    /** Connects the region and starts its worker; a region that cannot be connected is recorded unreachable. */
    public void connect(Region r) {
        try {
            workers.start(clients.connect(r));
        } catch (RuntimeException e) {
            LOG.errorf("region %s: cannot connect: %s", r.name, ClusterErrors.describe(e));
            regionService.recordHealth(r.name, false, null, null, ClusterErrors.describe(e));
        }
    }

    /** Stores a new region and connects it, without a restart. */
    public Region register(Region r) {
        Region stored = regionService.register(r);
        connect(stored);
        return stored;
    }

    /** Stops the region's worker and closes its connection; its row and its tenants' rows are left alone. */
    public void disconnect(String region) {
        workers.stop(region);
        clients.disconnect(region);
    }
}
