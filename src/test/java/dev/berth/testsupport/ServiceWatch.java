package dev.berth.testsupport;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Looks at one Service and the pods it selects every 10 ms, straight from the API server, from the moment it is
 * constructed (the constructor returns once it has seen the Service once), and records every
 * moment at which it selects no ready pod (the Service would have no ready endpoint then) and every moment at which
 * it selects pods of a given label (canary pods behind the main Service). A moment is one list of the pods between
 * two reads of the Service that found the same selector, so a selector that moved during the list is never
 * judged against pods of another moment.
 */
public final class ServiceWatch implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final Map<String, String> excluded;
    private final ScheduledExecutorService executor;
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    private final List<String> excludedSelected = new CopyOnWriteArrayList<>();
    private final Set<Map<String, String>> selectors = ConcurrentHashMap.newKeySet();
    private final AtomicInteger moments = new AtomicInteger();

    /**
     * Starts watching {@code service}; pods carrying all of {@code excluded}'s labels (e.g. the canary track) must
     * never be selected (empty: no such check).
     */
    public ServiceWatch(KubernetesClient client, String namespace, String service, Map<String, String> excluded) {
        this.client = client;
        this.namespace = namespace;
        this.service = service;
        this.excluded = excluded;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "service-watch");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::look, 0, 10, TimeUnit.MILLISECONDS);
        // The first moment is the Service as it was when the watch began: a test may move it right after this.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> moments.get() > 0);
    }

    private void look() {
        try {
            Service before = client.services().inNamespace(namespace).withName(service).get();
            List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
            Service after = client.services().inNamespace(namespace).withName(service).get();
            Map<String, String> selector = selector(before);
            if (!Objects.equals(selector, selector(after))) {
                return;
            }
            moments.incrementAndGet();
            if (selector == null) {
                gaps.add("no Service " + service);
                return;
            }
            selectors.add(selector);
            List<Pod> selected = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null
                    && matches(selector, p)).toList();
            if (selected.stream().noneMatch(ServiceWatch::ready)) {
                gaps.add("selector " + selector + " selects no ready pod: "
                        + selected.stream().map(p -> p.getMetadata().getName()).toList());
            }
            if (!excluded.isEmpty()) {
                selected.stream().filter(p -> matches(excluded, p)).forEach(p -> excludedSelected.add(
                        "selector " + selector + " selects " + p.getMetadata().getName()));
            }
        } catch (RuntimeException e) {
            // A read that failed is no moment; the next one comes 10 ms later.
        }
    }

    private static Map<String, String> selector(Service s) {
        return s == null || s.getSpec() == null ? null : s.getSpec().getSelector();
    }

    private static boolean matches(Map<String, String> selector, Pod p) {
        Map<String, String> labels = p.getMetadata().getLabels();
        return labels != null && selector.entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The moments at which the Service selected no ready pod, described. */
    public List<String> gaps() {
        return List.copyOf(gaps);
    }

    /** The moments at which the Service selected an excluded pod, described. */
    public List<String> excludedSelected() {
        return List.copyOf(excludedSelected);
    }

    /** Every selector the Service was seen with. */
    public Set<Map<String, String>> selectors() {
        return Set.copyOf(selectors);
    }

    /** How many moments were judged. */
    public int moments() {
        return moments.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
