package dev.berth.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Events of Berth's namespaces in one region: one informer per namespace Berth manages there, started when
 * the namespace shows up in the namespace watch cache and closed when it leaves.
 *
 * <p>Why per namespace: Events carry no labels, so the managed-by selector that scopes every other cache cannot
 * pick Berth's out of a cluster-wide watch, and a field selector can name one namespace or exclude some, never
 * "those with Berth's label". A cluster-wide Events watch receives every event of the cluster (kube-system,
 * other teams' workloads, node events), which on a busy cluster is the largest stream there is, only to show a
 * few of them. One watch per tenant namespace costs a connection each, bounded by the number of tenants placed in
 * the region; the API server sends each only its namespace's events.
 *
 * <p>They are read-only and only shown, never converged, so the region's reconciler does not wait for them
 * ({@link ClusterCache#synced} leaves them out); a new namespace's events appear once its informer has listed.
 */
final class EventInformers implements AutoCloseable {
    private static final String TYPE_INDEX = "type";
    private final KubernetesClient client;
    private final Map<String, SharedIndexInformer<Event>> byNamespace = new ConcurrentHashMap<>();
    /** When each informer was first seen without an open watch (absent while it watches). */
    private final Map<String, Long> stalledSince = new ConcurrentHashMap<>();
    private volatile boolean closed;

    EventInformers(KubernetesClient client) {
        this.client = client;
    }

    /** Starts following the namespace's events, unless it is followed already. */
    synchronized void follow(String namespace) {
        if (!closed && !byNamespace.containsKey(namespace)) {
            SharedIndexInformer<Event> informer = create(namespace);
            byNamespace.put(namespace, informer);
            informer.start();
        }
    }

    /** Stops following the namespace's events (it was deleted). */
    synchronized void forget(String namespace) {
        SharedIndexInformer<Event> informer = byNamespace.remove(namespace);
        stalledSince.remove(namespace);
        if (informer != null) {
            informer.close();
        }
    }

    /** Stops following every namespace not in {@code namespaces} (deleted while the namespace cache was replaced). */
    synchronized void retain(Set<String> namespaces) {
        List.copyOf(byNamespace.keySet()).stream().filter(ns -> !namespaces.contains(ns)).forEach(this::forget);
    }

    private SharedIndexInformer<Event> create(String namespace) {
        SharedIndexInformer<Event> informer = client.v1().events().inNamespace(namespace).runnableInformer(0);
        informer.addIndexers(Map.of(TYPE_INDEX, e -> e.getType() == null ? List.of() : List.of(e.getType())));
        informer.exceptionHandler((started, t) -> true);
        return informer;
    }

    Collection<String> namespaces() {
        return byNamespace.keySet();
    }

    Event get(String namespace, String name) {
        SharedIndexInformer<Event> informer = byNamespace.get(namespace);
        return informer == null ? null : informer.getStore().getByKey(namespace + "/" + name);
    }

    List<Event> list(String namespace) {
        SharedIndexInformer<Event> informer = byNamespace.get(namespace);
        return informer == null ? List.of() : informer.getStore().list();
    }

    /** The namespace's events of type {@code Warning}, through the index by type. */
    List<Event> warnings(String namespace) {
        SharedIndexInformer<Event> informer = byNamespace.get(namespace);
        return informer == null ? List.of() : informer.getIndexer().byIndex(TYPE_INDEX, "Warning");
    }

    List<Event> list() {
        List<Event> all = new ArrayList<>();
        byNamespace.values().forEach(i -> all.addAll(i.getStore().list()));
        return all;
    }

    /** The namespaces whose informer has no open watch right now. */
    List<String> notWatching() {
        return byNamespace.entrySet().stream().filter(e -> !e.getValue().isWatching()).map(Map.Entry::getKey)
                .sorted().toList();
    }

    void clusterUnreachable() {
        stalledSince.clear();
    }

    /** Replaces every informer without an open watch for longer than {@code grace}; returns their namespaces. */
    synchronized List<String> restartStalled(Duration grace) {
        long now = System.nanoTime();
        List<String> restarted = new ArrayList<>();
        for (Map.Entry<String, SharedIndexInformer<Event>> e : List.copyOf(byNamespace.entrySet())) {
            String ns = e.getKey();
            if (e.getValue().isWatching()) {
                stalledSince.remove(ns);
                continue;
            }
            long since = stalledSince.computeIfAbsent(ns, k -> now);
            if (now - since < grace.toNanos()) {
                continue;
            }
            SharedIndexInformer<Event> fresh = create(ns);
            byNamespace.put(ns, fresh);
            e.getValue().close();
            fresh.start();
            stalledSince.remove(ns);
            restarted.add(ns);
        }
        return restarted;
    }

    @Override
    public synchronized void close() {
        closed = true;
        byNamespace.values().forEach(SharedIndexInformer::close);
        byNamespace.clear();
    }
}
