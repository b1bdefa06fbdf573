package dev.berth.tls;

import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Finds out, per region, whether the cluster serves cert-manager's {@code cert-manager.io/v1} Certificates (API
 * discovery), and starts watching those labelled as Berth's once it does; a cluster without cert-manager is looked
 * at again every {@code berth.tls.cert-manager-recheck} (60 s). Kept off the reconcile workers: a missing CRD
 * never holds back a region's writes.
 */
@ApplicationScoped
public class CertificateWatch {
    private static final Logger LOG = Logger.getLogger(CertificateWatch.class);
    @Inject
    RegionClients clients;
    @ConfigProperty(name = "berth.tls.cert-manager-recheck", defaultValue = "60s")
    Duration recheck;

    @Scheduled(every = "${berth.tls.cert-manager-recheck:60s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        for (RegionCluster cluster : clients.all()) {
            detect(cluster);
        }
    }

    /** Looks the API up in one region (unless known, or found missing within the recheck interval). */
    public void detect(RegionCluster cluster) {
        try {
            cluster.certificates().detect(recheck);
        } catch (RuntimeException e) {
            LOG.debugf("region %s: cert-manager discovery failed: %s", cluster.info().name(), e.getMessage());
        }
    }
}
