package dev.berth.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>A write's answer is kept until the watch cache shows the object again ({@link #seen}, or a resourceVersion other
 * than the one the write was based on): a second convergence that runs before the watch event arrives compares with
 * what the server answered, not with the cache's older copy, so it does not send the same patch (or create) again.
 * Custom resources (DNSEndpoints) have their own cache and are compared with it alone.
 */
public final class ClusterWriter {
    public static final String FIELD_MANAGER = "berth";
    private final KubernetesClient client;
    private final String region;
    private final WriteCounter counter;
    /** Objects written whose watch event the cache has not shown yet, by kind/namespace/name. */
    private final Map<String, Written> ahead = new ConcurrentHashMap<>();

    /** The server's answer to a write, and the resourceVersion of the cached copy the write was based on. */
    private record Written(String basedOn, HasMetadata answer) {
    }

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
        return apply(desired, cached, () -> client.resource(desired), true);
    }

    /**
     * The same for a custom resource Berth has no model class for (external-dns's {@code DNSEndpoint}): the kind's
     * group, version and plural come from {@code kind}, so no API discovery is needed per write.
     */
    public boolean apply(GenericKubernetesResource desired, GenericKubernetesResource cached,
            ResourceDefinitionContext kind) {
        return apply(desired, cached, () -> client.genericKubernetesResources(kind)
                .inNamespace(desired.getMetadata().getNamespace()).resource(desired), false);
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
            Supplier<? extends Resource<? extends HasMetadata>> resource, boolean followed) {
        String key = followed ? key(desired) : null;
        String basedOn = cached == null ? null : cached.getMetadata().getResourceVersion();
        HasMetadata actual = cached;
        Written written = key == null ? null : ahead.get(key);
        if (written != null) {
            if (Objects.equals(written.basedOn(), basedOn)) {
                actual = written.answer(); // the cache has not shown Berth's last write of this object yet
            } else {
                ahead.remove(key, written);
            }
        }
        if (actual == null) {
            try {
                HasMetadata created = resource.get().create();
                counter.record(region, desired.getMetadata().getNamespace(), "create", desired.getKind());
                remember(key, basedOn, created);
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
        HasMetadata patched = resource.get().patch(context, MergePatch.jsonPatch(desired, actual));
        counter.record(region, desired.getMetadata().getNamespace(), "patch", desired.getKind());
        remember(key, basedOn, patched);
        return true;
    }

    /**
     * The object as this writer sees it before a write: the watch cache's copy ({@code cached}), or Berth's own last
     * write of it while the cache has not shown that write yet. A plan compares against this, so it lists what
     * {@link #apply} would then really write, not an object the cache is still catching up with.
     */
    public HasMetadata known(HasMetadata desired, HasMetadata cached) {
        Written written = ahead.get(key(desired));
        String basedOn = cached == null ? null : cached.getMetadata().getResourceVersion();
        return written != null && Objects.equals(written.basedOn(), basedOn) ? written.answer() : cached;
    }

    /**
     * The watch cache showed the object added, changed or deleted: from now on it is the actual state again. The
     * region registers this before anything else listens to its cache (see {@code RegionCluster}), so a convergence
     * woken by the same event already finds the cache authoritative.
     */
    public void seen(HasMetadata o) {
        ahead.remove(key(o));
    }

    private void remember(String key, String basedOn, HasMetadata answer) {
        if (key != null && answer != null) {
            ahead.put(key, new Written(basedOn, answer));
        }
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** Deletes an object Berth no longer wants, unless its deletion is already under way. Returns true when sent. */
    public boolean delete(HasMetadata actual) {
        if (actual.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        client.resource(actual).delete();
        counter.record(region, actual.getMetadata().getNamespace(), "delete", actual.getKind());
        ahead.remove(key(actual));
        return true;
    }
}
