package dev.berth.it;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a Service's Endpoints every 10 ms as the real Endpoints controller keeps them (what kube-proxy and ingress
 * controllers route to), and records every moment without a ready address, and every ready address whose pod
 * carries a label the Service must not reach (canary pods behind the main Service). Only moments after the first
 * ready address count: an app that has not served yet has no gap.
 */
public final class EndpointsWatch implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final Map<String, String> excluded;
    private final ScheduledExecutorService executor;
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    private final List<String> excludedReady = new CopyOnWriteArrayList<>();
    private final AtomicInteger moments = new AtomicInteger();
    private volatile boolean served;

    public EndpointsWatch(KubernetesClient client, String namespace, String service, Map<String, String> excluded) {
        this.client = client;
        this.namespace = namespace;
        this.service = service;
        this.excluded = excluded;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "endpoints-watch");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::look, 0, 10, TimeUnit.MILLISECONDS);
    }

    /** The ready addresses of a Service's Endpoints. */
    public static List<EndpointAddress> ready(KubernetesClient client, String namespace, String service) {
        Endpoints e = client.endpoints().inNamespace(namespace).withName(service).get();
        List<EndpointAddress> ready = new ArrayList<>();
        if (e != null && e.getSubsets() != null) {
            e.getSubsets().forEach(s -> {
                if (s.getAddresses() != null) {
                    ready.addAll(s.getAddresses());
                }
            });
        }
        return ready;
    }

    private void look() {
        try {
            List<EndpointAddress> ready = ready(client, namespace, service);
            moments.incrementAndGet();
            if (ready.isEmpty()) {
                if (served) {
                    gaps.add("no ready endpoint at " + java.time.Instant.now());
                }
                return;
            }
            served = true;
            if (!excluded.isEmpty()) {
                for (EndpointAddress a : ready) {
                    if (a.getTargetRef() == null) {
                        continue;
                    }
                    Pod p = client.pods().inNamespace(namespace).withName(a.getTargetRef().getName()).get();
                    if (p != null && p.getMetadata().getLabels().entrySet().containsAll(excluded.entrySet())) {
                        excludedReady.add(p.getMetadata().getName());
                    }
                }
            }
        } catch (RuntimeException e) {
            // A read that failed is no moment; the next one comes 10 ms later.
        }
    }

    public List<String> gaps() {
        return List.copyOf(gaps);
    }

    public List<String> excludedReady() {
        return List.copyOf(excludedReady);
    }

    public int moments() {
        return moments.get();
    }

    public boolean served() {
        return served;
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
