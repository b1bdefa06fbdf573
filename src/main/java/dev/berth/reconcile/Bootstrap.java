package dev.berth.reconcile;

import dev.berth.regions.Region;
import dev.berth.regions.RegionService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;

/** At start-up: make sure the default region exists, connect every region and start its reconcile worker. */
@ApplicationScoped
public class Bootstrap {
    @Inject
    RegionService regionService;
    @Inject
    RegionConnections connections;

    void onStart(@Observes StartupEvent event) {
        regionService.ensureDefaultRegion();
        List<Region> regions = QuarkusTransaction.requiringNew().call(Region::listAllByName);
        regions.forEach(connections::connect);
    }
}
