package dev.berth.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The watch caches (informers) of one region: every object Berth manages, the pods of Berth's apps and the
 * events of Berth's namespaces. Reconcilers read actual state here, never with a GET per object, so a resync that
 * finds nothing to do sends no request to the cluster. Informers retry with backoff while the cluster is
 * unreachable.
 *
 * <p>Every watch is scoped to what is Berth's, so the cluster sends nothing else: the managed kinds by the
 * managed-by label, pods by the app label Berth puts on its pod templates (both label selectors, filtered by the
 * API server), and events, which carry no labels, by namespace: one informer per namespace in the namespace cache
 * ({@link EventInformers}), following namespaces as they come and go.
 *
 * <p>HorizontalPodAutoscalers and PodDisruptionBudgets are watched in the version the cluster serves, found once per
 * connection by API discovery ({@link ScalingApis}, retried until the cluster answers); the cache counts as synced
 * only once that is known and those informers have listed too, so a reconcile never runs without them.
 */
public final class ClusterCache implements AutoCloseable {
    /** Kinds Berth writes; each is watched with the managed-by label selector. */
    public static final List<Class<? extends HasMetadata>> MANAGED_KINDS = List.of(
            Namespace.class, ResourceQuota.class, LimitRange.class, NetworkPolicy.class, ServiceAccount.class,
            Role.class, RoleBinding.class, Secret.class, ConfigMap.class, Deployment.class, Service.class, Ingress.class,
            io.fabric8.kubernetes.api.model.batch.v1.Job.class);

    private static final String POD_APP_INDEX = "berth-app";
    private final Map<Class<?>, Supplier<SharedIndexInformer<? extends HasMetadata>>> factories =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Class<?>, SharedIndexInformer<? extends HasMetadata>> informers = new ConcurrentHashMap<>();
    private final Map<Class<?>, List<ResourceEventHandler<HasMetadata>>> handlers = new ConcurrentHashMap<>();
    /** When each informer was first seen without an open watch (absent while it watches). */
    private final Map<Class<?>, Long> stalledSince = new ConcurrentHashMap<>();
    private final List<Runnable> syncedListeners = new CopyOnWriteArrayList<>();
    private final EventInformers events;
    private final KubernetesClient client;
    private final Function<KubernetesClient, ScalingApis> discovery;
    /** The handlers of {@link #onManagedChange}, added to the kinds discovery adds later too. */
    private final List<ResourceEventHandler<HasMetadata>> managedHandlers = new CopyOnWriteArrayList<>();
    private final List<Class<? extends HasMetadata>> discoveredKinds = new CopyOnWriteArrayList<>();
    private volatile ScalingApis scalingApis;
    private volatile boolean started;
    private volatile boolean closed;

    /** A cache that discovers the scaling API versions from the cluster ({@link ScalingApis#discover}). */
    public ClusterCache(KubernetesClient client) {
        this(client, ClusterCache::discover);
    }

    /** {@code discovery} says which scaling API versions the cluster serves; it is asked once, retried until it answers. */
    public ClusterCache(KubernetesClient client, Function<KubernetesClient, ScalingApis> discovery) {
        this.client = client;
        this.discovery = discovery;
        for (Class<? extends HasMetadata> kind : MANAGED_KINDS) {
            factories.put(kind, () -> kind == Namespace.class
                    ? client.namespaces().withLabel(Labels.MANAGED_BY, Labels.MANAGER).runnableInformer(0)
                    : client.resources(kind).inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.MANAGER)
                            .runnableInformer(0));
        }
        factories.put(Pod.class, () -> {
            SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().withLabel(Labels.APP).runnableInformer(0);
            // Lists read one app's pods through this index instead of scanning the namespace's (ADR 0019).
            pods.addIndexers(Map.of(POD_APP_INDEX, p -> {
                String app = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(Labels.APP);
                return app == null ? List.of() : List.of(p.getMetadata().getNamespace() + "/" + app);
            }));
            return pods;
        });
        factories.forEach((kind, factory) -> informers.put(kind, create(factory)));
        events = new EventInformers(client);
        followNamespacesWithEvents();
    }

    /** Each namespace in the namespace cache gets its events informer while it exists. */
    private void followNamespacesWithEvents() {
        ResourceEventHandler<HasMetadata> handler = ObjectEvents.handler(n -> events.follow(n.getMetadata().getName()),
                (before, n) -> events.follow(n.getMetadata().getName()), n -> events.forget(n.getMetadata().getName()));
        handlers.computeIfAbsent(Namespace.class, k -> new CopyOnWriteArrayList<>()).add(handler);
        addHandler(informers.get(Namespace.class), handler);
    }

    private static SharedIndexInformer<? extends HasMetadata> create(
            Supplier<SharedIndexInformer<? extends HasMetadata>> factory) {
        SharedIndexInformer<? extends HasMetadata> informer = factory.get();
        informer.exceptionHandler((started, t) -> true);
        return informer;
    }

    public void start() {
        started = true;
        kinds().forEach(kind -> start(informers.get(kind)));
        discoverScalingApis(0);
    }

    /** Discovery, where the API server has none for a group list (a 404): no scaling APIs. */
    private static ScalingApis discover(KubernetesClient client) {
        try {
            return ScalingApis.discover(client);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return ScalingApis.NONE;
            }
            throw e;
        }
    }

    /** Asks which scaling APIs the cluster serves, again after a delay (up to 30 s) until it answers. */
    private void discoverScalingApis(long delayMillis) {
        CompletableFuture.runAsync(() -> {
            if (closed) {
                return;
            }
            // The client infers each kind's list class through the thread's context class loader; a pool thread
            // may carry another application's (a restarted one, in tests) and the kinds would not cast.
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(ClusterCache.class.getClassLoader());
            try {
                ScalingApis found;
                try {
                    found = discovery.apply(client);
                } catch (RuntimeException e) {
                    discoverScalingApis(Math.min(30_000, Math.max(500, delayMillis * 2)));
                    return;
                }
                watchDiscovered(found);
            } finally {
                thread.setContextClassLoader(before);
            }
        }, CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
    }

    private synchronized void watchDiscovered(ScalingApis found) {
        if (closed || scalingApis != null) {
            return;
        }
        List<SharedIndexInformer<? extends HasMetadata>> added = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : found.kinds()) {
            Supplier<SharedIndexInformer<? extends HasMetadata>> factory = () -> client.resources(kind).inAnyNamespace()
                    .withLabel(Labels.MANAGED_BY, Labels.MANAGER).runnableInformer(0);
            SharedIndexInformer<? extends HasMetadata> informer = create(factory);
            List<ResourceEventHandler<HasMetadata>> kindHandlers =
                    handlers.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>());
            kindHandlers.addAll(managedHandlers);
            kindHandlers.forEach(h -> addHandler(informer, h));
            informers.put(kind, informer);
            factories.put(kind, factory);
            discoveredKinds.add(kind);
            added.add(informer);
        }
        scalingApis = found;
        added.forEach(this::start);
        if (added.isEmpty() && synced()) {
            syncedListeners.forEach(Runnable::run);
        }
    }

    /** The scaling API versions the cluster serves, or null until discovery has answered. */
    public ScalingApis scalingApis() {
        return scalingApis;
    }

    /** The kinds Berth writes in this cluster: {@link #MANAGED_KINDS} and the discovered scaling kinds. */
    public List<Class<? extends HasMetadata>> managedKinds() {
        List<Class<? extends HasMetadata>> kinds = new ArrayList<>(MANAGED_KINDS);
        kinds.addAll(discoveredKinds);
        return kinds;
    }

    private List<Class<?>> kinds() {
        synchronized (factories) {
            return List.copyOf(factories.keySet());
        }
    }

    /** Starts an informer; once its first list is in and the whole cache is synced, tells the sync listeners. */
    private void start(SharedIndexInformer<? extends HasMetadata> informer) {
        informer.start().whenComplete((done, failure) -> {
            if (failure == null && informer == informers.get(Namespace.class)) {
                // A replaced namespace informer never hears of namespaces deleted before it listed.
                events.retain(informer.getStore().list().stream().map(n -> n.getMetadata().getName())
                        .collect(Collectors.toSet()));
            }
            if (failure == null && synced()) {
                syncedListeners.forEach(Runnable::run);
            }
        });
    }

    /**
     * Calls {@code onSynced} each time the cache becomes synced: after its first list, and again after replaced
     * informers ({@link #restartStalledWatches}) have listed afresh; at once if it is synced already. What is
     * computed from the cache while it is not synced (a region's routing weight, for one) needs computing again
     * then, and no object event says so: the ready pods' events may be delivered before the last informer syncs.
     */
    public void onSynced(Runnable onSynced) {
        syncedListeners.add(onSynced);
        if (started && synced()) {
            onSynced.run();
        }
    }

    /**
     * True once every informer has listed the cluster at least once. The events informers are left out: events are
     * only shown, and a namespace Berth just created must not hold its own reconciler back.
     */
    public boolean synced() {
        return scalingApis != null && informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** True while every informer holds an open watch. */
    public boolean watching() {
        return notWatching().isEmpty();
    }

    /**
     * The kinds whose informer has no open watch right now (for health and diagnostics), in watch order, then
     * {@code Event/<namespace>} for each events informer without one.
     */
    public List<String> notWatching() {
        List<String> kinds = new ArrayList<>(kinds().stream().filter(k -> !informers.get(k).isWatching())
                .map(Class::getSimpleName).toList());
        events.notWatching().forEach(ns -> kinds.add("Event/" + ns));
        return kinds;
    }

    /** The namespaces whose events are watched (each with its own informer). */
    public List<String> eventNamespaces() {
        return events.namespaces().stream().sorted().toList();
    }

    /** Forgets when watches were first seen closed: while the API server does not answer, closed is expected. */
    public void clusterUnreachable() {
        stalledSince.clear();
        events.clusterUnreachable();
    }

    /**
     * Replaces every informer that has had no open watch for longer than {@code grace}; call it while the API
     * server answers. Informers normally reconnect on their own, but after a connection that hung during the
     * WebSocket handshake the client's reconnects were seen going out without their upgrade headers, so every
     * retry got HTTP 400 and the cache silently stopped following the cluster. A new informer lists and watches
     * afresh (its handlers are added again) and the region's reconciler waits until it has synced. Returns the
     * kinds restarted.
     */
    public List<String> restartStalledWatches(Duration grace) {
        if (!started) {
            return List.of();
        }
        long now = System.nanoTime();
        List<String> restarted = new ArrayList<>();
        for (Class<?> kind : kinds()) {
            SharedIndexInformer<? extends HasMetadata> informer = informers.get(kind);
            if (informer.isWatching()) {
                stalledSince.remove(kind);
                continue;
            }
            long since = stalledSince.computeIfAbsent(kind, k -> now);
            if (now - since < grace.toNanos()) {
                continue;
            }
            SharedIndexInformer<? extends HasMetadata> fresh = create(factories.get(kind));
            handlers.getOrDefault(kind, List.of()).forEach(h -> addHandler(fresh, h));
            informers.put(kind, fresh);
            informer.close();
            start(fresh);
            stalledSince.remove(kind);
            restarted.add(kind.getSimpleName());
        }
        events.restartStalled(grace).forEach(ns -> restarted.add("Event/" + ns));
        return restarted;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> kind) {
        SharedIndexInformer<T> informer = (SharedIndexInformer<T>) informers.get(kind);
        if (informer == null) {
            throw new IllegalArgumentException("not watched: " + kind.getSimpleName());
        }
        return informer;
    }

    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T get(Class<T> kind, String namespace, String name) {
        if (kind == Event.class) {
            return (T) events.get(namespace, name);
        }
        String key = namespace == null ? name : namespace + "/" + name;
        return informer(kind).getStore().getByKey(key);
    }

    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> list(Class<T> kind, String namespace) {
        if (kind == Event.class) {
            return (List<T>) events.list(namespace);
        }
        return informer(kind).getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    /**
     * The pods of one app ({@code berth.dev/app}) in a namespace, read through an index of the pod cache: what a list
     * of apps needs per app without scanning every pod of the tenant, and as current as the cache itself.
     */
    public List<Pod> podsOf(String namespace, String app) {
        return informer(Pod.class).getIndexer().byIndex(POD_APP_INDEX, namespace + "/" + app);
    }

    /**
     * The namespace's events of type {@code Warning}, read through an index of its events cache: the only events
     * the status model of a list needs ({@code FailedCreate}), usually a handful among thousands of normal ones.
     */
    public List<Event> warnings(String namespace) {
        return events.warnings(namespace);
    }

    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> list(Class<T> kind) {
        if (kind == Event.class) {
            return (List<T>) events.list();
        }
        return informer(kind).getStore().list();
    }

    /**
     * Calls {@code onChange} with every object of the kinds Berth writes that is added, deleted, or changed in
     * anything but its status. Status-only updates (a Deployment's ready count, a ResourceQuota's use) are by far
     * the most frequent events and never make desired and actual state differ, so they do not wake the reconciler.
     */
    public synchronized void onManagedChange(Consumer<HasMetadata> onChange) {
        ResourceEventHandler<HasMetadata> handler = ObjectEvents.handler(onChange, (before, after) -> {
            if (ObjectEvents.beyondStatus(before, after)) {
                onChange.accept(after);
            }
        }, onChange);
        managedHandlers.add(handler);
        for (Class<? extends HasMetadata> kind : managedKinds()) {
            handlers.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(handler);
            addHandler(informers.get(kind), handler);
        }
    }

    /**
     * Calls {@code onChange} with every pod of Berth's apps and every Deployment that is added, changed in any way
     * (status included) or deleted: what the pages show of an app's state follows these.
     */
    public void onAnyChange(Consumer<HasMetadata> onChange) {
        ResourceEventHandler<HasMetadata> handler = ObjectEvents.handler(onChange, (before, after) -> onChange.accept(after),
                onChange);
        for (Class<?> kind : List.of(Pod.class, Deployment.class)) {
            handlers.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(handler);
            addHandler(informers.get(kind), handler);
        }
    }

    /**
     * Calls {@code onChange} whenever a pod of Berth's apps becomes ready or stops being ready (added ready,
     * readiness flipped, deleted while ready): what routing weights and DNS records follow.
     */
    public void onPodReadinessChange(Runnable onChange) {
        Consumer<HasMetadata> readyOrGone = o -> {
            if (ready(o)) {
                onChange.run();
            }
        };
        ResourceEventHandler<HasMetadata> handler = ObjectEvents.handler(readyOrGone, (before, after) -> {
            if (ready(before) != ready(after)) {
                onChange.run();
            }
        }, readyOrGone);
        handlers.computeIfAbsent(Pod.class, k -> new CopyOnWriteArrayList<>()).add(handler);
        addHandler(informers.get(Pod.class), handler);
    }

    /** A pod that is ready and not being deleted. */
    public static boolean ready(HasMetadata o) {
        return o instanceof Pod p && p.getMetadata().getDeletionTimestamp() == null && p.getStatus() != null
                && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addHandler(SharedIndexInformer informer, ResourceEventHandler handler) {
        informer.addEventHandler(handler);
    }

    @Override
    public void close() {
        closed = true;
        informers.values().forEach(SharedIndexInformer::close);
        events.close();
    }
}

