package dev.berth.kube;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The watch cache of one custom resource kind that a cluster may not have (its CRD installed by the cluster's
 * administrators, such as external-dns's {@code DNSEndpoint}). The kind is looked up in the API server's discovery
 * first ({@code /apis/<group>/<version>}: a 404, or a list without the resource, means the CRD is not installed), so
 * a missing CRD is a state to show, not an error on every pass; it is looked up again after a while. Only once the
 * kind exists is an informer (objects labelled as Berth's) started. It is kept apart from {@link ClusterCache}'s
 * informers so that a missing CRD never holds back the region's reconciler.
 */
public final class CustomResourceCache implements AutoCloseable {
    /** What Berth knows about the kind in this cluster. */
    public enum State { UNKNOWN, MISSING, WATCHING }

    private final KubernetesClient client;
    private final ResourceDefinitionContext context;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;
    private volatile State state = State.UNKNOWN;
    private volatile long checkedAt;

    public CustomResourceCache(KubernetesClient client, ResourceDefinitionContext context) {
        this.client = client;
        this.context = context;
    }

    public ResourceDefinitionContext context() {
        return context;
    }

    public State state() {
        return state;
    }

    /**
     * Looks the kind up unless it is known to exist, or was found missing less than {@code recheck} ago, and starts
     * watching it once it exists. Failures other than "not found" (an unreachable cluster) are thrown.
     */
    public synchronized State detect(Duration recheck) {
        if (state == State.WATCHING || (state == State.MISSING && System.nanoTime() - checkedAt < recheck.toNanos())) {
            return state;
        }
        APIResourceList resources;
        try {
            resources = client.getApiResources(context.getGroup() + "/" + context.getVersion());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            resources = null;
        }
        checkedAt = System.nanoTime();
        boolean found = resources != null && resources.getResources() != null && resources.getResources().stream()
                .anyMatch(r -> context.getPlural().equals(r.getName()));
        if (!found) {
            state = State.MISSING;
            return state;
        }
        SharedIndexInformer<GenericKubernetesResource> i = client.genericKubernetesResources(context).inAnyNamespace()
                .withLabel(Labels.MANAGED_BY, Labels.MANAGER).runnableInformer(0);
        i.exceptionHandler((started, t) -> true);
        i.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                listeners.forEach(Runnable::run);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                listeners.forEach(Runnable::run);
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                listeners.forEach(Runnable::run);
            }
        });
        i.start();
        informer = i;
        state = State.WATCHING;
        return state;
    }

    /** A write was answered 404 for the kind: the CRD is gone; stop watching and look it up again later. */
    public synchronized void missing() {
        if (informer != null) {
            informer.close();
            informer = null;
        }
        state = State.MISSING;
        checkedAt = System.nanoTime();
    }

    /** Calls {@code listener} whenever an object of the kind labelled as Berth's is added, changed or deleted. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    public boolean synced() {
        SharedIndexInformer<GenericKubernetesResource> i = informer;
        return i != null && i.hasSynced();
    }

    public GenericKubernetesResource get(String namespace, String name) {
        SharedIndexInformer<GenericKubernetesResource> i = informer;
        return i == null ? null : i.getStore().getByKey(namespace + "/" + name);
    }

    public List<GenericKubernetesResource> list(String namespace) {
        SharedIndexInformer<GenericKubernetesResource> i = informer;
        return i == null ? List.of() : i.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
