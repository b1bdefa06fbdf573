package dev.berth.kube;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts every write Berth sends to a cluster (create, patch, delete), per region. "A reconcile that changes
 * nothing performs zero writes" is checked against these numbers by tests and benchmarks, and they are exported
 * as the metric {@code berth_cluster_writes_total}.
 */
@ApplicationScoped
public class WriteCounter {
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> totals = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> byNamespace = new ConcurrentHashMap<>();

    public WriteCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String region, String namespace, String verb, String kind) {
        totals.computeIfAbsent(region, r -> new AtomicLong()).incrementAndGet();
        if (namespace != null) {
            byNamespace.computeIfAbsent(region + "/" + namespace, r -> new AtomicLong()).incrementAndGet();
        }
        registry.counter("berth.cluster.writes", "region", region, "verb", verb, "kind", kind).increment();
    }

    public long total(String region) {
        AtomicLong n = totals.get(region);
        return n == null ? 0 : n.get();
    }

    /** Writes to objects in one namespace of a region (cluster-scoped objects such as namespaces are not counted). */
    public long total(String region, String namespace) {
        AtomicLong n = byNamespace.get(region + "/" + namespace);
        return n == null ? 0 : n.get();
    }

    public long total() {
        return totals.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
