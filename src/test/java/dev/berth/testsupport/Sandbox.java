package dev.berth.testsupport;

import dev.berth.kube.WriteCounter;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Access to the test run's sandbox region (an in-process CRUD API server with the simulated kubelet): its
 * client to look at what Berth wrote, its worker to wait for reconciles, and the write counter.
 */
@ApplicationScoped
public class Sandbox {
    public static final String REGION = "local";
    @Inject
    RegionClients clients;
    @Inject
    RegionWorkers workers;
    @Inject
    WriteCounter writes;

    public RegionCluster cluster() {
        return clients.get(REGION).orElseThrow();
    }

    public KubernetesClient client() {
        return cluster().client();
    }

    /** Waits until the reconcile work queued so far has run. */
    public void settle() {
        workers.awaitIdle(REGION);
    }

    public long writes() {
        return writes.total(REGION);
    }

    public int resyncWrites() {
        return workers.resyncNow(REGION).writes();
    }
}
