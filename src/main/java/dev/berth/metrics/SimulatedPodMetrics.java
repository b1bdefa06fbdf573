package dev.berth.metrics;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plausible use for the pods of simulated regions (the sandbox), which have no kubelet to measure: each running pod
 * uses a share of its CPU and memory requests that drifts slowly along a wave of its own (CPU between about 10% and
 * 90% of the request over ten minutes, memory between 50% and 70%), never above its limits. The same pod at the same
 * time always gives the same numbers.
 */
public final class SimulatedPodMetrics {
    static final long CPU_PERIOD_MILLIS = 600_000;
    static final long MEMORY_PERIOD_MILLIS = 1_800_000;

    private SimulatedPodMetrics() {
    }

    /** The use of each running pod at {@code at}. */
    public static List<PodUsage> of(List<Pod> pods, Instant at) {
        List<PodUsage> out = new ArrayList<>();
        for (Pod p : pods) {
            if (p.getStatus() == null || !"Running".equals(p.getStatus().getPhase())) {
                continue;
            }
            long cpuRequest = 0;
            long cpuLimit = 0;
            long memoryRequest = 0;
            long memoryLimit = 0;
            for (Container c : p.getSpec().getContainers()) {
                Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
                Map<String, Quantity> lim = c.getResources() == null ? null : c.getResources().getLimits();
                cpuRequest += req == null ? 100 : MetricsApis.millis(req.get("cpu"));
                memoryRequest += req == null ? 64L << 20 : MetricsApis.bytes(req.get("memory"));
                cpuLimit += lim == null ? Long.MAX_VALUE / 4 : MetricsApis.millis(lim.get("cpu"));
                memoryLimit += lim == null ? Long.MAX_VALUE / 4 : MetricsApis.bytes(lim.get("memory"));
            }
            double phase = (p.getMetadata().getName().hashCode() & 0xffff) / 65536.0;
            double cpuShare = 0.5 + 0.4 * Math.sin(2 * Math.PI * (at.toEpochMilli() % CPU_PERIOD_MILLIS
                    / (double) CPU_PERIOD_MILLIS + phase));
            double memoryShare = 0.6 + 0.1 * Math.sin(2 * Math.PI * (at.toEpochMilli() % MEMORY_PERIOD_MILLIS
                    / (double) MEMORY_PERIOD_MILLIS + phase));
            long cpu = Math.min(cpuLimit, Math.max(1, Math.round(cpuRequest * cpuShare)));
            long memory = Math.min(memoryLimit, Math.round(memoryRequest * memoryShare));
            out.add(new PodUsage(p.getMetadata().getNamespace(), p.getMetadata().getName(), cpu, memory));
        }
        return out;
    }
}
