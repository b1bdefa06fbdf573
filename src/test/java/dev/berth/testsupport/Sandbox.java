package dev.berth.testsupport;

import dev.berth.kube.ClusterCache;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.WriteCounter;
import dev.berth.reconcile.RegionWorkers;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

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

    /** Writes to the tenant's namespace only, so work another test left running cannot be counted. */
    public long writes(String tenant) {
        return writes.total(REGION, dev.berth.kube.Names.namespace(tenant));
    }

    /** Resyncs the whole region now and returns every write it sent, whichever tenant they were for. */
    public int resyncWrites() {
        return workers.resyncNow(REGION).writes();
    }

    /**
     * Resyncs the whole region now and returns the writes it sent to the tenant's namespace: another test's tenant
     * may still be converging (a rollout it left, drift it made on purpose) without that counting here.
     */
    public long resyncWrites(String tenant) {
        long before = writes(tenant);
        workers.resyncNow(REGION);
        return writes(tenant) - before;
    }

    /**
     * Every object labelled as Berth's that belongs to the tenant, read from the API server (not from Berth's
     * caches), as sorted "Kind/name" strings.
     */
    public List<String> managedObjects(String tenant) {
        List<String> found = new ArrayList<>();
        for (HasMetadata o : managedObjectList(tenant)) {
            found.add(o.getKind() + "/" + o.getMetadata().getName());
        }
        found.sort(null);
        return found;
    }

    public List<HasMetadata> managedObjectList(String tenant) {
        List<HasMetadata> found = new ArrayList<>();
        String ns = Names.namespace(tenant);
        for (Class<? extends HasMetadata> kind : ClusterCache.MANAGED_KINDS) {
            List<? extends HasMetadata> items = kind == Namespace.class
                    ? client().namespaces().withLabel(Labels.TENANT, tenant).list().getItems()
                    : client().resources(kind).inNamespace(ns).withLabel(Labels.TENANT, tenant).list().getItems();
            found.addAll(items);
        }
        return found;
    }
}
