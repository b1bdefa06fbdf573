package dev.berth.reconcile;

import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;

/** At start-up: make sure the default region exists, connect every region and start its reconcile worker. */
@ApplicationScoped
public class Bootstrap {
    private static final Logger LOG = Logger.getLogger(Bootstrap.class);
    @Inject
    RegionService regionService;
    @Inject
    RegionClients clients;
    @Inject
    RegionWorkers workers;

    void onStart(@Observes StartupEvent event) {
        regionService.ensureDefaultRegion();
        List<Region> regions = QuarkusTransaction.requiringNew().call(Region::listAllByName);
        for (Region r : regions) {
            try {
                workers.start(clients.connect(r));
            } catch (RuntimeException e) {
                LOG.errorf("region %s: cannot connect: %s", r.name, e.getMessage());
                regionService.recordHealth(r.name, false, null, null, e.getMessage());
            }
        }
    }
}
