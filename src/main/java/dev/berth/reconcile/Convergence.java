package dev.berth.reconcile;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppManifests;
import dev.berth.apps.LayoutManifests;
import dev.berth.apps.AppSpec;
import dev.berth.regions.EdgeCacheManifests;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.ClusterWriter;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.regions.RegionCluster;
import dev.berth.tenants.TenantManifests;
import dev.berth.tenants.TenantsConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Converges one tenant in one region: level-based, so it does not matter what triggered it or how often it runs.
 * It computes the desired objects, writes only those that drifted, and deletes objects Berth manages there that
 * are no longer desired (a deleted app, or the whole namespace of a deleted tenant).
 */
final class Convergence {
    private final RegionCluster cluster;
    private final TenantsConfig.ContainerDefaults defaults;

    Convergence(RegionCluster cluster, TenantsConfig.ContainerDefaults defaults) {
        this.cluster = cluster;
        this.defaults = defaults;
    }

    /** Returns the number of writes sent. {@code desired} null means the tenant must be gone from this region. */
    int converge(String slug, TenantDesired desired) {
        ClusterCache cache = cluster.cache();
        ClusterWriter writer = cluster.writer();
        String ns = Names.namespace(slug);
        int writes = 0;
        Set<String> wanted = new HashSet<>();
        if (desired != null) {
            List<HasMetadata> objects = new ArrayList<>(TenantManifests.desired(desired.tenant(), cluster.info(), defaults));
            for (AppSpec app : desired.apps()) {
                AppLayout layout = desired.layouts().get(app.name());
                EdgeCacheManifests.EdgeSpec edge = desired.edges().get(app.name());
                objects.addAll(edge != null ? EdgeCacheManifests.desired(app, edge, cluster.info())
                        : layout == null ? AppManifests.desired(app, cluster.info())
                        : LayoutManifests.desired(app, layout, cluster.info()));
            }
            for (HasMetadata o : objects) {
                wanted.add(key(o));
                HasMetadata cached = cache.get(o.getClass(), o.getMetadata().getNamespace(), o.getMetadata().getName());
                if (cached != null && EdgeCacheManifests.isEdge(cached) != EdgeCacheManifests.isEdge(o)) {
                    // The region switches between the app and its edge cache: a patch would leave the other
                    // workload's volumes, labels and annotations behind, so the Deployment is replaced. Its
                    // deletion wakes this reconciler again, which then creates the new one.
                    if (writer.delete(cached)) {
                        writes++;
                    }
                    continue;
                }
                if (writer.apply(o, cached)) {
                    writes++;
                }
            }
        }
        // Collect garbage: namespaced objects first, so nothing is left behind even where deleting a namespace does
        // not cascade (the mock server), then the namespace itself.
        for (Class<? extends HasMetadata> kind : ClusterCache.MANAGED_KINDS) {
            if (kind == Namespace.class) {
                continue;
            }
            for (HasMetadata o : cache.list(kind, ns)) {
                if (isOwned(o, slug) && !wanted.contains(key(o)) && writer.delete(o)) {
                    writes++;
                }
            }
        }
        Namespace namespace = cache.get(Namespace.class, null, ns);
        if (desired == null && namespace != null && isOwned(namespace, slug) && writer.delete(namespace)) {
            writes++;
        }
        return writes;
    }

    private static boolean isOwned(HasMetadata o, String slug) {
        var labels = o.getMetadata().getLabels();
        return labels != null && Labels.MANAGER.equals(labels.get(Labels.MANAGED_BY))
                && slug.equals(labels.get(Labels.TENANT));
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** Tenants that have a managed namespace in this region. */
    Set<String> tenantsInCluster() {
        Set<String> slugs = new HashSet<>();
        for (Namespace n : cluster.cache().list(Namespace.class)) {
            String t = n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get(Labels.TENANT);
            if (t != null) {
                slugs.add(t);
            }
        }
        return slugs;
    }
}
