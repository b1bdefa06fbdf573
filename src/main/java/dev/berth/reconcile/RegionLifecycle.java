package dev.berth.reconcile;

import dev.berth.regions.Region;
import dev.berth.regions.RegionChanged;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

/**
 * Follows admins' region changes once they are committed: a changed region is reconnected (new client, caches and
 * worker, with the stored connection and the new base domain or ingress class), a deleted one disconnected. Other
 * Berth instances find the change with {@link RegionConnections#follow}.
 */
@ApplicationScoped
public class RegionLifecycle {
    @Inject
    RegionConnections connections;

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) RegionChanged change) {
        Region r = change.removed() ? null
                : QuarkusTransaction.requiringNew().call(() -> Region.findByName(change.name()));
        if (r == null) {
            connections.disconnect(change.name());
        } else {
            connections.reconnect(r);
        }
    }
}
