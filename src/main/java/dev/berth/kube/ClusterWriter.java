package dev.berth.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The one write path from Berth to a cluster, used the same way against real API servers and the test mock
 * server: create when missing, a patch of Berth's fields when they drifted (merge patch semantics, sent as a JSON
 * Patch of the differing paths, see {@link MergePatch#jsonPatch}), nothing otherwise. Every
 * write is made as field manager {@value #FIELD_MANAGER} (patches name it; creates take it from the client's user
 * agent, which {@code RegionCluster} sets) and is counted.
 *
 * <p>Server-side apply would be the textbook choice, but the CRUD mock server does not implement it; merge patch
 * with an explicit drift check gives the same "write only what Berth owns, only when it differs" behaviour on
 * both. See docs/adr/0002-cluster-write-path.md.
 */
public final class ClusterWriter {
    public static final String FIELD_MANAGER = "berth";
    private final KubernetesClient client;
    private final String region;
    private final WriteCounter counter;

    public ClusterWriter(KubernetesClient client, String region, WriteCounter counter) {
        this.client = client;
        this.region = region;
        this.counter = counter;
    }

    /**
     * Converges one object. {@code cached} is the object as the region's watch cache last saw it (null when
     * absent). Returns true when a write was sent.
     */
    public boolean apply(HasMetadata desired, HasMetadata cached) {
        HasMetadata actual = cached;
        if (actual == null) {
            try {
                client.resource(desired).create();
                counter.record(region, "create", desired.getKind());
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // The cache lagged behind the cluster: read the object once and fall through to the drift check.
                actual = client.resource(desired).get();
            }
        }
        if (DriftCheck.covers(desired, actual)) {
            return false;
        }
        PatchContext context = new PatchContext.Builder()
                .withPatchType(PatchType.JSON).withFieldManager(FIELD_MANAGER).build();
        client.resource(desired).patch(context, MergePatch.jsonPatch(desired, actual));
        counter.record(region, "patch", desired.getKind());
        return true;
    }

    /** Deletes an object Berth no longer wants, unless its deletion is already under way. Returns true when sent. */
    public boolean delete(HasMetadata actual) {
        if (actual.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        client.resource(actual).delete();
        counter.record(region, "delete", actual.getKind());
        return true;
    }
}
