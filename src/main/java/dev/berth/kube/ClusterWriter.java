package dev.berth.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.function.Supplier;

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
        return apply(desired, cached, () -> client.resource(desired));
    }

    /**
     * The same for a custom resource Berth has no model class for (external-dns's {@code DNSEndpoint}): the kind's
     * group, version and plural come from {@code kind}, so no API discovery is needed per write.
     */
    public boolean apply(GenericKubernetesResource desired, GenericKubernetesResource cached,
            ResourceDefinitionContext kind) {
        return apply(desired, cached, () -> client.genericKubernetesResources(kind)
                .inNamespace(desired.getMetadata().getNamespace()).resource(desired));
    }

    /** Deletes a custom resource Berth no longer wants (see {@link #delete(HasMetadata)}). */
    public boolean delete(GenericKubernetesResource actual, ResourceDefinitionContext kind) {
        if (actual.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        client.genericKubernetesResources(kind).inNamespace(actual.getMetadata().getNamespace()).resource(actual)
                .delete();
        counter.record(region, actual.getMetadata().getNamespace(), "delete", actual.getKind());
        return true;
    }

    private boolean apply(HasMetadata desired, HasMetadata cached,
            Supplier<? extends Resource<? extends HasMetadata>> resource) {
        HasMetadata actual = cached;
        if (actual == null) {
            try {
                resource.get().create();
                counter.record(region, desired.getMetadata().getNamespace(), "create", desired.getKind());
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // The cache lagged behind the cluster: read the object once and fall through to the drift check.
                actual = resource.get().get();
            }
        }
        if (DriftCheck.covers(desired, actual)) {
            return false;
        }
        PatchContext context = new PatchContext.Builder()
                .withPatchType(PatchType.JSON).withFieldManager(FIELD_MANAGER).build();
        resource.get().patch(context, MergePatch.jsonPatch(desired, actual));
        counter.record(region, desired.getMetadata().getNamespace(), "patch", desired.getKind());
        return true;
    }

    /** Deletes an object Berth no longer wants, unless its deletion is already under way. Returns true when sent. */
    public boolean delete(HasMetadata actual) {
        if (actual.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        client.resource(actual).delete();
        counter.record(region, actual.getMetadata().getNamespace(), "delete", actual.getKind());
        return true;
    }
}
