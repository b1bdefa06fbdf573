package dev.berth.reconcile;

import dev.berth.apps.AppLayout;
import dev.berth.apps.AppManifests;
import dev.berth.apps.LayoutManifests;
import dev.berth.apps.AppSpec;
import dev.berth.apps.Autoscaler;
import dev.berth.apps.ScalingManifests;
import dev.berth.processes.ProcessDesired;
import dev.berth.processes.ProcessManifests;
import dev.berth.kube.ClusterCache;
import dev.berth.kube.ClusterErrors;
import dev.berth.kube.ClusterWriter;
import dev.berth.kube.Labels;
import dev.berth.kube.Names;
import dev.berth.kube.ScalingApis;
import dev.berth.placement.EdgeCacheManifests;
import dev.berth.regions.RegionCluster;
import dev.berth.tenancy.TenantManifests;
import dev.berth.tenancy.TenantsConfig;
import dev.berth.tls.TlsManifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Converges one tenant in one region: level-based, so it does not matter what triggered it or how often it runs.
 * It computes the desired objects, writes only those that drifted, and deletes objects Berth manages there that
 * are no longer desired (a deleted app, or the whole namespace of a deleted tenant).
 *
 * <p>Each object is written on its own: when the cluster refuses one (403 from RBAC, 422 from admission), the
 * refusal goes to {@link Attempts} and the next object is written all the same, so one refused Role does not keep
 * a tenant's Deployments out of the cluster. Only a cluster that does not answer at all ends the pass (the error
 * is thrown): every further write would wait for the same timeout.
 */
final class Convergence {
    /**
     * Decides whether each object is written in this pass and hears how each write went. Objects are named
     * {@code Kind/namespace/name} ({@code Kind/name} when cluster-scoped); {@code fingerprint} changes when what
     * Berth wants of the object changes.
     */
    interface Attempts {
        /** Whether to write the object now (false while a refusal of the same write waits for its retry). */
        boolean due(String object, String fingerprint);

        /** The object is as Berth wants it (written, or nothing to write). */
        void succeeded(String object);

        /** The cluster refused the write (or Berth failed to make it, without the cluster being unreachable). */
        void refused(String object, String fingerprint, RuntimeException error);
    }

    private static final String DELETE = "delete";
    private final RegionCluster cluster;
    private final TenantsConfig.ContainerDefaults defaults;

    Convergence(RegionCluster cluster, TenantsConfig.ContainerDefaults defaults) {
        this.cluster = cluster;
        this.defaults = defaults;
    }

    /**
     * Returns the number of writes sent. {@code desired} null means the tenant must be gone from this region.
     * Throws when the cluster did not answer ({@link ClusterErrors#unanswered}).
     */
    int converge(String slug, TenantDesired desired, Attempts attempts) {
        ClusterCache cache = cluster.cache();
        ClusterWriter writer = cluster.writer();
        String ns = Names.namespace(slug);
        int writes = 0;
        Set<String> wanted = new HashSet<>();
        Map<String, Autoscaler> autoscaled = autoscaledDeployments(desired);
        for (HasMetadata o : desiredObjects(desired)) {
            String key = key(o);
            wanted.add(key);
            HasMetadata cached = cache.get(o.getClass(), o.getMetadata().getNamespace(), o.getMetadata().getName());
            if (o instanceof Deployment d && autoscaled.containsKey(d.getMetadata().getName())) {
                // The autoscaler owns this Deployment's replicas: Berth does not fight its decisions.
                ScalingManifests.yieldReplicas(d, cached, autoscaled.get(d.getMetadata().getName()));
            }
            String fingerprint = Integer.toHexString(o.hashCode());
            if (cached != null && (EdgeCacheManifests.isEdge(cached) != EdgeCacheManifests.isEdge(o)
                    || TlsManifests.modeChanged(cached, o))) {
                // The region switches between the app and its edge cache: a patch would leave the other
                // workload's volumes, labels and annotations behind, so the Deployment is replaced. Its
                // deletion wakes this reconciler again, which then creates the new one. Likewise an Ingress
                // whose TLS mode changes (its annotations and tls section would stay behind).
                writes += write(attempts, key, DELETE, () -> writer.delete(cached));
                continue;
            }
            writes += write(attempts, key, fingerprint, () -> writer.apply(o, cached));
        }
        // Collect garbage: namespaced objects first, so nothing is left behind even where deleting a namespace does
        // not cascade (the mock server), then the namespace itself.
        for (Class<? extends HasMetadata> kind : cache.managedKinds()) {
            if (kind == Namespace.class) {
                continue;
            }
            for (HasMetadata o : cache.list(kind, ns)) {
                if (isOwned(o, slug) && !wanted.contains(key(o))) {
                    writes += write(attempts, key(o), DELETE, () -> writer.delete(o));
                }
            }
        }
        Namespace namespace = cache.get(Namespace.class, null, ns);
        if (desired == null && namespace != null && isOwned(namespace, slug)) {
            writes += write(attempts, key(namespace), DELETE, () -> writer.delete(namespace));
        }
        return writes;
    }

    private List<HasMetadata> desiredObjects(TenantDesired desired) {
        if (desired == null) {
            return List.of();
        }
        List<HasMetadata> objects = new ArrayList<>(TenantManifests.desired(desired.tenant(), cluster.info(), defaults));
        ScalingApis apis = cluster.cache().scalingApis();
        for (AppSpec app : desired.apps()) {
            AppLayout layout = desired.layouts().get(app.name());
            EdgeCacheManifests.EdgeSpec edge = desired.edges().get(app.name());
            List<HasMetadata> appObjects = new ArrayList<>(edge != null
                    ? EdgeCacheManifests.desired(app, edge, cluster.info())
                    : layout == null ? AppManifests.desired(app, cluster.info())
                    : LayoutManifests.desired(app, layout, cluster.info()));
            TlsManifests.apply(appObjects, app, desired.tls().get(app.name()), cluster.info());
            objects.addAll(appObjects);
            if (edge == null && apis != null) {
                objects.addAll(ScalingManifests.desired(app, layout, desired.autoscalers().get(app.name()), apis));
            }
            ProcessDesired processes = desired.processes().get(app.name());
            if (edge == null && processes != null) {
                objects.addAll(ProcessManifests.desired(processes, apis == null ? null : apis.cronJobs()));
            }
        }
        return objects;
    }

    /**
     * The Deployments whose replicas an autoscaler owns in this region, with their autoscaler: each autoscaled app's
     * serving Deployment (edge caches have none). While the region's API versions are not known yet, they are
     * treated as served, so Berth never resets an autoscaler's count by not knowing of it.
     */
    private Map<String, Autoscaler> autoscaledDeployments(TenantDesired desired) {
        Map<String, Autoscaler> m = new HashMap<>();
        ScalingApis apis = cluster.cache().scalingApis();
        if (desired == null || (apis != null && apis.autoscaling() == null)) {
            return m;
        }
        for (AppSpec app : desired.apps()) {
            Autoscaler a = desired.autoscalers().get(app.name());
            if (a != null && !desired.edges().containsKey(app.name())) {
                AppLayout layout = desired.layouts().get(app.name());
                m.put(ScalingManifests.servingDeployment(app, layout != null ? layout : AppLayout.rolling(app)), a);
            }
        }
        return m;
    }

    /** One write, if due; returns 1 when it was sent. A refusal is reported, an unanswered call thrown. */
    private static int write(Attempts attempts, String key, String fingerprint, BooleanSupplier write) {
        if (!attempts.due(key, fingerprint)) {
            return 0;
        }
        boolean sent;
        try {
            sent = write.getAsBoolean();
        } catch (RuntimeException e) {
            if (ClusterErrors.unanswered(e)) {
                throw e;
            }
            attempts.refused(key, fingerprint, e);
            return 0;
        }
        attempts.succeeded(key);
        return sent ? 1 : 0;
    }

    private static boolean isOwned(HasMetadata o, String slug) {
        var labels = o.getMetadata().getLabels();
        return labels != null && Labels.MANAGER.equals(labels.get(Labels.MANAGED_BY))
                && slug.equals(labels.get(Labels.TENANT));
    }

    /** How objects are named in refusals: {@code Kind/namespace/name}, or {@code Kind/name} when cluster-scoped. */
    static String key(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return o.getKind() + "/" + (ns == null || ns.isEmpty() ? "" : ns + "/") + o.getMetadata().getName();
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
